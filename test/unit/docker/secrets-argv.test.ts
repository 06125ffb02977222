import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { writeSecretFiles } from '../../../src/docker/secret-files.js'
import type {
  CommandOutput,
  DockerRunner,
  RunOptions
} from '../../../src/docker/runner.js'
import type { Builder } from '../../../src/plan/builder.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import {
  allSteps,
  isCommand,
  publicStep,
  type CommandStep
} from '../../../src/plan/steps.js'
import type { PublishEnv } from '../../../src/publish/context.js'
import { runCommand } from '../../../src/publish/run-command.js'
import { RunValues } from '../../../src/publish/values.js'
import type { RegistryClient } from '../../../src/registry/client.js'
import {
  LIST_PASSWORD,
  PASSWORD,
  SECRET_VALUE,
  leaks,
  releaseRun
} from './run-fixture.js'

// Security requirement: passwords travel on stdin and build secrets in
// files; no step, planned or run, holds either.

/** A docker that records each call; a build writes the metadata buildx would. */
function recordingDocker() {
  const calls: { args: string[]; input?: string }[] = []
  const docker: DockerRunner = {
    run(args: string[], options: RunOptions = {}): Promise<CommandOutput> {
      calls.push({ args, input: options.input })
      const metadata = args.indexOf('--metadata-file')
      if (metadata >= 0)
        writeFileSync(
          args[metadata + 1],
          `{"containerimage.digest":"sha256:${'1'.repeat(64)}"}`
        )
      return Promise.resolve({ stdout: '', stderr: '' })
    }
  }
  return { docker, calls }
}

/** The registry a docker-only step never touches: any call fails the test. */
const untouchedRegistry = new Proxy({} as RegistryClient, {
  get: (_, name) => () => {
    throw new Error(`a docker step called the registry's ${String(name)}`)
  }
})

const DRIVERS: Builder[] = [
  { name: 'default', driver: 'docker' },
  { name: 'builder-1', driver: 'docker-container' },
  { name: '', driver: 'classic' }
]

describe('no planned step holds a password or a build secret', () => {
  it.each<{ name: string; inputs: Record<string, string> }>([
    { name: 'build, push', inputs: {} },
    { name: 'build, push and load', inputs: { load: 'true' } },
    { name: 'build, push: false', inputs: { push: 'false' } },
    {
      name: 'promote',
      inputs: { mode: 'promote', source: 'ghcr.io/octo/app:rc' }
    },
    { name: 'digest', inputs: { mode: 'digest', platforms: 'linux/amd64' } },
    {
      name: 'merge',
      inputs: { mode: 'merge', platforms: 'linux/amd64,linux/arm64' }
    }
  ])('mode $name, on every builder', async ({ inputs }) => {
    const { settings, plan } = await releaseRun(inputs)
    for (const builder of DRIVERS) {
      const files = {
        metadata: '<metadata-file>',
        iid: '<iid-file>',
        secretSpecs: ['id=NPM_TOKEN,src=<file>']
      }
      const steps = allSteps(pipelineFor({ settings, plan, builder, files }))
      const text = JSON.stringify(steps.map(publicStep))
      expect(leaks([[text]])).toEqual([])
      const logins = steps.filter(isCommand).filter(s => s.step === 'login')
      for (const login of logins)
        expect(login.argv.slice(-1)).toEqual(['--password-stdin'])
    }
  })

  it('a secrets line without id= is refused before any plan exists', async () => {
    const run = releaseRun({ secrets: SECRET_VALUE, push: 'false' })
    await expect(run).rejects.toThrow(/input "secrets"/)
  })
})

describe('the steps a run executes', () => {
  let tempDir = ''
  beforeEach(() => {
    tempDir = mkdtempSync(join(tmpdir(), 'secrets-argv-'))
  })
  afterEach(() => {
    rmSync(tempDir, { recursive: true, force: true })
  })

  function envFor(docker: DockerRunner, passwords: Map<string, string>) {
    const env: PublishEnv = {
      docker,
      registry: untouchedRegistry,
      log: {
        info: () => undefined,
        notice: () => undefined,
        warning: () => undefined,
        group: (_, work) => work(),
        mask: () => undefined
      },
      retry: { retries: 0, sleep: () => Promise.resolve() },
      tempDir,
      passwords,
      progress: { pushed: [], skipped: [] }
    }
    return env
  }

  it('login: each password on stdin, none in the argv', async () => {
    const { settings, plan } = await releaseRun()
    const { docker, calls } = recordingDocker()
    const files = { metadata: '', iid: '', secretSpecs: [] }
    const pipeline = pipelineFor({ settings, plan, builder: DRIVERS[0], files })
    const env = envFor(
      docker,
      new Map(settings.logins.map(l => [l.registry, l.password]))
    )
    for (const step of pipeline.login)
      await runCommand(step, plan.images, new RunValues(), env)
    expect(calls).toEqual([
      {
        args: ['login', 'ghcr.io', '--username', 'octo', '--password-stdin'],
        input: PASSWORD
      },
      {
        args: [
          'login',
          'docker.io',
          '--username',
          'octodock',
          '--password-stdin'
        ],
        input: LIST_PASSWORD
      }
    ])
  })

  it('buildx build: the secret in a file named by --secret, not in the argv', async () => {
    const { settings, plan } = await releaseRun()
    const { docker, calls } = recordingDocker()
    const files = {
      metadata: join(tempDir, 'metadata.json'),
      iid: join(tempDir, 'iid'),
      secretSpecs: writeSecretFiles(settings.build.secrets, tempDir)
    }
    const pipeline = pipelineFor({ settings, plan, builder: DRIVERS[1], files })
    const [build] = pipeline.stage as CommandStep[]
    await runCommand(
      build,
      plan.images,
      new RunValues(),
      envFor(docker, new Map())
    )
    const file = join(tempDir, 'secrets', '0-NPM_TOKEN')
    const [argv] = calls.map(call => call.args)
    expect(argv).toContain(`id=NPM_TOKEN,src=${file}`)
    expect(leaks([argv])).toEqual([])
    expect(readFileSync(file, 'utf8')).toBe(SECRET_VALUE)
  })
})
