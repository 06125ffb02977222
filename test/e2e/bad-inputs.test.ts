/**
 * Every bad input fails before any docker command that changes anything,
 * with one line naming the input, the value and what is allowed. Each case
 * runs dist/index.js as the runner does, with a logging `docker` first on
 * PATH that runs only read-only commands (buildx inspect, info, version).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { reliabilityRecorder } from '../support/reliability.js'
import { runMain } from './runner.js'
import { runnerEnv } from './steps.js'

const record = reliabilityRecorder('bad-inputs')
const HELLO = 'test/fixtures/contexts/hello'
const IMAGE = 'ghcr.io/acme/webapp'
const READ_ONLY = /^(buildx inspect|buildx version|info|version)( |$)/

interface Case {
  name: string
  inputs: Record<string, string>
  /** The input the error names, and the value it quotes. */
  input: string
  value: string
  /** More of the message: what is allowed. */
  why?: RegExp
}

const CERT_PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBijCCAS+gAwIBAgIU\n-----END CERTIFICATE-----'
const LOGIN = (entry: string) => `- registry: ghcr.io\n${entry}`
const PROMOTE = { mode: 'promote' }
const ROLLBACK = {
  mode: 'rollback',
  source: '1.4.2',
  tags: 'latest',
  reason: '1.5.0 corrupts uploads'
}

