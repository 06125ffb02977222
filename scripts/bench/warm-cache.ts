/**
 * Part 8: warm builds on cold runners (issue 28). An app whose dependency
 * step takes 8 s and writes 32 MB, then its sources (and a multi-stage
 * variant that builds the dependencies in a `builder` stage): commit 1, then
 * the runner made cold (this app's build cache records pruned, its images
 * removed from the engine), then commit 2, timed, on the default builder of
 * GitHub's runners (docker 28.5, classic store), on Docker 29's default (the
 * containerd store, whose cache import the run relays) and on a
 * docker-container builder, each way: ours with no cache settings; bare `docker buildx build
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
import {
  BUILDERS,
  DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  type StackBuilder
} from '../../test/support/builders.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { runAction } from './action.js'
import { requireDist, requireStack } from './host.js'
import { exec, measure, timedLines, type TimedLine } from './proc.js'
import { median, medianRatio, printTable, ratio } from './report.js'
import { runTrio, startApiStandIn, trioDir } from './trio.js'

const SECONDS = 8
const MEGABYTES = 32
const TAG = 'tickets-DM-42'

export interface Second {
  wallMs: number
  /** From the job's start until the asked tags were in the registry, where the way tells. */
  tagsMs?: number
  /** Its output's lines, each at its ms from the job's start, where the way timed them. */
  lines?: TimedLine[]
  ran: boolean
  pulledBytes: number
}

/** One commit's run: its output and, where the way tells, when its tags were in the registry. */
export interface WayRun {
  output: string
  /** performance.now() when the line that says the tags are in arrived. */
  tagsMovedAt?: number
  /** Its lines, each as it arrived (performance.now()). */
  lines?: TimedLine[]
}

export type Way = (
  commit: number,
  context: string,
  env: Record<string, string>,
  inputs: Record<string, string>
) => Promise<WayRun>

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

export interface App {
  builder: StackBuilder
  registry: StackRegistry
  multiStage: boolean
  base: string
  /** The base from the registry on the docker driver too (a builder the step makes needs it). */
  pullBase?: boolean
}

/** Commit 1, the runner made cold, commit 2 timed; `way` runs one commit. */
export async function secondCommit(
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
      ...((use.builder !== 'default' || app.pullBase) && { base: app.base })
    })
    try {
      return await timedCommit(() => way(commit, context, env, use.inputs))
    } finally {
      rmSync(context, { recursive: true, force: true })
    }
  }
  await run(1)
  return run(2)
}

/** One commit's job measured: its whole time, and the time until its tags moved where told. */
export async function timedCommit(job: () => Promise<WayRun>): Promise<Second> {
  const started = performance.now()
  const { cost, value } = await measure(job)
  return {
    wallMs: cost.wallMs,
    ...(value.tagsMovedAt !== undefined && {
      tagsMs: value.tagsMovedAt - started
    }),
    ...(value.lines && {
      lines: value.lines.map(line => ({ ...line, at: line.at - started }))
    }),
    ran: ranDependencies(value.output),
    pulledBytes: pulledBytes(value.output)
  }
}

/**
 * When ours moved its tags: the end of the log group of its last `tag PUT` line (printed as the
 * PUT starts; the group ends once every tag PUT is answered, buildx's cache export lines between).
 */
function oursTagsMovedAt(lines: TimedLine[]): number | undefined {
  const tagLines = lines.flatMap((line, i) =>
    /^tag +PUT /.test(line.text) ? [i] : []
  )
  const last = tagLines.at(-1)
  if (last === undefined) return undefined
  return lines.slice(last).find(line => line.text === '::endgroup::')?.at
}

/** When buildx's push of the tag's manifest was done (`#12 pushing manifest for …:tag@sha256:… 0.0s done`). */
function pushedManifestAt(lines: TimedLine[], tag: string): number | undefined {
  const done = new RegExp(
    `^#\\d+ pushing manifest for \\S+:${tag}@sha256:[0-9a-f]+ .*done$`
  )
  return lines.filter(line => done.test(line.text)).at(-1)?.at
}

/** Ours: the action, the given inputs (none: auto). */
export const ours =
  (registry: StackRegistry, extra: Record<string, string>) =>
  (name: string): Way =>
  async (_commit, context, env, inputs) => {
    const { lines, onLine } = timedLines()
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
      env,
      onLine
    )
    return { output: main.stdout, tagsMovedAt: oursTagsMovedAt(lines), lines }
  }

/** The bare CLI: login, `buildx build --push` with the cache flags given, logout. */
export const bare =
  (
    registry: StackRegistry,
    cacheFlags: (ref: string) => string[],
    push = true
  ) =>
  (name: string): Way =>
  async (_commit, context, env, inputs) => {
    const { host, username, password } = registry
    await exec('docker', ['login', host, '-u', username, '--password-stdin'], {
      env,
      input: password
    })
    const builder = inputs.builder ? ['--builder', inputs.builder] : []
    const { lines, onLine } = timedLines()
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
        ...(push ? ['--push'] : []),
        context
      ],
      { env, onLine }
    )
    await exec('docker', ['logout', host], { env })
    return { output, tagsMovedAt: pushedManifestAt(lines, TAG), lines }
  }

