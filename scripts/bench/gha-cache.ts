/**
 * Part 10: warm where users build, with GitHub's cache service (issue 36).
 * The app of part 8 with its dependencies (8 s, 32 MB) built in a stage of
 * their own; commit 1, the runner made cold, commit 2 timed, each job with a
 * runtime token of a tenant of the stack's results service stand-in
 * (test/support/results-service/): ours with no cache settings against a
 * bare `docker buildx build --push`, on the stock runner (Docker 28.5's
 * classic store, no builder: the step makes its own for type=gha), the
 * containerd store's docker driver and docker-container. Then a pull request
 * with push: false after a push to the default branch, against a bare
 * `docker buildx build` of the same commit.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  appCommit,
  coldRunner,
  ranDependencies,
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
import { measure } from './proc.js'
import { printTable } from './report.js'
import {
  bare,
  NO_CACHE,
  ours,
  row,
  secondCommit,
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

/** A push to the default branch by ours, the runner made cold, then a pull request timed. */
async function pullRequestAfterMain(
  builder: StackBuilder,
  base: string,
  first: (name: string) => Way,
  way: (name: string) => Way,
  image: (nonce: string) => string
): Promise<Second> {
  const nonce = randomBytes(6).toString('hex')
  const name = image(nonce)
  const run = async (
    commit: number,
    chosen: Way,
    event: 'push-default-branch' | 'pull-request'
  ) => {
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
      return await measure(() => chosen(commit, context, env, use.inputs))
    } finally {
      rmSync(context, { recursive: true, force: true })
    }
  }
  await run(1, first(name), 'push-default-branch')
  const { cost, value } = await run(2, way(name), 'pull-request')
  return { wallMs: cost.wallMs, ran: ranDependencies(value), pulledBytes: 0 }
}

/** `rounds` times each way, alternated within a round. */
export async function ghaCache(rounds = 1): Promise<void> {
  requireDist('dist/index.js')
  const registry = await requireStack()
  const base = registryBase(registry)
  const services = await stackRunnerServices()
  const rows = [
    [
      'builder, app: way',
      `second commit (cold runner${rounds > 1 ? `, median of ${rounds}` : ''})`,
      'its 8 s step',
      'pulled (layer downloads)',
      'vs bare',
      'vs recipe'
    ]
  ]
  try {
    const only = process.env.BENCH_ROWS ?? ''
    for (const name of BUILDER_ROWS.filter(n => n.includes(only))) {
      const builder = BUILDERS.find(b => b.name === name) as StackBuilder
      // the best a trio user writes by hand, where BuildKit can export to the service
      const recipe = RECIPE_ROWS.includes(name)
      const ways: NamedWay[] = [
        ['bare buildx --push', served(services, bare(registry, NO_CACHE))],
        ['ours, no settings', served(services, ours(registry, {}))],
        ...(recipe
          ? ([
              [GHA_RECIPE_LABEL, served(services, bare(registry, GHA_RECIPE))]
            ] as NamedWay[])
          : [])
      ]
      const app = { builder, registry, multiStage: true, base, pullBase: true }
      const runs: Second[][] = ways.map(() => [])
      for (let round = 0; round < rounds; round++)
        for (const [i, [, way]] of ways.entries())
          runs[i].push(await secondCommit(app, way))
      for (const [i, [label]] of ways.entries()) {
        const line = row(`${name}, multi-stage: ${label}`, runs[i], [
          runs[0],
          ...(recipe ? [runs[2]] : [])
        ])
        rows.push(recipe ? line : [...line, '—'])
      }
    }
    const stock = BUILDERS.find(b => b.name === BUILDER_ROWS[0]) as StackBuilder
    const main = served(services, ours(registry, {}))
    const pullRequest: NamedWay[] = [
      ['bare buildx build', served(services, bare(registry, NO_CACHE, false))],
      ['ours, push: false', served(services, ours(registry, { push: 'false' }))]
    ]
    const runs: Second[][] = pullRequest.map(() => [])
    const image = (nonce: string) => `${registry.host}/bench/pr-${nonce}`
    for (let round = 0; round < rounds; round++)
      for (const [i, [, way]] of pullRequest.entries())
        runs[i].push(await pullRequestAfterMain(stock, base, main, way, image))
    for (const [i, [label]] of pullRequest.entries())
      rows.push(
        row(
          `${BUILDER_ROWS[0]}, a pull request after main: ${label}`,
          runs[i],
          [runs[0]]
        ).concat('—')
      )
  } finally {
    await services.close()
  }
  printTable(rows)
  console.log(
    "Goal: ours <= 0.35x bare on every row. GitHub's cache service is the stack's stand-in (written from BuildKit's and the toolkit's clients); only a real runner proves the real service's speed."
  )
}