const CASES: Case[] = [
  // mode, dry-run and the other booleans
  {
    name: 'mode unknown',
    inputs: { mode: 'deploy' },
    input: 'mode',
    value: 'deploy',
    why: /expected one of build, promote, digest, merge, gate, rollback/
  },
  {
    name: 'mode in capitals',
    inputs: { mode: 'Build' },
    input: 'mode',
    value: 'Build'
  },
  {
    name: 'dry-run maybe',
    inputs: { 'dry-run': 'maybe' },
    input: 'dry-run',
    value: 'maybe',
    why: /expected true or false/
  },
  {
    name: 'dry-run yes',
    inputs: { 'dry-run': 'yes' },
    input: 'dry-run',
    value: 'yes'
  },
  {
    name: 'push maybe',
    inputs: { push: 'maybe' },
    input: 'push',
    value: 'maybe'
  },
  { name: 'push 1', inputs: { push: '1' }, input: 'push', value: '1' },
  {
    name: 'load maybe',
    inputs: { load: 'maybe' },
    input: 'load',
    value: 'maybe'
  },
  { name: 'pull on', inputs: { pull: 'on' }, input: 'pull', value: 'on' },
  {
    name: 'no-cache yes',
    inputs: { 'no-cache': 'yes' },
    input: 'no-cache',
    value: 'yes'
  },
  {
    name: 'reproducible always',
    inputs: { reproducible: 'always' },
    input: 'reproducible',
    value: 'always'
  },
  {
    name: 'floating-guard maybe',
    inputs: { 'floating-guard': 'maybe' },
    input: 'floating-guard',
    value: 'maybe'
  },
  {
    name: 'bake-target with a dot',
    inputs: { 'bake-target': 'my.target' },
    input: 'bake-target',
    value: 'my.target',
    why: /a bake target name: letters, digits/
  },
  {
    name: 'logout maybe',
    inputs: { logout: 'maybe' },
    input: 'logout',
    value: 'maybe',
    why: /expected true or false/
  },
  {
    name: 'logout false with no login to keep',
    inputs: { logout: 'false' },
    input: 'logout',
    value: 'false',
    why: /none is given: set username and password, or logins/
  },
  // images
  {
    name: 'images double slash',
    inputs: { images: 'ghcr.io/acme//app' },
    input: 'images',
    value: 'ghcr.io/acme//app',
    why: /expected an image name/
  },
  {
    name: 'images with a tag',
    inputs: { images: 'ghcr.io/acme/app:1.0' },
    input: 'images',
    value: 'ghcr.io/acme/app:1.0'
  },
  {
    name: 'images port over 65535',
    inputs: { images: 'r.example:70000/app' },
    input: 'images',
    value: 'r.example:70000/app',
    why: /port 1-65535/
  },
  {
    name: 'images with a space',
    inputs: { images: 'my app' },
    input: 'images',
    value: 'my app'
  },
  {
    name: 'images unknown attribute',
    inputs: { images: 'name=ghcr.io/a/b,color=red' },
    input: 'images',
    value: 'name=ghcr.io/a/b,color=red'
  },
  {
    name: 'images enable=maybe',
    inputs: { images: 'name=ghcr.io/a/b,enable=maybe' },
    input: 'images',
    value: 'name=ghcr.io/a/b,enable=maybe'
  },
  {
    name: 'images missing for a push',
    inputs: { images: '' },
    input: 'images',
    value: '',
    why: /needs at least one image name/
  },
  // tags and flavor
  {
    name: 'tags unknown type',
    inputs: { tags: 'type=semvar,pattern={{version}}' },
    input: 'tags',
    value: 'type=semvar,pattern={{version}}'
  },
  {
    name: 'tags unknown ref event',
    inputs: { tags: 'type=ref,event=commit' },
    input: 'tags',
    value: 'type=ref,event=commit'
  },
  {
    name: 'tags sha format',
    inputs: { tags: 'type=sha,format=medium' },
    input: 'tags',
    value: 'type=sha,format=medium'
  },
  {
    name: 'tags unknown expression',
    inputs: { tags: 'type=raw,value={{nope}}' },
    input: 'tags',
    value: 'type=raw,value={{nope}}'
  },
  {
    name: 'tags priority not a number',
    inputs: { tags: 'type=raw,value=x,priority=high' },
    input: 'tags',
    value: 'type=raw,value=x,priority=high'
  },
  {
    name: 'tags unknown attribute',
    inputs: { tags: 'type=edge,colour=red' },
    input: 'tags',
    value: 'type=edge,colour=red'
  },
  {
    name: 'tags enable maybe',
    inputs: { tags: 'type=raw,value=x,enable=maybe' },
    input: 'tags',
    value: 'type=raw,value=x,enable=maybe'
  },
  {
    name: 'flavor latest sometimes',
    inputs: { flavor: 'latest=sometimes' },
    input: 'flavor',
    value: 'latest=sometimes'
  },
  {
    name: 'flavor onlatest maybe',
    inputs: { flavor: 'onlatest=maybe' },
    input: 'flavor',
    value: 'onlatest=maybe'
  },
  {
    name: 'flavor unknown key',
    inputs: { flavor: 'colour=blue' },
    input: 'flavor',
    value: 'colour=blue'
  },
  {
    name: 'flavor without =',
    inputs: { flavor: 'prefix' },
    input: 'flavor',
    value: 'prefix'
  },
  {
    name: 'default-branch with a space',
    inputs: { 'default-branch': 'my branch' },
    input: 'default-branch',
    value: 'my branch',
    why: /expected a git branch name/
  },
  {
    name: 'default-branch with ..',
    inputs: { 'default-branch': 'a..b' },
    input: 'default-branch',
    value: 'a..b'
  },
  // labels and annotations
  {
    name: 'labels without a key',
    inputs: { labels: '=value' },
    input: 'labels',
    value: '=value',
    why: /expected key=value/
  },
  {
    name: 'labels without =',
    inputs: { labels: 'novalue' },
    input: 'labels',
    value: 'novalue'
  },
  {
    name: 'annotations unknown level',
    inputs: { annotations: 'image:com.example.k=v' },
    input: 'annotations',
    value: 'image:com.example.k=v',
    why: /level one of manifest, index/
  },
  {
    name: 'annotations level list',
    inputs: { annotations: 'manifest,index:k=v' },
    input: 'annotations',
    value: 'manifest,index:k=v'
  },
  {
    name: 'annotations unknown level with platform',
    inputs: { annotations: 'layer[linux/amd64]:k=v' },
    input: 'annotations',
    value: 'layer[linux/amd64]:k=v'
  },
  {
    name: 'annotations without =',
    inputs: { annotations: 'just-a-key' },
    input: 'annotations',
    value: 'just-a-key'
  },
  {
    name: 'labels with an unknown template',
    inputs: { labels: 'com.example.v={{ver}}' },
    input: 'labels',
    value: 'com.example.v={{ver}}',
    why: /unknown expression \{\{ver\}\}; allowed: .*\{\{version\}\}/
  },
  {
    name: 'annotations with an unknown template',
    inputs: { annotations: 'index:com.example.v={{major}}' },
    input: 'annotations',
    value: 'index:com.example.v={{major}}',
    why: /unknown expression \{\{major\}\}/
  },
  // source (promote)
  {
    name: 'source missing in promote',
    inputs: { ...PROMOTE },
    input: 'source',
    value: '',
    why: /needs the image to copy/
  },
  {
    name: 'source upper case path',
    inputs: { ...PROMOTE, source: 'ghcr.io/Acme/app:1' },
    input: 'source',
    value: 'ghcr.io/Acme/app:1',
    why: /lower-case path/
  },
  {
    name: 'source short digest',
    inputs: { ...PROMOTE, source: 'ghcr.io/acme/app@sha256:abc' },
    input: 'source',
    value: 'ghcr.io/acme/app@sha256:abc'
  },
  {
    name: 'source bad tag',
    inputs: { ...PROMOTE, source: 'ghcr.io/acme/app:-x' },
    input: 'source',
    value: 'ghcr.io/acme/app:-x'
  },
  {
    name: 'source port over 65535',
    inputs: { ...PROMOTE, source: 'r.example:99999/app:1' },
    input: 'source',
    value: 'r.example:99999/app:1'
  },
  {
    name: 'source bad outside promote',
    inputs: { source: 'ghcr.io/acme//app:1' },
    input: 'source',
    value: 'ghcr.io/acme//app:1'
  },
  // mode rollback: reason, tags, source
  {
    name: 'reason missing in rollback',
    inputs: { ...ROLLBACK, reason: '' },
    input: 'reason',
    value: '',
    why: /mode "rollback" needs one line that says why/
  },
  {
    name: 'reason outside rollback',
    inputs: { reason: 'because' },
    input: 'reason',
    value: 'because',
    why: /only mode "rollback" takes a reason/
  },
  {
    name: 'an exact tag in rollback',
    inputs: { ...ROLLBACK, tags: 'latest\n1.5.0' },
    input: 'tags',
    value: '1.5.0',
    why: /moves floating tags only/
  },
  {
    name: 'source of another repository in rollback',
    inputs: { ...ROLLBACK, source: 'ghcr.io/acme/other:1.4.2' },
    input: 'source',
    value: 'ghcr.io/acme/other:1.4.2',
    why: /same repository/
  },
  // registry and credentials
  {
    name: 'registry with a space',
    inputs: { registry: 'ghcr io', username: 'u', password: 'p' },
    input: 'registry',
    value: 'ghcr io',
    why: /expected a registry host\[:port\]/
  },
  {
    name: 'registry ftp scheme',
    inputs: { registry: 'ftp://ghcr.io' },
    input: 'registry',
    value: 'ftp://ghcr.io'
  },
  {
    name: 'registry port over 65535',
    inputs: { registry: 'ghcr.io:70000' },
    input: 'registry',
    value: 'ghcr.io:70000'
  },
  {
    name: 'registry with user info',
    inputs: { registry: 'me@ghcr.io' },
    input: 'registry',
    value: 'me@ghcr.io'
  },
  {
    name: 'username with a newline',
    inputs: { username: 'bot\nother', password: 'p' },
    input: 'username',
    value: 'bot\nother',
    why: /on one line/
  },
  {
    name: 'username with a tab',
    inputs: { username: 'bot\tx', password: 'p' },
    input: 'username',
    value: 'bot\tx'
  },
  {
    name: 'password without username',
    inputs: { password: 'p' },
    input: 'username',
    value: '',
    why: /a password was given/
  },
  {
    name: 'username without password (an unset secret) on a push run',
    inputs: { username: 'bot' },
    input: 'password',
    value: '',
    why: /the password is empty.*this run pushes to ghcr.io, which needs it/
  },
  {
    name: 'logins not YAML',
    inputs: { logins: '- registry: [ghcr.io' },
    input: 'logins',
    value: '(not valid YAML)'
  },
  {
    name: 'logins not a list',
    inputs: { logins: 'registry: ghcr.io' },
    input: 'logins',
    value: '(not a list)'
  },
  {
    name: 'logins entry without password on a push run to its registry',
    inputs: { logins: LOGIN('  username: bot') },
    input: 'logins',
    value: 'entry 1 (registry ghcr.io)',
    why: /the password is empty \(a secret that is not set reads as empty\), and this run pushes to ghcr.io/
  },
  {
    name: 'logins entry without registry',
    inputs: { logins: '- username: bot\n  password: p' },
    input: 'logins',
    value: 'entry 1',
    why: /registry missing/
  },
  {
    name: 'logins entry bad registry',
    inputs: { logins: '- registry: ghcr io\n  username: bot\n  password: p' },
    input: 'logins',
    value: 'ghcr io',
    why: /registry host/
  },
  {
    name: 'logins entry username with newline',
    inputs: { logins: LOGIN('  username: "bot\\nx"\n  password: p') },
    input: 'logins',
    value: 'bot\nx',
    why: /on one line/
  },
  {
    name: 'registry-auth beside logins',
    inputs: {
      logins: LOGIN('  username: a\n  password: p'),
      'registry-auth': LOGIN('  username: b\n  password: p')
    },
    input: 'registry-auth',
    value: '(given beside logins)'
  },
  {
    name: "login-action's scope",
    inputs: { scope: '@push' },
    input: 'scope',
    value: '@push',
    why: /not supported/
  },
  {
    name: "login-action's ecr: true on a registry not named as ECR",
    inputs: { ecr: 'true' },
    input: 'ecr',
    value: 'true',
    why: /is not an ECR registry name/
  },
  {
    name: "login-action's ecr: a value other than auto, true or false",
    inputs: { ecr: 'maybe' },
    input: 'ecr',
    value: 'maybe',
    why: /expected auto, true or false/
  },
  {
    name: 'qemu: neither auto, false nor an image reference',
    inputs: { qemu: 'Tonistiigi/Binfmt' },
    input: 'qemu',
    value: 'Tonistiigi/Binfmt',
    why: /expected auto, false, or the tonistiigi\/binfmt image to install QEMU from/
  },
  {
    name: 'buildkit-image: a driver-opt line, not an image reference',
    inputs: { 'buildkit-image': 'image=moby/buildkit,network=host' },
    input: 'buildkit-image',
    value: 'image=moby/buildkit,network=host',
    why: /expected the BuildKit image of the builder the step makes/
  },
  {
    name: 'registry-auth entry without username',
    inputs: { 'registry-auth': LOGIN('  password: p') },
    input: 'registry-auth',
    value: 'entry 1 (registry ghcr.io)',
    why: /username missing/
  },
  {
    name: 'registry-auth entry bad registry',
    inputs: {
      'registry-auth':
        '- registry: https://ghcr.io:0\n  username: b\n  password: p'
    },
    input: 'registry-auth',
    value: 'https://ghcr.io:0'
  },
  // context, file, target
  {
    name: 'context missing',
    inputs: { context: 'test/fixtures/contexts/none' },
    input: 'context',
    value: 'test/fixtures/contexts/none',
    why: /does not exist/
  },
  {
    name: 'context is a file',
    inputs: { context: `${HELLO}/hello.txt` },
    input: 'context',
    value: `${HELLO}/hello.txt`,
    why: /is a file/
  },
  {
    name: "context metadata-action's git",
    inputs: { context: 'git' },
    input: 'context',
    value: 'git'
  },
  {
    name: 'context: another expression than {{defaultContext}}',
    inputs: { context: '{{github.sha}}' },
    input: 'context',
    value: '{{github.sha}}',
    why: /the only expression here is \{\{defaultContext\}\}/
  },
  {
    name: 'context: a subdir of the Git context outside the repository',
    inputs: { context: '{{defaultContext}}:../up' },
    input: 'context',
    value: '{{defaultContext}}:../up',
    why: /must be a folder of the repository/
  },
  {
    name: 'build-contexts: {{defaultContext}} not first',
    inputs: { 'build-contexts': 'src=./{{defaultContext}}' },
    input: 'build-contexts',
    value: './{{defaultContext}}',
    why: /it starts the value/
  },
  {
    name: 'context without a Dockerfile',
    inputs: { context: 'test/fixtures' },
    input: 'file',
    value: '',
    why: /no Dockerfile in the context/
  },
  {
    name: 'file missing',
    inputs: { file: `${HELLO}/Containerfile` },
    input: 'file',
    value: `${HELLO}/Containerfile`
  },
  {
    name: 'file relative to the context',
    inputs: { file: 'Dockerfile' },
    input: 'file',
    value: 'Dockerfile',
    why: /relative paths start at the workspace/
  },
  {
    name: 'file is a directory',
    inputs: { file: HELLO },
    input: 'file',
    value: HELLO
  },
  {
    name: 'target not a stage',
    inputs: { target: 'release' },
    input: 'target',
    value: 'release',
    why: /names no stage/
  },
  // build-args, build-contexts
  {
    name: 'build-args empty key',
    inputs: { 'build-args': '=1' },
    input: 'build-args',
    value: '=1',
    why: /expected KEY=value/
  },
  {
    name: 'build-args key with a space',
    inputs: { 'build-args': 'MY KEY=1' },
    input: 'build-args',
    value: 'MY KEY=1'
  },
  {
    name: 'build-args with an unknown template',
    inputs: { 'build-args': 'VERSION={{verison}}' },
    input: 'build-args',
    value: 'VERSION={{verison}}',
    why: /unknown expression \{\{verison\}\}; allowed: .*write \\\{\{ for a literal/
  },
  {
    name: 'build-args with an unclosed {{',
    inputs: { 'build-args': 'FORMAT={{.Name' },
    input: 'build-args',
    value: 'FORMAT={{.Name',
    why: /without a closing/
  },
  {
    name: 'build-contexts without =',
    inputs: { 'build-contexts': './src' },
    input: 'build-contexts',
    value: './src',
    why: /expected name=path/
  },
  {
    name: 'build-contexts without a path',
    inputs: { 'build-contexts': 'src=' },
    input: 'build-contexts',
    value: 'src='
  },
  {
    name: 'build-contexts without a name',
    inputs: { 'build-contexts': '=./src' },
    input: 'build-contexts',
    value: '=./src'
  },
  // platforms
  {
    name: 'platforms unknown arch',
    inputs: { platforms: 'linux/amd65' },
    input: 'platforms',
    value: 'linux/amd65',
    why: /expected os\/arch/
  },
  {
    name: 'platforms unknown os',
    inputs: { platforms: 'windoze/amd64' },
    input: 'platforms',
    value: 'windoze/amd64'
  },
  {
    name: 'platforms os alone',
    inputs: { platforms: 'linux' },
    input: 'platforms',
    value: 'linux'
  },
  {
    name: 'platforms too many parts',
    inputs: { platforms: 'linux/arm/v7/x' },
    input: 'platforms',
    value: 'linux/arm/v7/x'
  },
  {
    name: 'platforms two in digest mode',
    inputs: { mode: 'digest', platforms: 'linux/amd64,linux/arm64' },
    input: 'platforms',
    value: 'linux/amd64,linux/arm64',
    why: /one platform per runner/
  },
  {
    name: 'platforms none in merge mode',
    inputs: { mode: 'merge' },
    input: 'platforms',
    value: '',
    why: /list them/
  },
  // handover through job outputs
  {
    name: 'handover outside digest and merge',
    inputs: { handover: 'outputs' },
    input: 'handover',
    value: 'outputs',
    why: /mode "digest" takes outputs/
  },
  {
    name: 'handover not JSON in merge',
    inputs: { mode: 'merge', platforms: 'linux/amd64', handover: '{leg' },
    input: 'handover',
    value: '{leg'
  },
  // the gate
  {
    name: 'gate in a digest leg, beside its push credentials',
    inputs: { mode: 'digest', platforms: 'linux/amd64', gate: 'true' },
    input: 'gate',
    value: 'true',
    why: /mode "digest" holds the push credentials: gate the legs in a mode "gate" job/
  },
  {
    name: 'gate with push: false and no load',
    inputs: { push: 'false', gate: 'true' },
    input: 'gate',
    value: 'true',
    why: /set load: true/
  },
  {
    name: 'gate-timeout zero',
    inputs: { gate: 'true', 'gate-timeout': '0' },
    input: 'gate-timeout',
    value: '0'
  },
  // cache
  {
    name: 'cache-from unknown type',
    inputs: { 'cache-from': 'type=redis,ref=x' },
    input: 'cache-from',
    value: 'type=redis,ref=x',
    why: /expected type=<registry\|local/
  },
  {
    name: 'cache-from registry without ref',
    inputs: { 'cache-from': 'type=registry' },
    input: 'cache-from',
    value: 'type=registry',
    why: /needs ref=/
  },
  {
    name: 'cache-from local without src',
    inputs: { 'cache-from': 'type=local,dest=/tmp/c' },
    input: 'cache-from',
    value: 'type=local,dest=/tmp/c',
    why: /needs src=/
  },
  {
    name: 'cache-to unknown type',
    inputs: { 'cache-to': 'type=foo,ref=x' },
    input: 'cache-to',
    value: 'type=foo,ref=x'
  },
  {
    name: 'cache-to local without dest',
    inputs: { 'cache-to': 'type=local,src=/tmp/c' },
    input: 'cache-to',
    value: 'type=local,src=/tmp/c',
    why: /needs dest=/
  },
  {
    name: 'cache-to registry without ref',
    inputs: { 'cache-to': 'type=registry,mode=max' },
    input: 'cache-to',
    value: 'type=registry,mode=max'
  },
  {
    name: 'cache unknown kind',
    inputs: { cache: 'redis' },
    input: 'cache',
    value: 'redis',
    why: /expected auto \(the default\), gha, inline, off/
  },
  {
    name: 'cache registry without its ref',
    inputs: { cache: 'registry' },
    input: 'cache',
    value: 'registry',
    why: /registry needs ref=/
  },
  {
    name: "cache gha without the runner's cache service",
    inputs: { cache: 'gha', builder: 'default' },
    input: 'cache',
    value: 'gha'
  },
  {
    name: 'cache-to without type',
    inputs: { 'cache-to': 'ref=ghcr.io/a/b:c,mode=max' },
    input: 'cache-to',
    value: 'ref=ghcr.io/a/b:c,mode=max'
  },
  // secrets and ssh
  {
    name: 'secrets without id',
    inputs: { secrets: 'just-a-value' },
    input: 'secrets',
    value: 'line 1'
  },
  {
    name: 'secrets unclosed quote',
    inputs: { secrets: '"TOKEN=abc' },
    input: 'secrets',
    value: '(an unclosed or misplaced quote)'
  },
  {
    name: 'secret-files without path',
    inputs: { 'secret-files': 'npmrc' },
    input: 'secret-files',
    value: 'line 1'
  },
  {
    name: 'secret-envs not a variable',
    inputs: { 'secret-envs': 'TOKEN=not a var' },
    input: 'secret-envs',
    value: 'TOKEN=not a var',
    why: /environment variable/
  },
  {
    name: 'ssh default without agent',
    inputs: { ssh: 'default' },
    input: 'ssh',
    value: 'default',
    why: /SSH_AUTH_SOCK is not set/
  },
  {
    name: 'ssh id without agent',
    inputs: { ssh: 'github' },
    input: 'ssh',
    value: 'github'
  },
  {
    name: 'ssh key missing',
    inputs: { ssh: 'github=/nonexistent/id_rsa' },
    input: 'ssh',
    value: 'github=/nonexistent/id_rsa',
    why: /does not exist/
  },
  // attestations
  {
    name: 'provenance unknown',
    inputs: { provenance: 'maximal' },
    input: 'provenance',
    value: 'maximal',
    why: /expected true, false or key=value/
  },
  {
    name: 'provenance with a space',
    inputs: { provenance: 'mode max' },
    input: 'provenance',
    value: 'mode max'
  },
  {
    name: 'sbom maybe',
    inputs: { sbom: 'maybe' },
    input: 'sbom',
    value: 'maybe'
  },
  {
    name: 'referrers maybe',
    inputs: { referrers: 'maybe' },
    input: 'referrers',
    value: 'maybe'
  },
  {
    name: 'referrers in a digest leg, which publishes no index',
    inputs: { referrers: 'true', mode: 'digest', platforms: 'linux/amd64' },
    input: 'referrers',
    value: 'true',
    why: /attach the attestations in the mode "merge" job/
  },
  // builder and the build options
  {
    name: 'builder that does not exist, found before any login',
    inputs: {
      builder: 'no-such-builder-dpa',
      username: 'bot',
      password: 'not-used'
    },
    input: 'builder',
    value: 'no-such-builder-dpa',
    why: /no such builder/
  },
  {
    name: 'endpoint that is not tcp://host:port',
    inputs: { endpoint: 'buildkit.example.com:1234' },
    input: 'endpoint',
    value: 'buildkit.example.com:1234',
    why: /expected a BuildKit daemon's address tcp:\/\/host:port/
  },
  {
    name: 'tls-cacert that is a path, not PEM contents (the value never shown)',
    inputs: { endpoint: 'tcp://127.0.0.1:1234', 'tls-cacert': '/etc/ca.pem' },
    input: 'tls-cacert',
    value: '***',
    why: /PEM certificate/
  },
  {
    name: 'tls-cert without endpoint',
    inputs: { 'tls-cert': CERT_PEM },
    input: 'tls-cert',
    value: '***',
    why: /set endpoint/
  },
  {
    name: 'tls-key that is not a private key',
    inputs: { endpoint: 'tcp://127.0.0.1:1234', 'tls-key': CERT_PEM },
    input: 'tls-key',
    value: '***',
    why: /PEM private key/
  },
  {
    name: 'add-hosts without ip',
    inputs: { 'add-hosts': 'docker' },
    input: 'add-hosts',
    value: 'docker',
    why: /expected host:ip/
  },
  {
    name: 'add-hosts name for an ip',
    inputs: { 'add-hosts': 'docker:gateway' },
    input: 'add-hosts',
    value: 'docker:gateway'
  },
  {
    name: 'allow unknown entitlement',
    inputs: { allow: 'network.none' },
    input: 'allow',
    value: 'network.none',
    why: /expected entitlements/
  },
  {
    name: 'attests without type',
    inputs: { attests: 'generator=image' },
    input: 'attests',
    value: 'generator=image'
  },
  {
    name: 'call unknown',
    inputs: { call: 'lint' },
    input: 'call',
    value: 'lint',
    why: /expected one of build, check/
  },
  {
    name: 'call option without =',
    inputs: { call: 'check,verbose' },
    input: 'call',
    value: 'check,verbose'
  },
  {
    name: 'network bridge',
    inputs: { network: 'bridge' },
    input: 'network',
    value: 'bridge'
  },
  {
    name: 'outputs unknown type',
    inputs: { outputs: 'type=zip,dest=out.zip' },
    input: 'outputs',
    value: 'type=zip,dest=out.zip',
    why: /expected a local path/
  },
  {
    name: 'outputs without type',
    inputs: { outputs: 'dest=out,compression=gzip' },
    input: 'outputs',
    value: 'dest=out,compression=gzip'
  },
  {
    name: 'shm-size not a size',
    inputs: { 'shm-size': 'big' },
    input: 'shm-size',
    value: 'big',
    why: /expected a size/
  },
  {
    name: 'ulimit unknown name',
    inputs: { ulimit: 'files=10' },
    input: 'ulimit',
    value: 'files=10'
  },
  {
    name: 'ulimit not a number',
    inputs: { ulimit: 'nofile=many' },
    input: 'ulimit',
    value: 'nofile=many'
  },
  // guards and registry settings
  {
    name: 'immutable-tags unknown',
    inputs: { 'immutable-tags': 'ignore' },
    input: 'immutable-tags',
    value: 'ignore',
    why: /expected one of error, skip, overwrite/
  },
  {
    name: 'immutable-tags capitals',
    inputs: { 'immutable-tags': 'Error' },
    input: 'immutable-tags',
    value: 'Error'
  },
  {
    name: 'retries negative',
    inputs: { retries: '-1' },
    input: 'retries',
    value: '-1',
    why: /expected a whole number from 0 to 10/
  },
  {
    name: 'retries too many',
    inputs: { retries: '11' },
    input: 'retries',
    value: '11'
  },
  {
    name: 'retries a word',
    inputs: { retries: 'three' },
    input: 'retries',
    value: 'three'
  },
  {
    name: 'registry-timeout zero',
    inputs: { 'registry-timeout': '0' },
    input: 'registry-timeout',
    value: '0',
    why: /from 1 to 600/
  },
  {
    name: 'registry-timeout too long',
    inputs: { 'registry-timeout': '601' },
    input: 'registry-timeout',
    value: '601'
  },
  // mode cleanup
  {
    name: 'cleanup unknown kind',
    inputs: { mode: 'cleanup', cleanup: 'pr,tags' },
    input: 'cleanup',
    value: 'tags',
    why: /expected pr and\/or untagged/
  },
  {
    name: 'cleanup untagged, keep not a count',
    inputs: { mode: 'cleanup', cleanup: 'untagged', keep: 'some' },
    input: 'keep',
    value: 'some'
  },
  {
    name: 'cleanup with mode build',
    inputs: { cleanup: 'pr' },
    input: 'cleanup',
    value: 'pr',
    why: /only with mode "cleanup"/
  },
  {
    name: 'older-than in weeks',
    inputs: { mode: 'cleanup', cleanup: 'pr', 'older-than': '1w' },
    input: 'older-than',
    value: '1w',
    why: /a whole number and d, h or m/
  },
  {
    name: 'keep negative',
    inputs: { mode: 'cleanup', cleanup: 'pr', keep: '-1' },
    input: 'keep',
    value: '-1'
  },
  // signing
  {
    name: 'sign unknown',
    inputs: { sign: 'yes' },
    input: 'sign',
    value: 'yes',
    why: /expected one of false, true, key, keyless/
  },
  {
    name: 'github-attestations not a choice',
    inputs: { 'github-attestations': 'yes' },
    input: 'github-attestations',
    value: 'yes',
    why: /expected one of provenance, provenance,sbom, false/
  },
  {
    name: 'sign key without signing-key',
    inputs: { sign: 'key' },
    input: 'sign',
    value: 'key',
    why: /needs input "signing-key"/
  },
  {
    name: 'signing-key not a PEM key (its value never quoted)',
    inputs: { sign: 'key', 'signing-key': 'hunter2' },
    input: 'signing-key',
    value: '***',
    why: /expected a PEM key/
  },
  {
    name: 'signing-password that does not open the cosign key',
    inputs: {
      sign: 'key',
      'signing-key': readFileSync('test/fixtures/cosign/cosign.key', 'utf8'),
      'signing-password': 'wrong'
    },
    input: 'signing-password',
    value: '***',
    why: /does not open the cosign key/
  },
  {
    name: 'verify-key outside promote',
    inputs: {
      'verify-key': readFileSync('test/fixtures/cosign/cosign.pub', 'utf8')
    },
    input: 'verify-key',
    value: '***',
    why: /only modes "promote" and "rollback"/
  },
  {
    name: 'verify-identity outside promote',
    inputs: {
      'verify-identity':
        'https://github.com/acme/webapp/.github/workflows/release.yml@refs/tags/v1.2.3',
      'verify-trusted-root': 'trusted_root.json'
    },
    input: 'verify-identity',
    value:
      'https://github.com/acme/webapp/.github/workflows/release.yml@refs/tags/v1.2.3',
    why: /only modes "promote" and "rollback"/
  },
  {
    name: 'verify-trusted-root without verify-identity',
    inputs: { 'verify-trusted-root': 'trusted_root.json' },
    input: 'verify-trusted-root',
    value: 'trusted_root.json',
    why: /read only with verify-identity/
  },
  {
    name: 'verify-issuer not a URL',
    inputs: { 'verify-issuer': 'github' },
    input: 'verify-issuer',
    value: 'github',
    why: /expected an http\(s\) URL/
  },
  {
    name: 'fulcio-url not a URL',
    inputs: { 'fulcio-url': 'fulcio.example' },
    input: 'fulcio-url',
    value: 'fulcio.example',
    why: /expected an http\(s\) URL/
  },
  {
    name: 'rekor-url with a space',
    inputs: { 'rekor-url': 'https://rekor example' },
    input: 'rekor-url',
    value: 'https://rekor example',
    why: /expected an http\(s\) URL/
  },
  {
    name: 'registry-timeout fraction',
    inputs: { 'registry-timeout': '1.5' },
    input: 'registry-timeout',
    value: '1.5'
  }
]

/** How @actions/core writes a message into a `::error::` line. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

let shimDir = ''

/** A `docker` that logs its argv and runs only the read-only commands. */
function writeShim(): string {
  const real = execFileSync('sh', ['-c', 'command -v docker'], {
    encoding: 'utf8'
  }).trim()
  const dir = mkdtempSync(join(tmpdir(), 'dpa-shim-'))
  const shim = join(dir, 'docker')
  writeFileSync(
    shim,
    [
      '#!/bin/sh',
      'printf "%s\\n" "$*" >> "$DPA_SHIM_LOG"',
      'case "$1 $2" in',
      `  "buildx inspect"*|"buildx version"*|"info "*|"version "*) exec "${real}" "$@" ;;`,
      'esac',
      `case "$*" in info|version) exec "${real}" "$@" ;; esac`,
      'exit 1',
      ''
    ].join('\n')
  )
  chmodSync(shim, 0o755)
  return dir
}

async function runCase(
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {}
) {
  const log = join(mkdtempSync(join(tmpdir(), 'dpa-shim-log-')), 'argv')
  writeFileSync(log, '')
  const step = await runMain(
    { images: IMAGE, context: HELLO, ...inputs },
    runnerEnv('push-tag', {
      PATH: `${shimDir}:${process.env.PATH ?? ''}`,
      DPA_SHIM_LOG: log,
      ...extraEnv
    })
  )
  const commands = existsSync(log)
    ? readFileSync(log, 'utf8').split('\n').filter(Boolean)
    : []
  return { step, commands }
}

beforeAll(() => {
  shimDir = writeShim()
})

describe('bad inputs fail before any docker command that changes anything', () => {
  it('the inputs the cases start from run (dry run: read-only docker commands at most)', async () => {
    const { step, commands } = await runCase({ 'dry-run': 'true' })
    expect(step.stdout).not.toContain('::error::')
    expect(step.code).toBe(0)
    expect(commands.filter(command => !READ_ONLY.test(command))).toEqual([])
  })

  it('the logging docker sees what the action runs (a named builder is inspected)', async () => {
    const { step, commands } = await runCase({
      'dry-run': 'true',
      builder: 'default'
    })
    expect(step.code).toBe(0)
    expect(commands).toEqual(['buildx inspect default'])
  })

  it('has a case for every input that has a bad value', () => {
    const declared = readFileSync('action.yml', 'utf8')
      .split(/\ninputs:\n/)[1]
      .split(/\noutputs:/)[0]
      .match(/^ {2}[a-z-]+(?=:)/gm)
      ?.map(name => name.trim())
    // any text is a valid separator; any path a valid cgroup parent;
    // no-cache-filters names stages buildx ignores when absent
    const anyValue = [
      'sep-tags',
      'sep-labels',
      'sep-annotations',
      'cgroup-parent',
      'no-cache-filters',
      // any token: the Git server judges it
      'github-token'
    ]
    const covered = new Set(
      CASES.flatMap(c => [c.input, ...Object.keys(c.inputs)])
    )
    expect(
      declared?.filter(i => !anyValue.includes(i) && !covered.has(i))
    ).toEqual([])
    expect(CASES.length).toBeGreaterThanOrEqual(90)
  })

  it.concurrent.each(CASES)('$name', ({ name, inputs, input, value, why }) =>
    record('bad inputs', name, async c => {
      const { step, commands } = await c.time(() => runCase(inputs))
      expect(step.code).toBe(1)
      const errors = step.stdout
        .split('\n')
        .filter(line => line.startsWith('::error::'))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain(
        escapeData(
          `::error::input "${input}": invalid value ${JSON.stringify(value)}: `
        )
      )
      expect(errors[0]).toMatch(why ?? /./)
      expect(commands.filter(command => !READ_ONLY.test(command))).toEqual([])
      // the logging docker stands in for the engine and the cases publish nowhere
      c.left('nothing: no docker command that changes anything ran')
    })
  )
})
