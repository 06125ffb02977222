/**
 * The builder read from buildx's own files (no buildx process) is the one
 * the REAL `docker buildx inspect` reports, for the states the real
 * `docker buildx create` and `buildx use` leave, setup-buildx-action's
 * among them; where the files do not tell, `buildx inspect` is asked. Then
 * a dry run of dist/index.js with setup-buildx's builder and no docker on
 * PATH: the builder is known all the same. The builders are never started
 * (no buildkitd runs here): `buildx create` only writes files.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  knownBuilder,
  parseInspect
} from '../../src/buildx/builder-detection.js'
import { loadEvent } from '../fixtures/events.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv } from '../support/stack-env.js'
import { runMain } from './runner.js'

const { classicDockerHost } = stackEnv()
const folders: string[] = []

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true })
})

/** A docker config folder of its own, with the engine docker uses by default. */
function dockerConfig(): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-buildx-files-'))
  folders.push(dir)
  writeFileSync(join(dir, 'config.json'), '{}')
  return {
    dir,
    env: { DOCKER_CONFIG: dir, DOCKER_HOST: '', BUILDX_CONFIG: '' }
  }
}

/** The real docker CLI; a failure throws with what it said. */
async function docker(args: string[], env: Record<string, string>) {
  const result = await runDocker(args, { env })
  if (result.code !== 0)
    throw new Error(`docker ${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}

const container = (name: string) => [
  'buildx',
  'create',
  '--name',
  name,
  '--driver',
  'docker-container'
]

interface Case {
  name: string
  /** docker commands run in the config folder, with extra env each. */
  setup: { args: string[]; env?: Record<string, string> }[]
  input?: string
  /** The run's env besides the config folder. */
  env?: Record<string, string>
  /** Whether the files tell (else buildx is asked). */
  known: boolean
}

describe("buildx's files against the real buildx inspect", () => {
  it.each<Case>([
    {
      name: 'setup-buildx-action: buildx create --use',
      setup: [{ args: [...container('dpa-setup'), '--use'] }],
      known: true
    },
    {
      name: 'the builder input names a created builder',
      setup: [{ args: container('dpa-named') }],
      input: 'dpa-named',
      known: true
    },
    {
      name: 'the builder input in capitals',
      setup: [{ args: container('DPA-Caps') }],
      input: 'DPA-Caps',
      known: true
    },
    {
      name: 'BUILDX_BUILDER names a created builder',
      setup: [{ args: container('dpa-env') }],
      env: { BUILDX_BUILDER: 'dpa-env' },
      known: true
    },
    {
      name: 'a remote builder made current',
      setup: [
        {
          args: [
            'buildx',
            'create',
            '--name',
            'dpa-remote',
            '--driver',
            'remote',
            '--use',
            'tcp://127.0.0.1:1234'
          ]
        }
      ],
      known: true
    },
    {
      name: 'buildx use default after a builder was made current',
      setup: [
        { args: [...container('dpa-setup'), '--use'] },
        { args: ['buildx', 'use', 'default'] }
      ],
      known: true
    },
    {
      name: 'buildx use --global, asked for another engine',
      setup: [
        { args: container('dpa-global') },
        { args: ['buildx', 'use', '--global', 'dpa-global'] }
      ],
      env: { DOCKER_HOST: classicDockerHost },
      known: true
    },
    {
      name: 'a builder created as "Default", nothing chosen: buildx takes it',
      setup: [{ args: container('Default') }],
      known: true
    },
    {
      name: 'buildx use --default',
      setup: [
        { args: container('dpa-default') },
        { args: ['buildx', 'use', '--default', 'dpa-default'] }
      ],
      known: true
    },
    {
      name: 'another docker context: buildx is asked',
      setup: [
        {
          args: [
            'context',
            'create',
            'dpa-context',
            '--docker',
            `host=${classicDockerHost}`
          ]
        }
      ],
      env: { DOCKER_CONTEXT: 'dpa-context' },
      known: false
    },
    {
      name: 'made current for another engine: buildx is asked',
      setup: [
        {
          args: [...container('dpa-other'), '--use'],
          env: { DOCKER_HOST: classicDockerHost }
        }
      ],
      known: false
    },
    {
      name: 'a docker context name as the builder: buildx is asked',
      setup: [],
      input: 'default',
      known: false
    }
  ])('$name', async ({ setup, input = '', env = {}, known }) => {
    const config = dockerConfig()
    for (const step of setup)
      await docker(step.args, { ...config.env, ...step.env })
    const runEnv = { ...config.env, ...env }
    // read first: buildx inspect may rewrite buildx/current
    const fromFiles = knownBuilder(input, {
      configDir: config.dir,
      env: runEnv
    })
    const inspected = parseInspect(
      await docker(
        ['buildx', 'inspect', ...(input === '' ? [] : [input])],
        runEnv
      )
    )
    expect(fromFiles).toEqual(known ? inspected : undefined)
  })
})

describe("a dry run with setup-buildx-action's builder", () => {
  it('knows the builder with no docker to ask, and plans its push by digest', async () => {
    const config = dockerConfig()
    await docker([...container('dpa-setup'), '--use'], config.env)
    const noDocker = mkdtempSync(join(tmpdir(), 'dpa-no-docker-'))
    folders.push(noDocker)
    const step = await runMain(
      {
        images: 'ghcr.io/acme/webapp',
        'dry-run': 'true',
        context: 'test/fixtures/contexts/hello'
      },
      { ...loadEvent('push-tag').env, ...config.env, PATH: noDocker }
    )
    expect(step.code).toBe(0)
    expect(step.stdout).toContain(
      'Builder: dpa-setup (driver docker-container)'
    )
    expect(step.stdout).not.toContain('::warning::')
    const build = JSON.parse(step.outputs.plan) as {
      step: string
      argv?: string[]
    }[]
    const argv = build.find(s => s.step === 'build')?.argv ?? []
    expect(argv.slice(0, 3)).toEqual(['buildx', 'build', '--builder'])
    expect(argv[3]).toBe('dpa-setup')
    expect(argv.join(' ')).toContain('push-by-digest=true')
  })
})
