import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  imageLabels,
  publishedTags,
  readJson,
  readManifest
} from './registry-api.js'
import { runMain, runPost } from './runner.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { credentials, runnerEnv, uniqueRepo, visibleText } from './steps.js'
import type { EventName } from '../fixtures/events.js'

// Merged steps of workflows without actions/checkout: the default context is
// the Git context of the commit, fetched by BuildKit from the stack's git
// servers (git daemon, anonymous; smart HTTP, behind a token). The runner's
// working directory is empty, so nothing can come from a local checkout.

let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

const HELLO = {
  Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n',
  'hello.txt': 'hello from the git server\n'
}

/** A repository on the git servers with one commit of `files`; its owner/name and sha. */
function serverRepository(files: Record<string, string>) {
  const repository = `gitctx/${randomBytes(5).toString('hex')}`
  const work = mkdtempSync(join(tmpdir(), 'dpa-git-'))
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', work, ...args], { encoding: 'utf8' }).trim()
  git('init', '-q', '-b', 'main')
  // a commit of its own: BuildKit caches Git contexts by commit
  for (const [path, text] of Object.entries({ ...files, nonce: repository })) {
    mkdirSync(dirname(join(work, path)), { recursive: true })
    writeFileSync(join(work, path), text)
  }
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'build me')
  const bare = join(stack.git.repos, `${repository}.git`)
  execFileSync('git', ['clone', '-q', '--bare', work, bare])
  return { repository, sha: git('rev-parse', 'HEAD') }
}

/** The runner of a run of `repository` at `sha` on `server`, in an empty workspace. */
function noCheckout(
  event: EventName,
  server: string,
  at: { repository: string; sha: string },
  extra: Record<string, string> = {}
) {
  return runnerEnv(event, {
    GITHUB_SERVER_URL: server,
    GITHUB_REPOSITORY: at.repository,
    GITHUB_SHA: at.sha,
    GITHUB_WORKSPACE: mkdtempSync(join(tmpdir(), 'dpa-empty-workspace-')),
    ...extra
  })
}

async function step(
  inputs: Record<string, string>,
  env: Record<string, string>
) {
  const main = await runMain(inputs, env)
  await runPost(main, env)
  return main
}

interface ImageIndex {
  manifests: {
    digest: string
    platform?: { os: string; architecture: string }
  }[]
}
interface ImageManifest {
  config: { digest: string }
  annotations?: Record<string, string>
}

/** The image manifests of a tag, one per platform (attestations left out). */
async function platformManifests(repo: string, tag: string) {
  const { a } = stack
  const index = await readJson<ImageIndex>(a, repo, `manifests/${tag}`)
  const images = index.manifests.filter(
    m => m.platform !== undefined && m.platform.os !== 'unknown'
  )
  return Promise.all(
    images.map(m => readJson<ImageManifest>(a, repo, `manifests/${m.digest}`))
  )
}

