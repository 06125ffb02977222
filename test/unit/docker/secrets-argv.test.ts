import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { writeSecretFiles } from '../../../src/docker/secret-files.js'
import { buildxBuildArgs, classicBuildArgs } from '../../../src/argv/buildx.js'
import type {
  CommandOutput,
  DockerRunner,
  RunOptions
} from '../../../src/docker/runner.js'
import type { Builder } from '../../../src/plan/builder.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import type { Publication } from '../../../src/plan/publication.js'
import {
  allSteps,
  isCommand,
  publicStep,
  type CommandStep
} from '../../../src/plan/steps.js'
import { runCommand } from '../../../src/publish/docker-steps.js'
import { logIn } from '../../../src/publish/stage-steps.js'
import { readDockerConfig } from '../../../src/docker/config.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { RunValues } from '../../../src/publish/outcome.js'
import type { RegistryClient } from '../../../src/registry/client.js'
import type { Settings } from '../../../src/settings/settings.js'
import type { Login } from '../../../src/settings/logins.js'
import {
  LIST_PASSWORD,
  PASSWORD,
  SECRET_VALUE,
  leaks,
  releaseRun
} from './run-fixture.js'
import { testPublishEnv } from '../../support/publish-env.js'

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

/** The build step on a docker-container builder, its secret files written under dir. */
function secretsBuildStep(
  settings: Settings,
  publication: Publication,
  dir: string
): CommandStep {
  const files = {
    metadata: join(dir, 'metadata.json'),
    iid: join(dir, 'iid'),
    layout: '/run/layout',
    secretSpecs: writeSecretFiles(settings.build.secrets, dir)
  }
  const pipeline = pipelineFor({
    settings,
    publication,
    builder: DRIVERS[1],
    files,
    userConfig: '/u'
  })
  return (pipeline.stage as CommandStep[])[0]
}

