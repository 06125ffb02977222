import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { buildxBuild } from '../../../src/docker/build.js'
import {
  buildxBuildArgs,
  classicBuildArgs
} from '../../../src/docker/buildx-args.js'
import { plannedCommands } from '../../../src/docker/commands.js'
import { loginAll } from '../../../src/docker/login.js'
import type {
  CommandOutput,
  DockerRunner,
  RunOptions
} from '../../../src/docker/runner.js'
import {
  LIST_PASSWORD,
  PASSWORD,
  SECRET_VALUE,
  leaks,
  releaseRun
} from './run-fixture.js'

// Security requirement: passwords travel on stdin and build secrets in
// files; no argv, planned or run, holds either.

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
          '{"containerimage.digest":"sha256:1"}'
        )
      return Promise.resolve({ stdout: '', stderr: '' })
    }
  }
  return { docker, calls }
}

const noRetry = { retries: 0, sleep: () => Promise.resolve() }

interface ModeRow {
  name: string
  inputs: Record<string, string>
  /** The commands, by their first word: those that could carry a secret. */
  heads: string[]
}

describe('no argv holds a password or a build secret', () => {
  it.each<ModeRow>([
    {
      name: 'build, push',
      inputs: {},
      heads: ['login', 'login', 'buildx', 'logout', 'logout']
    },
    {
      name: 'build, push: false',
      inputs: { push: 'false' },
      heads: ['buildx']
    },
    {
      name: 'promote',
      inputs: { mode: 'promote', source: 'ghcr.io/octo/app:rc' },
      heads: ['login', 'login', 'buildx', 'logout', 'logout']
    },
    {
      name: 'digest',
      inputs: { mode: 'digest', platforms: 'linux/amd64' },
      heads: ['login', 'login', 'buildx', 'push', 'push', 'logout', 'logout']
    },
    {
      name: 'merge',
      inputs: { mode: 'merge', platforms: 'linux/amd64,linux/arm64' },
      heads: ['login', 'login', 'buildx', 'buildx', 'logout', 'logout']
    }
  ])('planned commands, mode $name', async ({ inputs, heads }) => {
    const { settings, plan } = await releaseRun(inputs)
    const commands = plannedCommands(settings, plan, '<metadata-file>')
    expect(commands.map(argv => argv[0])).toEqual(heads)
    expect(leaks(commands)).toEqual([])
  })

  // BUG: a `secrets` line without `id=` (e.g. `secrets: ${{ secrets.TOKEN }}`)
  // is passed through parseSettings unchecked, and plannedCommands makes
  // `id=<the whole line>` of it, so the dry-run plan prints the secret (the
  // real run refuses the line in writeSecretFiles, but only after the plan
  // was printed). Remove `.failing` once parseSettings rejects such lines.
  it('planned commands: a secrets line without id= is refused, not printed', async () => {
    const run = releaseRun({ secrets: SECRET_VALUE, push: 'false' })
    await expect(run).rejects.toThrow(/input "secrets"/)
  })
})

describe('the commands a run executes', () => {
  let tempDir = ''
  beforeEach(() => {
    tempDir = mkdtempSync(join(tmpdir(), 'secrets-argv-'))
  })
  afterEach(() => {
    rmSync(tempDir, { recursive: true, force: true })
  })

  it('login: each password on stdin, none in the argv', async () => {
    const { settings } = await releaseRun()
    const { docker, calls } = recordingDocker()
    await loginAll(docker, settings.logins, () => undefined, noRetry)
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
    await buildxBuild(docker, {
      ...plan,
      build: settings.build,
      tempDir,
      registries: ['ghcr.io']
    })
    const file = join(tempDir, 'secrets', '0-NPM_TOKEN')
    const [build] = calls.map(call => call.args)
    expect(build).toContain(`id=NPM_TOKEN,src=${file}`)
    expect(leaks([build])).toEqual([])
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
  ])('plannedCommands, mode $name', async ({ inputs }) => {
    const { settings, plan } = await releaseRun({
      ...ALL_SECRET_INPUTS,
      ...inputs
    })
    const commands = plannedCommands(settings, plan, '<metadata-file>')
    expect(leaks(commands)).toEqual([])
    expect(pemLeaks(commands)).toEqual([])
    expect(commands.flat()).toEqual(
      expect.arrayContaining([
        'id=SSH_KEY,src=<file>',
        'id=GPG_KEY,src=./keys/gpg.asc',
        'id=GH_TOKEN,env=GH_TOKEN_VAR'
      ])
    )
  })

  it.each([
    {
      name: 'buildxBuildArgs',
      build: (run: Awaited<ReturnType<typeof releaseRun>>) =>
        buildxBuildArgs({
          ...run.plan,
          build: run.settings.build,
          metadataFile: '/m',
          secretSpecs: ['id=SSH_KEY,src=/s/0', 'id=NPM_TOKEN,src=/s/1']
        })
    },
    {
      name: 'classicBuildArgs',
      build: (run: Awaited<ReturnType<typeof releaseRun>>) =>
        classicBuildArgs({ ...run.plan, build: run.settings.build }, '/iid')
    }
  ])('$name', async ({ build }) => {
    const argv = build(await releaseRun(ALL_SECRET_INPUTS))
    expect(leaks([argv])).toEqual([])
    expect(pemLeaks([argv])).toEqual([])
  })

  it('buildx build: the quoted PEM is one secret, whole in one file', async () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'secrets-pem-'))
    try {
      const { settings, plan } = await releaseRun(ALL_SECRET_INPUTS)
      const { docker, calls } = recordingDocker()
      await buildxBuild(docker, {
        ...plan,
        build: settings.build,
        tempDir,
        registries: ['ghcr.io']
      })
      const [argv] = calls.map(call => call.args)
      const file = join(tempDir, 'secrets', '0-SSH_KEY')
      expect(argv).toContain(`id=SSH_KEY,src=${file}`)
      expect(pemLeaks([argv])).toEqual([])
      expect(readFileSync(file, 'utf8')).toBe(PEM)
    } finally {
      rmSync(tempDir, { recursive: true, force: true })
    }
  })
})