/** The trio's three actions with the recipe's cache lines as build-push-action's inputs. */
const trio =
  (
    registry: StackRegistry,
    dir: string,
    apiUrl: string,
    cacheFlags: (ref: string) => string[]
  ) =>
  (name: string): Way =>
  async (_commit, context, env, inputs) => {
    const flags = cacheFlags(name)
    const cache = Object.fromEntries(
      flags.flatMap((flag, i) =>
        i % 2 === 0 ? [[flag.slice(2), flags[i + 1]]] : []
      )
    )
    const output = await runTrio(
      dir,
      apiUrl,
      {
        image: name,
        tag: TAG,
        registry,
        build: {
          context,
          provenance: 'false',
          ...(inputs.builder ? { builder: inputs.builder } : {}),
          ...cache
        }
      },
      env
    )
    return { output }
  }

export const NO_CACHE = (): string[] => []
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
export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`

/** "1.6 s (1.5–1.8 s)": the median second commit and its spread over the rounds. */
export function wallText(walls: number[]): string {
  if (walls.length === 1) return seconds(walls[0])
  const low = seconds(Math.min(...walls)).replace(' s', '')
  return `${seconds(median(walls))} (${low}–${seconds(Math.max(...walls))})`
}

export function ranText(runs: Second[]): string {
  const ran = runs.filter(run => run.ran).length
  if (ran === 0) return 'CACHED'
  return ran === runs.length
    ? 'ran again'
    : `ran again in ${ran} of ${runs.length}`
}

export type NamedWay = [label: string, way: (image: string) => Way]

/** One way's row: medians over the rounds, ratios the median of each round's pair. */
export function row(label: string, runs: Second[], against: Second[][]) {
  const walls = runs.map(run => run.wallMs)
  // the docker driver's BuildKit (in dockerd) prints no layer downloads
  const pulled = label.startsWith('docker ')
    ? 'not reported'
    : mb(median(runs.map(run => run.pulledBytes)))
  const ratios = against.map(other =>
    ratio(
      medianRatio(
        walls,
        other.map(run => run.wallMs)
      )
    )
  )
  return [label, wallText(walls), ranText(runs), pulled, ...ratios]
}

/** `rounds` times each way, alternated within a round, on each builder and app. */
export async function warmCache(rounds = 1): Promise<void> {
  requireDist('dist/index.js')
  const registry = await requireStack()
  const base = registryBase(registry)
  const rows = [
    [
      'builder, app: way',
      `second commit (cold runner${rounds > 1 ? `, median of ${rounds}` : ''})`,
      `its ${SECONDS} s step`,
      'pulled (layer downloads)',
      'vs bare',
      'vs best recipe (CLI)'
    ]
  ]
  const builders = [
    {
      name: 'docker 28.5 classic store',
      best: INLINE_RECIPE,
      recipe: 'inline + cache-from the image'
    },
    ...DOCKER_29_CLASSIC.map(name => ({
      name,
      best: INLINE_RECIPE,
      recipe: 'inline + cache-from the image'
    })),
    {
      name: RUNNER_CONTAINERD,
      best: INLINE_RECIPE,
      recipe: 'inline + cache-from the image'
    },
    {
      name: 'docker-container on 28.5 classic',
      best: REGISTRY_RECIPE,
      recipe: 'type=registry,mode=max'
    }
  ]
  const trioFolder = trioDir()
  const api = trioFolder === undefined ? undefined : await startApiStandIn()
  if (trioFolder !== undefined) rows[0].push("vs the trio's actions")
  const cacheDirs: string[] = []
  // cache: local, a folder of its own each time (GitHub's cache service's stand-in)
  const localCache = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-cache-'))
    cacheDirs.push(dir)
    return ours(registry, { cache: `local,dir=${dir}` })(name)
  }
  try {
    for (const { name, best, recipe } of builders) {
      const builder = BUILDERS.find(b => b.name === name) as StackBuilder
      const ways: NamedWay[] = [
        ['bare buildx --push', bare(registry, NO_CACHE)],
        [`best recipe (${recipe})`, bare(registry, best)],
        ['ours, no settings', ours(registry, {})]
      ]
      if (trioFolder !== undefined && api !== undefined)
        ways.push([
          `the trio's actions (${recipe})`,
          trio(registry, trioFolder, api.url, best)
        ])
      if (name.startsWith('docker-container'))
        ways.push(["ours, cache: local (gha's stand-in)", localCache])
      for (const multiStage of [false, true]) {
        const app = { builder, registry, multiStage, base }
        const label = `${name}, ${multiStage ? 'multi-stage' : 'one stage'}`
        const runs: Second[][] = ways.map(() => [])
        for (let round = 0; round < rounds; round++)
          for (const [i, [, way]] of ways.entries())
            runs[i].push(await secondCommit(app, way))
        // bare, the recipe by the CLI, and the trio's actions where they ran
        const trioAt = ways.findIndex(([way]) => way.startsWith("the trio's"))
        const against = [
          runs[0],
          runs[1],
          ...(trioAt < 0 ? [] : [runs[trioAt]])
        ]
        for (const [i, [wayLabel]] of ways.entries())
          rows.push(row(`${label}: ${wayLabel}`, runs[i], against))
      }
    }
  } finally {
    api?.server.close()
    for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true })
  }
  printTable(rows)
  if (trioFolder === undefined)
    console.log(
      "The trio's own actions (metadata-action, login-action, build-push-action) are left out: BENCH_TRIO_DIR names a folder with their dist/ bundles, which this repository does not hold."
    )
  console.log(
    'Goal: ours <= 0.35x bare and <= 1.10x the best recipe. On a real runner, auto on docker-container is type=gha,mode=max (not measurable here); cache: local is its stand-in.'
  )
}
