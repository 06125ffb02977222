import { afterAll, describe, expect, it } from '@jest/globals'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  askBuildxVersionEarly,
  earlyBuildxVersion
} from '../../../src/buildx/early-version.js'

/** A docker config folder whose cli-plugins/docker-buildx prints `output`, or fails. */
function configWithPlugin(output: string, exitCode = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'early-version-'))
  mkdirSync(join(dir, 'cli-plugins'))
  const plugin = join(dir, 'cli-plugins', 'docker-buildx')
  writeFileSync(plugin, `#!/bin/sh\necho '${output}'\nexit ${exitCode}\n`)
  chmodSync(plugin, 0o755)
  return dir
}

const VERSION = 'github.com/docker/buildx v0.36.1 1d8dde89'
const SERVICE_V2 = {
  ACTIONS_RESULTS_URL: 'https://results.example/',
  ACTIONS_RUNTIME_TOKEN: 'token'
}

describe('buildx version asked as the step starts', () => {
  const folders: string[] = []
  const config = (output = VERSION, exitCode = 0) => {
    const dir = configWithPlugin(output, exitCode)
    folders.push(dir)
    return dir
  }
  afterAll(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true })
  })
  const pluginOf = (dir: string) => join(dir, 'cli-plugins', 'docker-buildx')

  it.each([
    {
      name: 'the runner offers the cache service v2: the plugin docker finds answers',
      env: SERVICE_V2,
      asked: (dir: string) => pluginOf(dir),
      answer: VERSION
    },
    {
      name: "the run's docker config, whose cli-plugins links the user's: the same answer",
      env: SERVICE_V2,
      asked: (dir: string) => {
        const run = mkdtempSync(join(tmpdir(), 'early-version-run-'))
        folders.push(run)
        symlinkSync(join(dir, 'cli-plugins'), join(run, 'cli-plugins'))
        return pluginOf(run)
      },
      answer: VERSION
    },
    {
      name: 'no cache service: not asked, the run asks itself',
      env: {},
      asked: (dir: string) => pluginOf(dir),
      answer: undefined
    },
    {
      name: 'the v1 service alone: not asked (no version is needed)',
      env: {
        ACTIONS_CACHE_URL: 'https://cache.example/',
        ACTIONS_RUNTIME_TOKEN: 't'
      },
      asked: (dir: string) => pluginOf(dir),
      answer: undefined
    },
    {
      name: 'the run runs another plugin: not this answer',
      env: SERVICE_V2,
      asked: () => join(config(), 'cli-plugins', 'docker-buildx'),
      answer: undefined
    },
    {
      name: 'the run runs no plugin directly: not this answer',
      env: SERVICE_V2,
      asked: () => undefined,
      answer: undefined
    }
  ])('$name', async ({ env, asked, answer }) => {
    const dir = config()
    askBuildxVersionEarly({
      ...env,
      DOCKER_CONFIG: dir,
      PATH: process.env.PATH
    })
    expect(await earlyBuildxVersion(asked(dir))).toBe(answer)
  })

  it('a plugin whose child holds its output open: what it printed, once the bound ends', async () => {
    // the plugin answers and exits, and a child it left keeps its output open for 30 s: without
    // the bound this waits past this test's 5 s
    const dir = config(`${VERSION}'; sleep 30 & echo '`)
    askBuildxVersionEarly({ ...SERVICE_V2, DOCKER_CONFIG: dir }, 1500)
    expect(await earlyBuildxVersion(pluginOf(dir))).toBe(VERSION)
  }, 5_000)

  it('a plugin that fails: no answer, the run asks itself', async () => {
    const dir = config('boom', 3)
    askBuildxVersionEarly({ ...SERVICE_V2, DOCKER_CONFIG: dir })
    expect(await earlyBuildxVersion(pluginOf(dir))).toBeUndefined()
  })
})
