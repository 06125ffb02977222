/**
 * Part 10: warm where users build, with GitHub's cache service (issue 36).
 * The app of part 8 with its dependencies (8 s, 32 MB) built in a stage of
 * their own; commit 1, the runner made cold, commit 2 timed, each job with a
 * runtime token of a tenant of the stack's results service stand-in
 * (test/support/results-service/): ours with no cache settings against a
 * bare `docker buildx build --push`, on the stock runner (Docker 28.5's
 * classic store, no builder: the step makes its own for type=gha), the
 * containerd store's docker driver and docker-container, and against the
 * hand-written gha recipe where that builder's BuildKit exports to the service.
 * Then a pull request with push: false after a push to the default branch,
 * against a bare `docker buildx build` of the same commit. Each row again
 * under a quota that refuses mid-export. Two times per job: until the tags
 * moved (each way's own line, timed as it arrived: see warm-cache.ts), and
 * the job's whole time with the post step.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  appCommit,
  coldRunner,
  registryBase
} from '../../test/support/app-commits.js'
import {
  BUILDERS,
  DOCKER_29_CLASSIC,
  HAS_DOCKER_29,
  RUNNER_CONTAINER,
  RUNNER_CONTAINERD,
  type StackBuilder
} from '../../test/support/builders.js'
import { eventEnv } from '../../test/fixtures/events.js'
import { ROOT } from '../../test/e2e/runner.js'
import {
  stackRunnerServices,
  type StackServices
} from '../../test/support/results-service/stack-services.js'
import { requireDist, requireStack } from './host.js'
import { median, medianRatio, printTable, ratio } from './report.js'
import {
  bare,
  NO_CACHE,
  ours,
  mb,
  ranText,
  secondCommit,
  timedCommit,
  wallText,
  type NamedWay,
  type Second,
  type Way
} from './warm-cache.js'

const BUILDER_ROWS = [
  'docker 28.5 classic store',
  ...DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  'docker-container on 28.5 classic',
  ...(HAS_DOCKER_29 ? [RUNNER_CONTAINER] : [])
]

/** The rows whose engine's BuildKit exports to the service for a bare buildx (not the classic store's). */
const RECIPE_ROWS = [RUNNER_CONTAINERD, RUNNER_CONTAINER]

/** The hand-written recipe: `--cache-from type=gha --cache-to type=gha,mode=max` (the v2 service). */
const GHA_RECIPE_LABEL = 'recipe: --cache-to type=gha,mode=max'
const GHA_RECIPE = (): string[] => [
  '--cache-from',
  'type=gha,version=2',
  '--cache-to',
  'type=gha,version=2,mode=max'
]

/** Each job a token of its own, its cache scopes those of its ref. */
function served(services: StackServices, way: (name: string) => Way) {
  let jobs = 0
  return (name: string): Way => {
    const run = way(name)
    return async (commit, context, env, inputs) => {
      jobs += 1
      const job = await services.env('bench-run', `job-${jobs}`, 1, {
        ref: env.GITHUB_REF,
        ...(env.GITHUB_BASE_REF && { baseRef: env.GITHUB_BASE_REF }),
        defaultRef: 'refs/heads/main'
      })
      return run(commit, context, { ...env, ...job }, inputs)
    }
  }
}

/** New entries the quota lets commit 2 write before it refuses (429 + Retry-After). */
const QUOTA_HEADROOM = 2

/**
 * Each second commit on a tenant of its own: commit 1 under the stand-in's 200 a minute, then the
 * minute's budget set to what commit 1 wrote plus QUOTA_HEADROOM, so commit 2's export is refused
 * midway, as a `mode=max` matrix meets GitHub's quota.
 */
function underQuota(way: (name: string) => Way) {
  return (name: string): Way => {
    let tenant: StackServices | undefined
    let run: Way | undefined
    return async (commit, context, env, inputs) => {
      tenant ??= await stackRunnerServices()
      run ??= served(tenant, way)(name)
      if (commit === 1) return run(commit, context, env, inputs)
      const written = (await tenant.entries()).length
      await tenant.setCacheQuota({ perMinute: written + QUOTA_HEADROOM })
      try {
        return await run(commit, context, env, inputs)
      } finally {
        await tenant.close()
      }
    }
  }
}

