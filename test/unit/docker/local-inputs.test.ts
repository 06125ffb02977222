import { beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checkLocalInputs,
  dockerfileStages,
  isRemoteContext
} from '../../../src/docker/local-inputs.js'
import { parseSettings } from '../../../src/settings/settings.js'

/** A workspace: app/ with a multi-stage Dockerfile, docs/ without one, a key, a file. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-preflight-'))
  mkdirSync(join(dir, 'app'))
  mkdirSync(join(dir, 'docs'))
  writeFileSync(
    join(dir, 'app/Dockerfile'),
    'FROM alpine AS Build\nFROM --platform=$BUILDPLATFORM golang:1 as tools\nFROM scratch\n'
  )
  writeFileSync(join(dir, 'ci.Dockerfile'), 'FROM scratch AS final\n')
  writeFileSync(join(dir, 'id_ed25519'), 'key')
  writeFileSync(join(dir, 'notes.txt'), 'not a directory')
  return dir
}

let cwd = ''
beforeAll(() => {
  cwd = workspace()
})

async function check(
  inputs: Record<string, string | undefined>,
  env: Record<string, string> = {}
): Promise<void> {
  const settings = await parseSettings(name =>
    name === 'images' ? 'ghcr.io/o/app' : (inputs[name] ?? '')
  )
  checkLocalInputs(settings, { cwd, env })
}

describe('checkLocalInputs', () => {
  it.each([
    { name: 'context with a Dockerfile', inputs: { context: 'app' } },
    {
      name: 'target in any case',
      inputs: { context: 'app', target: 'build' }
    },
    {
      name: 'target of a FROM --platform line',
      inputs: { context: 'app', target: 'TOOLS' }
    },
    {
      name: 'file from the workspace, not the context',
      inputs: { context: 'docs', file: 'ci.Dockerfile', target: 'final' }
    },
    {
      name: 'git URL context, nothing read',
      inputs: { context: 'https://github.com/o/r.git#main', target: 'any' }
    },
    { name: 'git@ context', inputs: { context: 'git@github.com:o/r.git' } },
    { name: 'stdin context', inputs: { context: '-' } },
    {
      name: 'promote reads no context',
      inputs: { mode: 'promote', source: 'ghcr.io/o/app:1', context: 'none' }
    },
    {
      name: 'ssh key path',
      inputs: { context: 'app', ssh: 'github=id_ed25519' }
    }
  ])('accepts $name', async ({ inputs }) => {
    await expect(check(inputs)).resolves.toBeUndefined()
  })

  it('accepts ssh default with an agent socket', async () => {
    await expect(
      check({ context: 'app', ssh: 'default' }, { SSH_AUTH_SOCK: cwd })
    ).resolves.toBeUndefined()
  })

  it.each([
    {
      name: 'missing context',
      inputs: { context: 'nope' },
      error:
        /^input "context": invalid value "nope": expected a directory \(.* does not exist/
    },
    {
      name: 'context that is a file',
      inputs: { context: 'notes.txt' },
      error:
        /^input "context": invalid value "notes.txt": expected a directory \(.* is a file/
    },
    {
      name: 'no Dockerfile in the context',
      inputs: { context: 'docs' },
      error: /^input "file": invalid value "": no Dockerfile in the context/
    },
    {
      name: 'missing file',
      inputs: { context: 'app', file: 'app/Containerfile' },
      error:
        /^input "file": invalid value "app\/Containerfile": expected the path of a Dockerfile/
    },
    {
      name: 'file relative to the context, not the workspace',
      inputs: { context: 'app', file: 'Dockerfile' },
      error:
        /^input "file": invalid value "Dockerfile".*relative paths start at the workspace/
    },
    {
      name: 'unknown target',
      inputs: { context: 'app', target: 'release' },
      error:
        /^input "target": invalid value "release": expected a stage of .*: build, tools/
    },
    {
      name: 'target in a Dockerfile without stages',
      inputs: { context: 'docs', file: 'app/Dockerfile', target: 'x' },
      error: /^input "target": invalid value "x"/
    },
    {
      name: 'ssh default without an agent',
      inputs: { context: 'app', ssh: 'default' },
      error: /^input "ssh": invalid value "default": .*SSH_AUTH_SOCK is not set/
    },
    {
      name: 'ssh id without an agent',
      inputs: { context: 'app', ssh: 'github' },
      error: /^input "ssh": invalid value "github": .*SSH_AUTH_SOCK is not set/
    },
    {
      name: 'ssh key that does not exist',
      inputs: { context: 'app', ssh: 'github=id_rsa' },
      error:
        /^input "ssh": invalid value "github=id_rsa": .*id_rsa does not exist/
    },
    {
      name: 'ssh without an id',
      inputs: { context: 'app', ssh: '=id_ed25519' },
      error:
        /^input "ssh": invalid value "=id_ed25519": expected default, an id/
    }
  ])('rejects $name', async ({ inputs, error }) => {
    await expect(check(inputs)).rejects.toThrow(error)
  })

  it('rejects an agent socket that does not exist', async () => {
    await expect(
      check(
        { context: 'app', ssh: 'default' },
        { SSH_AUTH_SOCK: join(cwd, 'agent.sock') }
      )
    ).rejects.toThrow(/input "ssh".*agent\.sock\) does not exist/)
  })
})

describe('dockerfileStages', () => {
  it.each([
    { name: 'none', text: 'FROM scratch\n', stages: [] },
    {
      name: 'lower-cased, any keyword case, indented',
      text: 'from a As One\n  FROM b AS two\nRUN echo FROM x AS no\n',
      stages: ['one', 'two']
    }
  ])('$name', ({ text, stages }) => {
    expect(dockerfileStages(text)).toEqual(stages)
  })
})

describe('isRemoteContext', () => {
  it.each([
    { value: 'https://github.com/o/r.git', remote: true },
    { value: 'git@github.com:o/r.git', remote: true },
    { value: 'github.com/o/r', remote: true },
    { value: 'r.git#main:sub', remote: true },
    { value: '-', remote: true },
    { value: '.', remote: false },
    { value: './app', remote: false }
  ])('$value', ({ value, remote }) => {
    expect(isRemoteContext(value)).toBe(remote)
  })
})
