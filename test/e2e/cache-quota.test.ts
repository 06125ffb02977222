/**
 * GitHub's cache quotas (issue 50; SPEC 13): since 2026-01-16 the cache service takes at most 200
 * new entries a minute per repository and answers the next with 429 and Retry-After, and a cache
 * whose storage budget is spent is read-only. BuildKit's gha exporter writes one entry per blob,
 * one after the other, index last, and stops at its first error, so a mode=max matrix meets the
 * limit. Against the stand-in's 200 a minute (test/support/results-service/, its README says what
 * each rule rests on): a matrix of four apps, each exporting more than 60 entries at once, lands
 * every leg, and each leg's second commit on a cold runner reuses its build stage; a read-only
 * cache is still read, costs one warning, and is not written after its first refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMain, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import { listTags } from './registry-api.js'
import {
  coldRunner,
  commitEnv,
  ranDependencies,
  registryBase
} from '../support/app-commits.js'
import { builderNamed } from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'
import {
  stackRunnerServices,
  type StackServices
} from '../support/results-service/stack-services.js'

/** A matrix leg's layers before its dependency step: one cache entry each in mode=max. */
const LAYERS = 64
const LEGS = 4

let services: StackServices
let base = ''
let jobs = 0

beforeAll(async () => {
  services = await stackRunnerServices()
  base = registryBase(stackEnv().a)
})

afterAll(() => services.close())

/**
 * A leg's app at commit n: a build stage of `layers` files copied one by one (each a layer of its
 * own, its bytes the leg's), then the dependency step; the final stage takes what it built.
 */
function layeredApp(nonce: string, commit: number, layers: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-quota-app-'))
  const copies: string[] = []
  for (let n = 0; n < layers; n++) {
    writeFileSync(join(dir, `part-${n}.txt`), `${nonce} part ${n}\n`)
    copies.push(`COPY part-${n}.txt /app/parts/`)
  }
  const lines = [
    `FROM ${base} AS builder`,
    'WORKDIR /app',
    ...copies,
    `RUN echo installing-dependencies ${nonce} && sleep 1 && cat parts/* > /app/deps`,
    'COPY src.txt /app/',
    'RUN cat /app/src.txt > /app/built',
    `FROM ${base}`,
    'COPY --from=builder /app/deps /app/built /app/'
  ]
  writeFileSync(join(dir, 'Dockerfile'), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'src.txt'), `commit ${commit}\n`)
  return dir
}

/**
 * The stock runner (Docker 28.5's classic store, no builder): the step makes a docker-container
 * builder of its own for GitHub's cache service and removes it after, so every run starts cold, as
 * a hosted matrix leg does (no prune of a shared builder's 70 layers one by one).
 */
const builder = builderNamed('docker 28.5 classic store')

/**
 * One leg: an app of its own, each commit on a cold runner, with no cache settings, its cache in
 * `site` (a repository's cache service; the matrix's unless told).
 */
function leg(
  prefix: string,
  {
    layers = LAYERS,
    site = (): StackServices => services,
    inputs = {},
    on = builder
  } = {}
) {
  const repo = uniqueRepo(prefix)
  const nonce = repo.replace(/\W/g, '-')
  const { a } = stackEnv()
  const run = async (commit: number): Promise<StepResult> => {
    const { DOCKER_CONFIG } = runnerEnv('push-branch')
    const use = on.use(DOCKER_CONFIG)
    coldRunner({ ...use.env, DOCKER_CONFIG }, use.builder, nonce)
    const event = commitEnv(commit)
    jobs += 1
    return runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: layeredApp(nonce, commit, layers),
        provenance: 'false',
        ...use.inputs,
        ...inputs
      },
      {
        ...event,
        ...(await site().env('run-quota', `job-${jobs}`, 1, {
          ref: event.GITHUB_REF,
          defaultRef: 'refs/heads/main'
        })),
        DOCKER_CONFIG,
        ...use.env
      }
    )
  }
  return { run, repo }
}

function succeeded(step: StepResult): StepResult {
  expect(step.stdout).not.toMatch(/::error::/)
  expect(step.code).toBe(0)
  return step
}