/** Commit 1 one way, commit 2 another (a push to main by ours, then the pull request's way). */
const thenWay =
  (first: (name: string) => Way, second: (name: string) => Way) =>
  (name: string): Way => {
    const [one, two] = [first(name), second(name)]
    return (commit, ...rest) => (commit === 1 ? one : two)(commit, ...rest)
  }

/** A push to the default branch by ours, the runner made cold, then a pull request timed. */
async function pullRequestAfterMain(
  builder: StackBuilder,
  base: string,
  way: (name: string) => Way,
  image: (nonce: string) => string
): Promise<Second> {
  const nonce = randomBytes(6).toString('hex')
  const name = image(nonce)
  const chosen = way(name)
  const run = async (commit: number) => {
    const event = commit === 1 ? 'push-default-branch' : 'pull-request'
    const DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'dpa-bench-config-'))
    const use = builder.use(DOCKER_CONFIG)
    // read in place from ROOT: the bench's bundle cannot relocate the fixtures' folder
    const fixture = join(ROOT, `test/fixtures/events/${event}.json`)
    const env = { ...eventEnv(event, fixture), DOCKER_CONFIG, ...use.env }
    coldRunner({ ...use.env, DOCKER_CONFIG }, use.builder, nonce, [name])
    const context = appCommit({
      nonce,
      commit,
      seconds: 8,
      megabytes: 32,
      multiStage: true,
      base
    })
    try {
      return await timedCommit(() => chosen(commit, context, env, use.inputs))
    } finally {
      rmSync(context, { recursive: true, force: true })
    }
  }
  await run(1)
  const second = await run(2)
  return { ...second, pulledBytes: 0 }
}

/** The median of each round's ratio of `pick`, where both runs have it. */
function pairedRatio(
  runs: Second[],
  against: Second[] | undefined,
  pick: (run: Second) => number | undefined
): string {
  if (against === undefined) return '—'
  const pairs = runs.flatMap((run, i) => {
    const [a, b] = [pick(run), pick(against[i])]
    return a === undefined || b === undefined ? [] : [[a, b]]
  })
  if (pairs.length === 0) return '—'
  return ratio(
    medianRatio(
      pairs.map(([a]) => a),
      pairs.map(([, b]) => b)
    )
  )
}

/** One way's row: tags moved and the whole job, each with its ratios to the recipe and bare. */
function row(
  label: string,
  runs: Second[],
  { bare: bareRuns, recipe }: { bare: Second[]; recipe?: Second[] }
): string[] {
  const tags = runs.flatMap(run =>
    run.tagsMs === undefined ? [] : [run.tagsMs]
  )
  // the docker driver's BuildKit (in dockerd) prints no layer downloads
  const pulled = label.startsWith('docker ')
    ? 'not reported'
    : mb(median(runs.map(run => run.pulledBytes)))
  return [
    label,
    tags.length === 0 ? '—' : wallText(tags),
    pairedRatio(runs, recipe, run => run.tagsMs),
    wallText(runs.map(run => run.wallMs)),
    pairedRatio(runs, recipe, run => run.wallMs),
    pairedRatio(runs, bareRuns, run => run.wallMs),
    ranText(runs),
    pulled
  ]
}

/** Each way `rounds` times, alternated within a round; `measure` runs one way once. */
async function rounds(
  ways: NamedWay[],
  count: number,
  measure: (way: (name: string) => Way) => Promise<Second>
): Promise<Second[][]> {
  const runs: Second[][] = ways.map(() => [])
  for (let round = 0; round < count; round++)
    for (const [i, [, way]] of ways.entries()) runs[i].push(await measure(way))
  return runs
}

const QUOTA_LABEL = `, quota (${QUOTA_HEADROOM} new entries, then 429)`

/**
 * BENCH_PROFILE=1: each way's last second commit, every line at its time from the job's start
 * (the phase profile of docs/measured.md).
 */
