/**
 * Part 8: warm builds on cold runners (issue 28). An app whose dependency
 * step takes 8 s and writes 32 MB, then its sources (and a multi-stage
 * variant that builds the dependencies in a `builder` stage): commit 1, then
 * the runner made cold (this app's build cache records pruned, its images
 * removed from the engine), then commit 2, timed, on the default builder of
 * GitHub's runners (docker 28.5, classic store) and on a docker-container
 * builder, each way: ours with no cache settings; bare `docker buildx build
 * --push`; the trio's best hand-written recipe for that builder; and, on
 * docker-container, ours with `cache: local` (mode=max, the stand-in here
 * for GitHub's cache service, which auto picks on a real runner). Bytes
 * pulled for the cache: the layer downloads BuildKit reported.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  appCommit,
  coldRunner,
  commitEnv,
  ranDependencies,
  registryBase
} from '../../test/support/app-commits.js'
import { BUILDERS, type StackBuilder } from '../../test/support/builders.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { runAction } from './action.js'
import { requireDist, requireStack } from './host.js'
import { exec, measure } from './proc.js'
import { printTable, ratio } from './report.js'

const SECONDS = 8
const MEGABYTES = 32
const TAG = 'tickets-DM-42'

interface Second {
  wallMs: number
  ran: boolean
  pulledBytes: number
}

type Way = (
  commit: number,
  context: string,
  env: Record<string, string>,
  inputs: Record<string, string>
) => Promise<string>

const UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9
}

/** The bytes of the layers BuildKit reported downloading (`sha256:… 33.55MB / 33.55MB 0.4s done`). */
export function pulledBytes(output: string): number {
  let total = 0
  const done =
    /^#\d+ sha256:[0-9a-f]+ ([\d.]+)(B|kB|KB|MB|GB) \/ [\d.]+\w+ [\d.]+s done$/gm
  for (const match of output.matchAll(done))
    total += Number(match[1]) * UNITS[match[2]]
  return total
}

interface App {
  builder: StackBuilder
  registry: StackRegistry
  multiStage: boolean
  base: string
}

/** Commit 1, the runner made cold, commit 2 timed; `way` runs one commit. */
async function secondCommit(
  app: App,
  wayFor: (name: string) => Way
): Promise<Second> {
  const nonce = randomBytes(6).toString('hex')
  const name = `${app.registry.host}/bench/warm-${nonce}`
  const way = wayFor(name)
  const run = async (commit: number) => {
    const DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'dpa-bench-config-'))
    const use = app.builder.use(DOCKER_CONFIG)
    const env = { ...commitEnv(commit), DOCKER_CONFIG, ...use.env }
    coldRunner({ ...use.env, DOCKER_CONFIG }, use.builder, nonce, [
      `${name}:${TAG}`
    ])
    const context = appCommit({
      nonce,
      commit,
      seconds: SECONDS,
      megabytes: MEGABYTES,
      multiStage: app.multiStage,
      ...(use.builder !== 'default' && { base: app.base })
    })
    try {
      return await measure(() => way(commit, context, env, use.inputs))
    } finally {
      rmSync(context, { recursive: true, force: true })
    }
  }
  await run(1)
  const { cost, value } = await run(2)
  return {
    wallMs: cost.wallMs,
    ran: ranDependencies(value),
    pulledBytes: pulledBytes(value)
  }
}

/** Ours: the action, the given inputs (none: auto). */
const ours =
  (registry: StackRegistry, extra: Record<string, string>) =>
  (name: string): Way =>
  async (_commit, context, env, inputs) => {
    const { main } = await runAction(
      {
        images: name,
        username: registry.username,
        password: registry.password,
        context,
        provenance: 'false',
        ...inputs,
        ...extra
      },
      env
    )
    return main.stdout
  }

