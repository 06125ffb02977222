/**
 * Warm where users build, with GitHub's cache service (issue 36; SPEC 12): a
 * Dockerfile whose dependencies are built in a stage of their own, second
 * commit on a cold runner, with no cache settings, on a stock runner (Docker
 * 28.5's classic store, no builder: the step makes its own for type=gha), on
 * the containerd store's docker driver and on docker-container; a pull
 * request with push: false reads the default branch's cache and writes
 * nothing a push run reads; and the cache's faults cost a warning, never the
 * release. The service is the stack's stand-in
 * (test/support/results-service/, written from BuildKit's and the toolkit's
 * clients), reached by BuildKit itself. A registry that hangs inside the
 * build: hung-registry.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { uniqueRepo } from './steps.js'
import { executedLines, planLine, planOf } from './field-support.js'
import { listTags, registryState } from './registry-api.js'
import { commitEnv, ranDependencies } from '../support/app-commits.js'
import {
  DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  builderNamed
} from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'
import {
  coldCommit,
  multiStageApp,
  ownBuilderLeft,
  succeeded
} from '../support/cold-commits.js'
import {
  stackRunnerServices,
  type StackServices
} from '../support/results-service/stack-services.js'
import { loadEvent } from '../fixtures/events.js'
import {
  ownBuilder,
  runnerOn,
  undoAfterEachCase,
  userContainerBuilder
} from '../support/fault-runs.js'
import type { StackBuilder } from '../support/builders.js'

let services: StackServices
let jobs = 0

beforeAll(async () => {
  services = await stackRunnerServices()
})

afterAll(() => services.close())

/** The job's runtime token and results URL, its cache scopes those of `ref`. */
function serviceEnv(
  ref: string,
  baseRef?: string
): Promise<Record<string, string>> {
  jobs += 1
  return services.env('run-warm', `job-${jobs}`, 1, {
    ref,
    ...(baseRef && { baseRef }),
    defaultRef: 'refs/heads/main'
  })
}

/** An app of its own on one builder, each run on a cold runner that offers the cache service. */
const app = (builder: StackBuilder) => multiStageApp(builder, { serviceEnv })

const ROWS = [
  'docker 28.5 classic store',
  ...DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  'docker-container on 28.5 classic'
].map(name => ({
  name,
  builder: builderNamed(name),
  // a classic store's docker driver exports no gha cache: the step makes a builder of its own
  makesItsOwn: name.endsWith('classic store'),
  // the docker driver's layout is seeded with the layers commit 1's tag holds (its base image's)
  seeds: name === RUNNER_CONTAINERD
}))

describe('a multi-stage app, second commit on a cold runner, no cache settings', () => {
  it.each(ROWS)(
    '$name: the build stage comes from GitHub cache service',
    async ({ builder, makesItsOwn, seeds }) => {
      const { run, repo, registry, engineHost } = app(builder)
      const first = succeeded(await run(1, commitEnv(1)))
      expect(ranDependencies(first.stdout)).toBe(true)
      expect(first.stdout).toMatch(/--cache-to type=gha,version=2,mode=max/)
      const second = succeeded(await run(2, commitEnv(2)))
      expect(second.stdout).toMatch(
        /Cache:\n {2}auto: GitHub's cache service is offered/
      )
      expect(ranDependencies(second.stdout)).toBe(false)
      expect(second.summary).toMatch(/ · Cache: [1-9]\d* of \d+ steps cached/)
      // the cache is in the service, not in a tag: the registry holds the asked one
      expect(await listTags(registry, repo)).toEqual(['tickets-DM-42'])
      expect((await services.entries()).length).toBeGreaterThan(0)
      // the push beside the cache export: the image went on under the digest BuildKit told at its
      // export, which the tag holds and the outputs say once buildx ended
      const exported =
        /build: the image is exported \((sha256:[0-9a-f]{64})\); it goes on while buildx exports the cache/.exec(
          second.stdout
        )?.[1]
      expect(await registryState(registry, repo)).toEqual({
        'tickets-DM-42': exported
      })
      expect(JSON.parse(second.outputs.metadata)).toMatchObject({
        'containerimage.digest': exported
      })
      expect(
        /build: [1-9]\d* layers? not copied out of the builder/.test(
          second.stdout
        )
      ).toBe(seeds)
      // the seed's reads are steps of the run's plan, logged as it ran them: the tag list, then the
      // first tag a cache import could read (no cache import names a tag here)
      const held = planOf(second)
        .filter(entry => entry.step === 'layers')
        .map(planLine)
      expect(held.map(line => line.split(`/v2/${repo}/`)[1])).toEqual(
        seeds
          ? [
              'tags/list',
              'manifests/<cache tag> (only if the tag list holds a tag a cache import could read)'
            ]
          : []
      )
      expect(executedLines(second, ['layers'])).toEqual(held)
      // the builder each run made for itself (the stock runner's) outlives neither
      for (const step of [first, second]) {
        expect(ownBuilder(step.stdout) !== '-').toBe(makesItsOwn)
        expect(ownBuilderLeft(engineHost(), step)).toEqual([])
      }
    }
  )

  it('a stock runner says why it makes its own builder, and what it costs', async () => {
    const { run, engineHost } = app(builderNamed('docker 28.5 classic store'))
    const step = succeeded(await run(1, commitEnv(1)))
    expect(step.stdout).toMatch(
      /exports only the inline cache, which holds the final stage alone; GitHub's cache service keeps every stage \(mode=max\), at the cost of starting this builder/
    )
    // the log names the builder it made, by which the rows above find what it left
    expect(ownBuilder(step.stdout)).toMatch(/^docker-publish-\w+$/)
    expect(ownBuilderLeft(engineHost(), step)).toEqual([])
  })
})