/** The cache entries BuildKit wrote in a build: the blobs its `writing layer` lines name. */
const layersWritten = (step: StepResult): Set<string> =>
  new Set(
    [...step.stdout.matchAll(/^#\d+ writing layer (sha256:[0-9a-f]+)/gm)].map(
      ([, digest]) => digest
    )
  )

/** The blobs of the service's finalized entries (BuildKit's `buildkit-blob-<v>-<digest>` keys). */
const blobsHeld = (entries: { key: string }[]): Set<string> =>
  new Set(
    entries.flatMap(
      e => /^buildkit-blob-\d+-(sha256:[0-9a-f]+)$/.exec(e.key)?.[1] ?? []
    )
  )

/** The blobs BuildKit found missing when it imported the cache (`ERROR: blob …: not found`). */
const blobsMissed = (step: StepResult): Set<string> =>
  new Set(
    [...step.stdout.matchAll(/ERROR: blob (sha256:[0-9a-f]+): not found/g)].map(
      ([, digest]) => digest
    )
  )

/** The job's warnings: main's, and its post step's where it wrote what main left. */
const warnings = (step: StepResult): string[] =>
  `${step.stdout}\n${step.post?.stdout ?? ''}`
    .split('\n')
    .filter(line => line.startsWith('::warning::'))

/** The job's summary: main's, and its post step's. */
const jobSummary = (step: StepResult): string =>
  `${step.summary}${step.post?.summary ?? ''}`

describe("GitHub's cache quotas: 200 new entries a minute per repository", () => {
  it(`a matrix of ${LEGS} mode=max exports of more than 60 entries each lands every leg, each warm on its second commit`, async () => {
    expect((await services.cacheQuota()).perMinute).toBe(200)
    const legs = Array.from({ length: LEGS }, (_, n) => leg(`quota-${n}`))
    const first = await Promise.all(legs.map(l => l.run(1)))
    for (const step of first) {
      succeeded(step)
      expect(layersWritten(step).size).toBeGreaterThanOrEqual(60)
    }
    // the service holds them: every leg's entries finalized
    const entries = (await services.entries()).filter(e => e.finalized)
    expect(entries.length).toBeGreaterThanOrEqual(LEGS * 60)
    const quota = await services.cacheQuota()
    // the legs met the limit, and the writes waited it out off the release's path: nothing
    // read-only, no fault, no warning; the summary tells the waits
    expect(quota.throttled).toBeGreaterThan(0)
    const throttled = first.filter(step =>
      /GitHub's cache service throttled \(\d+ × 429, waited \d+ s\)/.test(
        jobSummary(step)
      )
    )
    expect(throttled.length).toBeGreaterThan(0)
    for (const step of first) {
      expect(warnings(step)).toEqual([])
      expect(jobSummary(step)).not.toMatch(/read-only|dropped/)
    }
    const second = await Promise.all(legs.map(l => l.run(2)))
    for (const [n, step] of second.entries()) {
      succeeded(step)
      expect(ranDependencies(step.stdout)).toBe(false)
      expect(await listTags(stackEnv().a, legs[n].repo)).toEqual([
        'tickets-DM-42'
      ])
    }
  }, 600_000)
})

describe('a read-only cache (its storage budget spent)', () => {
  it('is still read: the second commit is warm, one warning, nothing written after the refusal', async () => {
    // a repository of its own: only this app's runs reach its cache
    const repository = await stackRunnerServices()
    // a few layers: the refusal comes at the first new one
    const app = leg('quota-ro', { layers: 4, site: () => repository })
    succeeded(await app.run(1))
    await repository.setCacheQuota({ readOnly: true })
    try {
      await repository.takeRequests()
      const step = succeeded(await app.run(2))
      expect(ranDependencies(step.stdout)).toBe(false)
      expect(warnings(step)).toEqual([
        expect.stringMatching(
          /^::warning::Cache: GitHub's cache service is read-only for this run: CreateCacheEntry was answered 403 \(insufficient usage to create cache entry\); this run's builds still read it and write nothing more to it$/
        )
      ])
      expect(jobSummary(step)).toMatch(
        /GitHub's cache service: \d+ new entries written.*; then read-only \(CreateCacheEntry was answered 403/
      )
      const requests = await repository.takeRequests()
      const writes = requests.filter(r =>
        /CreateCacheEntry|FinalizeCacheEntryUpload|^PUT /.test(r)
      )
      // the one refusal, then no write; the lookups and blob reads went on
      expect(writes).toEqual(['POST CreateCacheEntry'])
      expect(requests).toContain('GET cache blob')
      expect((await repository.cacheQuota()).refused).toBe(1)
    } finally {
      await repository.close()
    }
  })
})