function printProfile(label: string, run: Second | undefined): void {
  if (!process.env.BENCH_PROFILE || run?.lines === undefined) return
  console.log(`\n  -- ${label}: its lines, s from the job's start`)
  for (const { at, text } of run.lines)
    console.log(`  ${(at / 1000).toFixed(2).padStart(6)}  ${text}`)
}

/** `count` rounds of each way, alternated within a round; BENCH_ROWS picks rows by name. */
export async function ghaCache(count = 1): Promise<void> {
  requireDist('dist/index.js')
  const registry = await requireStack()
  const base = registryBase(registry)
  const services = await stackRunnerServices()
  const medianOf = count > 1 ? `, median of ${count}` : ''
  const table = [
    [
      'builder, app: way',
      `tags moved (from the job's start${medianOf})`,
      'vs recipe',
      `the job with its post step${medianOf}`,
      'vs recipe',
      'vs bare',
      'its 8 s step',
      'pulled (layer downloads)'
    ]
  ]
  const only = process.env.BENCH_ROWS ?? ''
  try {
    for (const name of BUILDER_ROWS)
      for (const quota of [false, true]) {
        const rowName = `${name}, multi-stage${quota ? QUOTA_LABEL : ''}`
        if (!rowName.includes(only)) continue
        const builder = BUILDERS.find(b => b.name === name) as StackBuilder
        const tenant = (way: (name: string) => Way) =>
          quota ? underQuota(way) : served(services, way)
        // the best a trio user writes by hand, where BuildKit can export to the service
        const recipe = RECIPE_ROWS.includes(name)
        const ways: NamedWay[] = [
          ['bare buildx --push', tenant(bare(registry, NO_CACHE))],
          ['ours, no settings', tenant(ours(registry, {}))],
          ...(recipe
            ? ([
                [GHA_RECIPE_LABEL, tenant(bare(registry, GHA_RECIPE))]
              ] as NamedWay[])
            : [])
        ]
        const app = {
          builder,
          registry,
          multiStage: true,
          base,
          pullBase: true
        }
        const runs = await rounds(ways, count, way => secondCommit(app, way))
        const against = { bare: runs[0], ...(recipe && { recipe: runs[2] }) }
        for (const [i, [label]] of ways.entries()) {
          table.push(row(`${rowName}: ${label}`, runs[i], against))
          printProfile(`${rowName}: ${label}`, runs[i].at(-1))
        }
      }
    const stock = BUILDERS.find(b => b.name === BUILDER_ROWS[0]) as StackBuilder
    const main = ours(registry, {})
    const image = (nonce: string) => `${registry.host}/bench/pr-${nonce}`
    for (const quota of [false, true]) {
      const rowName = `${BUILDER_ROWS[0]}, a pull request after main${quota ? QUOTA_LABEL : ''}`
      if (!rowName.includes(only)) continue
      const tenant = (way: (name: string) => Way) =>
        quota ? underQuota(way) : served(services, way)
      const pullRequest: NamedWay[] = [
        [
          'bare buildx build',
          tenant(thenWay(main, bare(registry, NO_CACHE, false)))
        ],
        [
          'ours, push: false',
          tenant(thenWay(main, ours(registry, { push: 'false' })))
        ]
      ]
      const runs = await rounds(pullRequest, count, way =>
        pullRequestAfterMain(stock, base, way, image)
      )
      for (const [i, [label]] of pullRequest.entries()) {
        table.push(row(`${rowName}: ${label}`, runs[i], { bare: runs[0] }))
        printProfile(`${rowName}: ${label}`, runs[i].at(-1))
      }
    }
  } finally {
    await services.close()
  }
  printTable(table)
  console.log(
    "Tags moved: ours at the end of the log group of its last tag PUT, buildx at its `pushing manifest for …:<tag>@… done`, each line timed as it arrived (a registry poll would cost a bcrypt of the htpasswd login per request on these 2 cores). Goal: tags <= 1.0x and the job <= 1.1x the recipe on the two Docker 29 rows; ours <= 0.35x bare on the stock runner's pull request. GitHub's cache service is the stack's stand-in (written from BuildKit's and the toolkit's clients); only a real runner proves the real service's speed."
  )
}