describe('no planned step holds a password or a build secret', () => {
  it.each<{ name: string; inputs: Record<string, string> }>([
    { name: 'build, push', inputs: {} },
    { name: 'build, push and load', inputs: { load: 'true' } },
    { name: 'build, push: false', inputs: { push: 'false' } },
    { name: 'build, logout: false', inputs: { logout: 'false' } },
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
    const { settings, publication } = await releaseRun(inputs)
    for (const builder of DRIVERS) {
      const files = {
        metadata: '<metadata-file>',
        iid: '<iid-file>',
        layout: '/run/layout',
        secretSpecs: ['id=NPM_TOKEN,src=<file>']
      }
      const steps = allSteps(
        pipelineFor({ settings, publication, builder, files, userConfig: '/u' })
      )
      const text = JSON.stringify(steps.map(publicStep))
      expect(leaks([[text]])).toEqual([])
      const logins = steps
        .filter(isCommand)
        .filter(s => s.step === 'login' || s.step === 'keep-login')
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

  const loginPipeline = (
    settings: Parameters<typeof pipelineFor>[0]['settings'],
    publication: Parameters<typeof pipelineFor>[0]['publication']
  ) =>
    pipelineFor({
      settings,
      publication,
      builder: DRIVERS[0],
      files: { metadata: '', iid: '', layout: '', secretSpecs: [] },
      userConfig: '/u'
    })
  const envFor = (docker: DockerRunner, logins: Login[]) =>
    testPublishEnv({ docker, registry: untouchedRegistry, tempDir, logins })

  it('login: no docker command; each password only in the run config, as docker login writes it', async () => {
    const { settings, publication } = await releaseRun()
    const { docker, calls } = recordingDocker()
    const pipeline = loginPipeline(settings, publication)
    const env = testPublishEnv({
      docker,
      registry: new MemoryRegistry(),
      tempDir,
      dockerConfig: tempDir,
      logins: settings.logins
    })
    for (const step of pipeline.login)
      if (!isCommand(step)) await logIn(step, env)
    expect(calls).toEqual([])
    const basic = (pair: string) => Buffer.from(pair).toString('base64')
    expect(readDockerConfig(tempDir).auths).toEqual({
      'ghcr.io': { auth: basic(`octo:${PASSWORD}`) },
      'https://index.docker.io/v1/': {
        auth: basic(`octodock:${LIST_PASSWORD}`)
      }
    })
  })

  it('logout: false: each password on stdin to docker login, none in the argv', async () => {
    const { settings, publication } = await releaseRun({ logout: 'false' })
    const { docker, calls } = recordingDocker()
    const pipeline = loginPipeline(settings, publication)
    const env = envFor(docker, settings.logins)
    for (const step of pipeline.login.filter(isCommand))
      await runCommand(step, publication.images, new RunValues(), env)
    const kept = (registry: string, user: string) => [
      '--config',
      '/u',
      'login',
      registry,
      '--username',
      user,
      '--password-stdin'
    ]
    expect(calls).toEqual([
      { args: kept('ghcr.io', 'octo'), input: PASSWORD },
      { args: kept('docker.io', 'octodock'), input: LIST_PASSWORD }
    ])
  })

  it('buildx build: the secret in a file named by --secret, not in the argv', async () => {
    const { settings, publication } = await releaseRun()
    const { docker, calls } = recordingDocker()
    const build = secretsBuildStep(settings, publication, tempDir)
    await runCommand(
      build,
      publication.images,
      new RunValues(),
      envFor(docker, [])
    )
    const file = join(tempDir, 'secrets', '0-NPM_TOKEN')
    const [argv] = calls.map(call => call.args)
    expect(argv).toContain(`id=NPM_TOKEN,src=${file}`)
    expect(leaks([argv])).toEqual([])
    expect(readFileSync(file, 'utf8')).toBe(SECRET_VALUE)
  })
})

/** A PEM key: a multi-line secret, quoted so that it stays one secret. */
const PEM_LINES = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
  '-----END OPENSSH PRIVATE KEY-----'
]
const PEM = PEM_LINES.join('\n')

/** Every secret input at once: a quoted PEM, secret files and secret envs. */
const ALL_SECRET_INPUTS = {
  secrets: `"SSH_KEY=${PEM}"\nNPM_TOKEN=${SECRET_VALUE}`,
  'secret-files': 'GPG_KEY=./keys/gpg.asc',
  'secret-envs': 'GH_TOKEN=GH_TOKEN_VAR'
}

/** The argv entries holding a secret value or any line of the PEM key. */
function pemLeaks(argvs: string[][]): string[] {
  return argvs.flat().filter(arg => PEM_LINES.some(line => arg.includes(line)))
}

describe('no builder puts a value of any secret input in argv', () => {
  it.each<{ name: string; inputs: Record<string, string> }>([
    { name: 'build', inputs: {} },
    { name: 'build, push: false', inputs: { push: 'false' } },
    { name: 'digest', inputs: { mode: 'digest', platforms: 'linux/amd64' } }
  ])('planned steps, mode $name, every builder', async ({ inputs }) => {
    const { settings, publication } = await releaseRun({
      ...ALL_SECRET_INPUTS,
      ...inputs
    })
    for (const builder of DRIVERS.slice(0, 2)) {
      const files = {
        metadata: '<metadata-file>',
        iid: '<iid-file>',
        layout: '/run/layout',
        secretSpecs: ['id=SSH_KEY,src=<file>', 'id=NPM_TOKEN,src=<file>']
      }
      const argvs = allSteps(
        pipelineFor({ settings, publication, builder, files, userConfig: '/u' })
      )
        .filter(isCommand)
        .map(step => step.argv)
      expect(leaks(argvs)).toEqual([])
      expect(pemLeaks(argvs)).toEqual([])
      expect(argvs.flat()).toEqual(
        expect.arrayContaining([
          'id=SSH_KEY,src=<file>',
          'id=GPG_KEY,src=./keys/gpg.asc',
          'id=GH_TOKEN,env=GH_TOKEN_VAR'
        ])
      )
    }
  })

  it.each([
    {
      name: 'buildxBuildArgs',
      build: (run: Awaited<ReturnType<typeof releaseRun>>) =>
        buildxBuildArgs({
          ...run.publication,
          build: run.settings.build,
          metadataFile: '/m',
          secretSpecs: ['id=SSH_KEY,src=/s/0', 'id=NPM_TOKEN,src=/s/1']
        })
    },
    {
      name: 'classicBuildArgs',
      build: (run: Awaited<ReturnType<typeof releaseRun>>) =>
        classicBuildArgs(
          { ...run.publication, build: run.settings.build },
          '/iid'
        )
    }
  ])('$name', async ({ build }) => {
    const argv = build(await releaseRun(ALL_SECRET_INPUTS))
    expect(leaks([argv])).toEqual([])
    expect(pemLeaks([argv])).toEqual([])
  })

  it('buildx build: the quoted PEM is one secret, whole in one file', async () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'secrets-pem-'))
    const { settings, publication } = await releaseRun(ALL_SECRET_INPUTS)
    const { docker, calls } = recordingDocker()
    const build = secretsBuildStep(settings, publication, tempDir)
    const env = testPublishEnv({ docker, registry: untouchedRegistry, tempDir })
    await runCommand(build, publication.images, new RunValues(), env)
    const [argv] = calls.map(call => call.args)
    const file = join(tempDir, 'secrets', '0-SSH_KEY')
    const written = readFileSync(file, 'utf8')
    rmSync(tempDir, { recursive: true, force: true })
    expect(argv).toContain(`id=SSH_KEY,src=${file}`)
    expect(pemLeaks([argv])).toEqual([])
    expect(written).toBe(PEM)
  })
})