describe('a workflow without a checkout: the Git context of the commit', () => {
  it('git daemon: builds the commit and publishes, with no context input', async () => {
    const { a, git } = stack
    const at = serverRepository(HELLO)
    const repo = uniqueRepo('gitctx-daemon')
    const main = await step(
      // metadata-action + login-action + build-push-action without `context`
      { images: `${a.host}/${repo}`, ...credentials(a) },
      noCheckout('push-tag', `git://${git.daemon}`, at)
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(main.outputs.digest).toBe(
      (await readManifest(a, repo, '1.2.3')).digest
    )
    expect(main.outputs.tags.split('\n')).toEqual(
      ['1.2.3', '1.2', '1'].map(tag => `${a.host}/${repo}:${tag}`)
    )
    // the build was given the commit's URL, as build-push-action gives it
    expect(main.stdout).toContain(
      `git://${git.daemon}/${at.repository}.git#${at.sha}`
    )
  })

  it('a private repository over smart HTTP: github-token is its GIT_AUTH_TOKEN, never shown', async () => {
    const { a, git } = stack
    const at = serverRepository(HELLO)
    const repo = uniqueRepo('gitctx-private')
    const main = await step(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        'github-token': git.token
      },
      noCheckout('push-tag', `http://${git.http}`, at)
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    // BuildKit reads the token from the host-scoped secret, in a file of ours
    expect(main.stdout).toMatch(
      new RegExp(
        `--secret id=GIT_AUTH_TOKEN\\.${git.http.replace(/\./g, '\\.')},src=`
      )
    )
    expect(visibleText(main)).not.toContain(git.token)
  })

  it('a private repository without github-token fails on the Git context, and nothing is pushed', async () => {
    const { a, git } = stack
    const at = serverRepository(HELLO)
    const repo = uniqueRepo('gitctx-denied')
    const main = await step(
      { images: `${a.host}/${repo}`, ...credentials(a) },
      noCheckout('push-tag', `http://${git.http}`, at)
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(
      new RegExp(
        `::error::the build could not fetch its Git context http://${git.http}/${at.repository}\\.git .*github-token`
      )
    )
    expect(main.stdout).not.toMatch(/::error::.*registry/)
    expect(await publishedTags(a, repo)).toEqual([])
  })

  it('the dry run prints the Git context build, reading no checkout and showing no token', async () => {
    const { a, git } = stack
    const at = serverRepository(HELLO)
    const repo = uniqueRepo('gitctx-dry')
    const main = await step(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        'github-token': git.token,
        'dry-run': 'true'
      },
      noCheckout('push-tag', `http://${git.http}`, at)
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    const build = (JSON.parse(main.outputs.plan) as { argv?: string[] }[])
      .map(step => step.argv ?? [])
      .find(argv => argv.includes('build'))
    expect(build?.at(-1)).toBe(
      `http://${git.http}/${at.repository}.git#${at.sha}`
    )
    expect(build).toContain(`id=GIT_AUTH_TOKEN.${git.http},src=<file>`)
    expect(visibleText(main)).not.toContain(git.token)
    expect(await publishedTags(a, repo)).toEqual([])
  })

  it('{{defaultContext}}:subdir with file in a subfolder, target and build-args', async () => {
    const { a, git } = stack
    const at = serverRepository({
      'app/docker/Dockerfile': [
        'FROM scratch AS base',
        'ARG GREETING',
        'LABEL greeting=$GREETING',
        'COPY hello.txt /hello.txt',
        'FROM base AS final',
        'LABEL stage=final',
        'FROM base AS debug',
        'LABEL stage=debug',
        ''
      ].join('\n'),
      'app/hello.txt': 'hello from app/\n'
    })
    const repo = uniqueRepo('gitctx-subdir')
    const main = await step(
      {
        images: `${a.host}/${repo}`,
        tags: 'type=ref,event=tag',
        ...credentials(a),
        // build-push-action: the file is a path inside the context
        context: '{{defaultContext}}:app',
        file: 'docker/Dockerfile',
        target: 'final',
        'build-args': 'GREETING=hello-from-git'
      },
      noCheckout('push-tag', `git://${git.daemon}`, at)
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    // metadata-action's latest=auto: a tag push moves latest too
    expect(await publishedTags(a, repo)).toEqual(['latest', 'v1.2.3'])
    expect(await imageLabels(stack.a, repo, 'v1.2.3')).toMatchObject({
      greeting: 'hello-from-git',
      stage: 'final',
      'org.opencontainers.image.version': 'v1.2.3'
    })
  })

  it('build-contexts {{defaultContext}}:subdir of a private repository beside a local context', async () => {
    const { a, git } = stack
    const at = serverRepository({ 'assets/hello.txt': 'from the repository\n' })
    const repo = uniqueRepo('gitctx-named')
    const env = noCheckout('push-tag', `http://${git.http}`, at)
    // the Dockerfile is local (context: .), its files come from the commit
    writeFileSync(
      join(env.GITHUB_WORKSPACE, 'Dockerfile'),
      'FROM scratch\nCOPY --from=assets hello.txt /hello.txt\n'
    )
    const main = await step(
      {
        images: `${a.host}/${repo}`,
        tags: 'type=semver,pattern={{version}}',
        ...credentials(a),
        context: '.',
        'build-contexts': 'assets={{defaultContext}}:assets',
        'github-token': git.token
      },
      env
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1.2.3', 'latest'])
    expect(main.stdout).toContain(
      `--build-context assets=http://${git.http}/${at.repository}.git#${at.sha}:assets`
    )
    expect(visibleText(main)).not.toContain(git.token)
  })

  it('a push to main with latest=false, a long sha and a date tag', async () => {
    const { a, git } = stack
    const at = serverRepository(HELLO)
    const repo = uniqueRepo('gitctx-main')
    const main = await step(
      {
        images: `${a.host}/${repo}`,
        tags: [
          'type=ref,event=branch',
          'type=sha,format=long',
          "type=raw,value={{date 'YYYYMMDD'}}"
        ].join('\n'),
        flavor: 'latest=false',
        ...credentials(a)
      },
      // 2023-11-14T22:13:20Z: {{date}} honours SOURCE_DATE_EPOCH
      noCheckout('push-default-branch', `git://${git.daemon}`, at, {
        SOURCE_DATE_EPOCH: '1700000000'
      })
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(
      ['20231114', 'main', `sha-${at.sha}`].sort()
    )
    expect(main.outputs.tags.split('\n')).toEqual(
      // metadata-action's order: by rule priority (ref 600, raw 200, sha 100)
      ['main', '20231114', `sha-${at.sha}`].map(t => `${a.host}/${repo}:${t}`)
    )
    expect(main.outputs.version).toBe('main')
  })
})

describe('two platforms with annotations (context: a path, as with a checkout)', () => {
  it('one index of both platforms, each image annotated as metadata-action annotates it', async () => {
    const { a } = stack
    const repo = uniqueRepo('gitctx-platforms')
    const main = await step(
      {
        images: `${a.host}/${repo}`,
        tags: 'type=semver,pattern={{version}}',
        ...credentials(a),
        context: 'test/fixtures/contexts/hello',
        platforms: 'linux/amd64,linux/arm64',
        annotations: 'org.opencontainers.image.description=Acme app'
      },
      runnerEnv('push-tag')
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1.2.3', 'latest'])
    const index = await readManifest(a, repo, '1.2.3')
    expect(index.platforms).toEqual(['linux/amd64', 'linux/arm64'])
    expect(main.outputs.digest).toBe(index.digest)
    const images = await platformManifests(repo, '1.2.3')
    expect(images).toHaveLength(2)
    for (const image of images)
      expect(image.annotations).toMatchObject({
        'org.opencontainers.image.description': 'Acme app',
        'org.opencontainers.image.version': '1.2.3'
      })
    expect(main.outputs.annotations).toContain(
      'manifest:org.opencontainers.image.version=1.2.3'
    )
  })
})