/** The bare CLI: login, `buildx build --push` with the cache flags given, logout. */
const bare =
  (registry: StackRegistry, cacheFlags: (ref: string) => string[]) =>
  (name: string): Way =>
  async (_commit, context, env, inputs) => {
    const { host, username, password } = registry
    await exec('docker', ['login', host, '-u', username, '--password-stdin'], {
      env,
      input: password
    })
    const builder = inputs.builder ? ['--builder', inputs.builder] : []
    const output = await exec(
      'docker',
      [
        'buildx',
        'build',
        ...builder,
        '--progress',
        'plain',
        '--provenance',
        'false',
        '-t',
        `${name}:${TAG}`,
        ...cacheFlags(name),
        '--push',
        context
      ],
      { env }
    )
    await exec('docker', ['logout', host], { env })
    return output
  }

const NO_CACHE = () => []
const INLINE_RECIPE = (name: string) => [
  '--cache-to',
  'type=inline',
  '--cache-from',
  `${name}:${TAG}`
]
const REGISTRY_RECIPE = (name: string) => [
  '--cache-from',
  `type=registry,ref=${name}:buildcache`,
  '--cache-to',
  `type=registry,ref=${name}:buildcache,mode=max`
]

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

function row(label: string, second: Second, bareMs: number, bestMs: number) {
  // the docker driver's BuildKit (in dockerd) prints no layer downloads
  const pulled = label.startsWith('docker ')
    ? 'not reported'
    : mb(second.pulledBytes)
  return [
    label,
    seconds(second.wallMs),
    second.ran ? 'ran again' : 'CACHED',
    pulled,
    ratio(second.wallMs / bareMs),
    ratio(second.wallMs / bestMs)
  ]
}

export async function warmCache(): Promise<void> {
  requireDist('dist/index.js')
  const registry = await requireStack()
  const base = registryBase(registry)
  const rows = [
    [
      'builder, app: way',
      'second commit (cold runner)',
      `its ${SECONDS} s step`,
      'pulled (layer downloads)',
      'vs bare',
      'vs best recipe'
    ]
  ]
  const builders = [
    {
      name: 'docker 28.5 classic store',
      best: INLINE_RECIPE,
      recipe: 'inline + cache-from the image'
    },
    {
      name: 'docker-container on 28.5 classic',
      best: REGISTRY_RECIPE,
      recipe: 'type=registry,mode=max'
    }
  ]
  for (const { name, best, recipe } of builders) {
    const builder = BUILDERS.find(b => b.name === name) as StackBuilder
    for (const multiStage of [false, true]) {
      const app = { builder, registry, multiStage, base }
      const label = `${name}, ${multiStage ? 'multi-stage' : 'one stage'}`
      const plain = await secondCommit(app, bare(registry, NO_CACHE))
      const recipeRun = await secondCommit(app, bare(registry, best))
      const auto = await secondCommit(app, ours(registry, {}))
      rows.push(
        row(
          `${label}: bare buildx --push`,
          plain,
          plain.wallMs,
          recipeRun.wallMs
        )
      )
      rows.push(
        row(
          `${label}: best recipe (${recipe})`,
          recipeRun,
          plain.wallMs,
          recipeRun.wallMs
        )
      )
      rows.push(
        row(`${label}: ours, no settings`, auto, plain.wallMs, recipeRun.wallMs)
      )
      if (name.startsWith('docker-container')) {
        const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-cache-'))
        const local = await secondCommit(
          app,
          ours(registry, { cache: `local,dir=${dir}` })
        )
        rmSync(dir, { recursive: true, force: true })
        rows.push(
          row(
            `${label}: ours, cache: local (gha's stand-in)`,
            local,
            plain.wallMs,
            recipeRun.wallMs
          )
        )
      }
    }
  }
  printTable(rows)
  console.log(
    'Goal: ours <= 0.35x bare and <= 1.10x the best recipe. On a real runner, auto on docker-container is type=gha,mode=max (not measurable here); cache: local is its stand-in.'
  )
}