describe('a 429 on one blob', () => {
  it('drops that entry only: one warning, the summary says what was written and dropped, the next commit misses that blob alone', async () => {
    const repository = await stackRunnerServices()
    const app = leg('quota-blob', { layers: 4, site: () => repository })
    try {
      // the first blob after the index's (the writer's first) refused once; the others go on
      await repository.fault('cache blob PUT', {
        status: 429,
        after: 1,
        times: 1
      })
      const first = succeeded(await app.run(1))
      const finalized = (await repository.entries()).filter(e => e.finalized)
      const written = layersWritten(first)
      expect(warnings(first)).toEqual([
        expect.stringMatching(
          /^::warning::Cache( \(post step\))?: 1 of \d+ new entries were not written to GitHub's cache service \(a blob PUT was answered 429\); the next run builds what they held$/
        )
      ])
      expect(jobSummary(first)).toMatch(
        /GitHub's cache service: \d+ new entries written(, \d+ left to the post step)?, 1 dropped \(a blob PUT was answered 429\)/
      )
      // every layer and the index but the one refused, each whole; the index among them
      expect(finalized.length).toBe(written.size)
      expect(finalized.some(e => e.key.startsWith('index-'))).toBe(true)
      const held = blobsHeld(finalized)
      const dropped = [...written].filter(digest => !held.has(digest))
      expect(dropped).toHaveLength(1)
      const second = succeeded(await app.run(2))
      // the dropped blob is the only one the next commit misses: its steps are reused, but for
      // the chain that layer is under, built again (four entries are written at once, so the
      // refused PUT is any of the first four: a leaf's, or one the dependency step's chain needs)
      const missed = blobsMissed(second)
      expect([...missed].filter(digest => digest !== dropped[0])).toEqual([])
      expect(missed.size > 0 || /^#\d+ CACHED$/m.test(second.stdout)).toBe(true)
      expect(warnings(second)).toEqual([])
    } finally {
      await repository.close()
    }
  })
})

describe('a quota that refuses mid-export', () => {
  it('costs the release nothing: the tags move as without a cache, one warning, the summary says what was written and dropped, the next commit reuses it', async () => {
    const repository = await stackRunnerServices()
    // registry-timeout 5 s: the run's cache bound, and so the post step's, is 20 s; today's
    // runner (Docker 29.4's containerd store, docker driver), where the cache needs no builder of
    // the step's own, so that the two runs differ only in the cache
    const inputs = { 'registry-timeout': '5' }
    const on = builderNamed('docker 29.4 containerd store')
    const app = leg('quota-mid', {
      layers: 8,
      site: () => repository,
      inputs,
      on
    })
    const bare = leg('quota-bare', {
      layers: 8,
      inputs: { ...inputs, cache: 'off' },
      on
    })
    try {
      // 4 new entries a minute: the rest wait past the post step's bound
      await repository.setCacheQuota({ perMinute: 4 })
      const cached = succeeded(await app.run(1))
      const without = succeeded(await bare.run(1))
      // figures for the report, never asserted: the main step ends (tags moved, outputs set,
      // summary written) with the writes still under way
      console.log(
        `main step: with the cache ${cached.ms} ms, without ${without.ms} ms; ` +
          `post step ${cached.post?.ms ?? 0} ms`
      )
      // the main step's log: the tags moved before the cache's writes were told
      const tagged = cached.stdout.indexOf(':tickets-DM-42')
      expect(tagged).toBeGreaterThan(-1)
      expect(cached.stdout.indexOf("GitHub's cache service: ")).toBeGreaterThan(
        tagged
      )
      // one warning: the quota's, in the step that met it
      expect(warnings(cached)).toEqual([
        expect.stringMatching(
          /^::warning::Cache( \(post step\))?: .*CreateCacheEntry was answered 429/
        )
      ])
      expect(jobSummary(cached)).toMatch(
        /GitHub's cache service: \d+ new entries written(, \d+ left to the post step)?, \d+ dropped/
      )
      const finalized = (await repository.entries()).filter(e => e.finalized)
      expect(finalized.length).toBeGreaterThan(0)
      expect(finalized.some(e => e.key.startsWith('index-'))).toBe(true)
      await repository.setCacheQuota({ perMinute: 200 })
      const second = succeeded(await app.run(2))
      expect(second.stdout).toMatch(/^#\d+ CACHED$/m)
    } finally {
      await repository.close()
    }
  }, 300_000)
})