describe('a pull request with push: false', () => {
  it("reads the default branch's cache and writes nothing a push run reads", async () => {
    const { run, repo, registry } = app(
      builderNamed('docker-container on 28.5 classic')
    )
    const main = loadEvent('push-default-branch').env
    succeeded(await run(1, main))
    const tagsBefore = await listTags(registry, repo)
    const onMain = (await services.entries('refs/heads/main')).length
    const pr = loadEvent('pull-request').env
    const step = succeeded(await run(2, pr, { push: 'false' }))
    expect(ranDependencies(step.stdout)).toBe(false)
    // no registry write, and no entry the default branch would read
    expect(await listTags(registry, repo)).toEqual(tagsBefore)
    expect((await services.entries('refs/heads/main')).length).toBe(onMain)
  })
})

describe("the cache's faults cost a warning, never the release", () => {
  const builder = builderNamed(RUNNER_CONTAINERD)
  it.each([
    {
      name: 'the cache service hangs on the lookup',
      method: 'GetCacheEntryDownloadURL',
      fault: { hang: true },
      // the relay's deadline is registry-timeout (5 s); then the cache holds nothing for the run
      warning:
        /::warning::Cache: GitHub's cache service: GetCacheEntryDownloadURL got no answer for 5 s; this run's builds go on without the cache from there/
    },
    {
      name: 'a layer download fails after a good lookup',
      method: 'cache blob GET',
      fault: { status: 503 },
      warning:
        /::warning::Cache: GitHub's cache service: a blob GET was answered 503/
    },
    {
      name: "the service throttles the export past the run's bound (429, Retry-After 30 s)",
      method: 'CreateCacheEntry',
      fault: { status: 429, retryAfter: 30 },
      // the cache bound is two registry-timeouts, at least 20 s: read, no more written
      warning:
        /::warning::Cache: GitHub's cache service is read-only for this run: CreateCacheEntry was answered 429 needing a wait of 30 s, over the run's cache bound \(20 s\)/
    }
  ])('$name', async ({ method, fault, warning }) => {
    const { run, repo, registry } = app(builder)
    succeeded(await run(1, commitEnv(1)))
    await services.fault(method, fault)
    try {
      const step = succeeded(await run(2, commitEnv(2)))
      expect(step.stdout).toMatch(warning)
      expect(await listTags(registry, repo)).toEqual(['tickets-DM-42'])
    } finally {
      await services.clearFaults()
    }
  })

  it("the user's own type=gha lines in cache-from and cache-to: a hung lookup costs a warning", async () => {
    const { run, repo, registry } = app(builder)
    const lines = { 'cache-from': 'type=gha', 'cache-to': 'type=gha,mode=max' }
    // the runner gives JavaScript actions the v2 switch buildx reads for such lines
    const runner = (n: number) => ({
      ...commitEnv(n),
      ACTIONS_CACHE_SERVICE_V2: 'True'
    })
    succeeded(await run(1, runner(1), lines))
    await services.fault('GetCacheEntryDownloadURL', { hang: true })
    try {
      const step = succeeded(await run(2, runner(2), lines))
      expect(step.stdout).toMatch(
        /::warning::Cache: GitHub's cache service: GetCacheEntryDownloadURL got no answer for 5 s/
      )
      // the export these lines ask without ignore-error is refused by the empty cache, after the
      // image's export: the image goes on as built, as with ignore-error, not built again
      expect(step.stdout).toMatch(
        /::warning::Cache: exporting to GitHub Actions Cache failed: .*failed to reserve cache; the build went on without it/
      )
      expect(step.stdout).not.toMatch(/it runs again without its cache/)
      expect(await listTags(registry, repo)).toEqual(['tickets-DM-42'])
    } finally {
      await services.clearFaults()
    }
  })
})

describe("a user's docker-container builder on the engine's bridge (setup-buildx-action's)", () => {
  undoAfterEachCase()
  /**
   * The first commit published from a builder on the host network (a bridge's builder cannot
   * push to the stack's registries on loopback), the second built with push: false on the bridge.
   */
  const secondOnBridge = async (
    bootstrap: boolean,
    fault?: () => Promise<void>
  ) => {
    const repo = uniqueRepo('warm-bridge')
    const onHost = userContainerBuilder(runnerOn())
    succeeded(await coldCommit(onHost, repo, 1, {}, { serviceEnv }))
    const onBridge = userContainerBuilder(runnerOn(), {
      network: 'bridge',
      bootstrap
    })
    await fault?.()
    try {
      const second = succeeded(
        await coldCommit(onBridge, repo, 2, { push: 'false' }, { serviceEnv })
      )
      expect(await listTags(stackEnv().a, repo)).toEqual(['tickets-DM-42'])
      return second
    } finally {
      await services.clearFaults()
    }
  }

  it("reaches the cache service through the relay on the bridge's gateway: the build stage is reused (the builder not started before the step)", async () => {
    const second = await secondOnBridge(false)
    expect(second.stdout).toMatch(/#\d+ importing cache manifest from gha:/)
    expect(second.stdout).toMatch(
      /Cache: [1-9]\d* of \d+ steps cached; (.*; )?from gha:/
    )
  })

  it('the cache service hangs on the lookup: a warning, the build passes', async () => {
    const second = await secondOnBridge(true, () =>
      services.fault('GetCacheEntryDownloadURL', { hang: true })
    )
    expect(second.stdout).toMatch(
      /::warning::Cache: GitHub's cache service: GetCacheEntryDownloadURL got no answer for 5 s/
    )
  })
})
