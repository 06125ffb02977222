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
 * clients), reached by BuildKit itself.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMain, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import { listTags, readJson, readManifest } from './registry-api.js'
import {
  appCommit,
  coldRunner,
  commitEnv,
  ranDependencies,
  registryBase
} from '../support/app-commits.js'
import {
  DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  builderNamed,
  type StackBuilder
} from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import {
  stackRunnerServices,
  type StackServices
} from '../support/results-service/stack-services.js'
import { loadEvent } from '../fixtures/events.js'
import {
  escape,
  later,
  runnerOn,
  undoAfterEachCase,
  userContainerBuilder,
  userRemoteBuilder,
  type UserBuilder
} from '../support/fault-runs.js'

let services: StackServices
let base = ''
let jobs = 0

beforeAll(async () => {
  services = await stackRunnerServices()
  base = registryBase(stackEnv().a)
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

/**
 * An app of its own on one builder; each run on a cold runner. `host`: the registry's name (a
 * fault proxy's); `service`: whether the runner offers GitHub's cache service.
 */
function app(builder: StackBuilder, { host = '', service = true } = {}) {
  // the base image from the same registry name (a fault proxy's), which the run logs in to
  const from = host === '' ? base : base.replace(stackEnv().a.host, host)
  const { a } = stackEnv()
  const repo = uniqueRepo('warm')
  const nonce = repo.replace(/\W/g, '-')
  const run = async (
    commit: number,
    event: Record<string, string>,
    inputs: Record<string, string> = {}
  ): Promise<StepResult> => {
    const { DOCKER_CONFIG } = runnerEnv('push-branch')
    const use = builder.use(DOCKER_CONFIG)
    coldRunner({ ...use.env, DOCKER_CONFIG }, use.builder, nonce)
    const context = appCommit({
      nonce,
      commit,
      seconds: 2,
      multiStage: true,
      base: from
    })
    const ref = event.GITHUB_REF
    return runMain(
      {
        images: `${host || a.host}/${repo}`,
        ...credentials(a),
        context,
        provenance: 'false',
        'registry-timeout': '5',
        ...use.inputs,
        ...inputs
      },
      {
        ...event,
        ...(service &&
          (await serviceEnv(ref, event.GITHUB_BASE_REF || undefined))),
        DOCKER_CONFIG,
        ...use.env
      }
    )
  }
  return { run, repo, registry: a }
}

function succeeded(step: StepResult): StepResult {
  expect(step.stdout).not.toMatch(/::error::/)
  expect(step.code).toBe(0)
  return step
}

/** The containers of builders a run made for itself: none outlives the run. */
function ownBuilderContainers(host: string): string[] {
  return execFileSync(
    'docker',
    ['-H', host, 'ps', '-a', '--format', '{{.Names}}'],
    { encoding: 'utf8' }
  )
    .split('\n')
    .filter(name => name.startsWith('buildx_buildkit_dpa-run-'))
}

const ROWS = [
  'docker 28.5 classic store',
  ...DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  'docker-container on 28.5 classic'
].map(name => ({ name, builder: builderNamed(name) }))

describe('a multi-stage app, second commit on a cold runner, no cache settings', () => {
  it.each(ROWS)(
    '$name: the build stage comes from GitHub cache service',
    async ({ builder }) => {
      const { run, repo, registry } = app(builder)
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
      const host = builder.use(runnerEnv('push-branch').DOCKER_CONFIG).engine
        .host
      expect(ownBuilderContainers(host)).toEqual([])
    }
  )

  it('a stock runner says why it makes its own builder, and what it costs', async () => {
    const { run } = app(builderNamed('docker 28.5 classic store'))
    const step = succeeded(await run(1, commitEnv(1)))
    expect(step.stdout).toMatch(
      /exports only the inline cache, which holds the final stage alone; GitHub's cache service keeps every stage \(mode=max\), at the cost of starting this builder/
    )
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
      // the export these lines ask without ignore-error is refused by the empty cache: built again
      expect(step.stdout).toMatch(
        /::warning::Cache: the build failed on its cache: .*failed to reserve cache; it runs again without its cache/
      )
      expect(await listTags(registry, repo)).toEqual(['tickets-DM-42'])
    } finally {
      await services.clearFaults()
    }
  })
})

/**
 * Two stages from scratch (or the build stage from `base`): a bridge's builder pulls no base image
 * from the stack's registries, which listen on loopback.
 */
function scratchApp(nonce: string, commit: number, base = 'scratch'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-app-'))
  writeFileSync(join(dir, 'deps.txt'), `dependencies of ${nonce}\n`)
  writeFileSync(join(dir, 'src.txt'), `commit ${commit}\n`)
  const lines = [
    `FROM ${base} AS builder`,
    'COPY deps.txt /app/',
    'FROM scratch',
    'COPY --from=builder /app/deps.txt /deps/',
    'COPY src.txt /app/'
  ]
  writeFileSync(join(dir, 'Dockerfile'), [...lines, ''].join('\n'))
  return dir
}

/**
 * Commit n of the scratch app on a user's builder, on a cold runner (the builder's own cache
 * pruned first); `host`: the registry's name (a fault proxy's); `service`: whether the runner
 * offers GitHub's cache service.
 */
async function coldCommit(
  builder: UserBuilder,
  repo: string,
  n: number,
  inputs: Record<string, string> = {},
  { host = stackEnv().a.host, service = true, base = 'scratch' } = {}
): Promise<StepResult> {
  try {
    execFileSync(
      'docker',
      ['buildx', 'prune', '-af', '--builder', builder.name],
      {
        env: { ...process.env, ...builder.env },
        stdio: 'ignore'
      }
    )
  } catch {
    // a builder never started has no container to prune (buildx says so), and no cache
  }
  const event = commitEnv(n)
  return runMain(
    {
      images: `${host}/${repo}`,
      ...credentials(stackEnv().a),
      context: scratchApp(repo, n, base),
      provenance: 'false',
      'registry-timeout': '5',
      builder: builder.name,
      ...inputs
    },
    {
      ...builder.env,
      ...event,
      ...(service && (await serviceEnv(event.GITHUB_REF)))
    }
  )
}

/**
 * A user's builder's first commit through a fault proxy of the case's own (closed after the case),
 * with no cache service; `inputs` from the proxy's host and the repository. Gives the proxy, the
 * tag's manifest before the second commit, and that commit to run once the faults are set.
 */
async function firstCommitThroughProxy(
  builder: UserBuilder,
  inputs: (host: string, repo: string) => Record<string, string> = () => ({})
) {
  const proxy = await startFaultProxy({ target: stackEnv().a.host })
  later(() => proxy.close())
  const repo = uniqueRepo('warm-user')
  const viaProxy = {
    host: proxy.host,
    service: false,
    base: base.replace(stackEnv().a.host, proxy.host)
  }
  const asked = inputs(proxy.host, repo)
  succeeded(await coldCommit(builder, repo, 1, asked, viaProxy))
  const before = await readManifest(stackEnv().a, repo, 'tickets-DM-42')
  const second = () => coldCommit(builder, repo, 2, asked, viaProxy)
  return { proxy, repo, before, second }
}

/** Whether the second commit landed: only its tag, on a manifest other than `before`. */
async function expectLanded(repo: string, before: unknown) {
  expect(await listTags(stackEnv().a, repo)).toEqual(['tickets-DM-42'])
  expect(await readManifest(stackEnv().a, repo, 'tickets-DM-42')).not.toEqual(
    before
  )
}

/** Whether the registry is as the first commit left it. */
async function expectUnchanged(repo: string, before: unknown) {
  expect(await listTags(stackEnv().a, repo)).toEqual(['tickets-DM-42'])
  expect(await readManifest(stackEnv().a, repo, 'tickets-DM-42')).toEqual(
    before
  )
}

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
    succeeded(await coldCommit(onHost, repo, 1))
    const onBridge = userContainerBuilder(runnerOn(), {
      network: 'bridge',
      bootstrap
    })
    await fault?.()
    try {
      const second = succeeded(
        await coldCommit(onBridge, repo, 2, { push: 'false' })
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

describe("a registry read that hangs inside a user's docker-container builder (no cache service)", () => {
  undoAfterEachCase()
  it.each([
    {
      read: "the cache's import",
      path: /\/e2e\/warm-user\/\w+\/manifests\/sha256:/,
      warning:
        /::warning::Cache: buildx sent no progress for \d+ s while it read the cache .*; it runs again without its cache .*, on the builder dpa-faults-\w+, its BuildKit restarted/
    },
    {
      read: "the base image's resolve",
      path: /\/app-base\/busybox\/manifests\/sha256:/,
      warning:
        /::warning::buildx sent no progress for \d+ s while it resolved \S+app-base\/busybox:latest: .*; the build runs again on the builder dpa-faults-\w+, its BuildKit restarted/
    }
  ])(
    '$read: the BuildKit is restarted, the build runs again, the release lands',
    async ({ path, warning }) => {
      const builder = userContainerBuilder(runnerOn())
      const { proxy, repo, before, second } =
        await firstCommitThroughProxy(builder)
      proxy.setFaults([
        { kind: 'hang', times: 1, match: { method: 'GET', path } }
      ])
      expect(succeeded(await second()).stdout).toMatch(warning)
      await expectLanded(repo, before)
      // the user's builder is theirs still: restarted, not removed
      expect(builder.kept()).toBe(true)
    },
    300_000
  )
})

/**
 * A user's remote builder's two commits through a fault proxy, with `inputs`; in the second,
 * `times` GETs matching `path` hang (every one where undefined).
 */
async function remoteCommitsHanging(
  path: RegExp,
  times?: number,
  inputs: Record<string, string> = {}
) {
  const { proxy, repo, before, second } = await firstCommitThroughProxy(
    await userRemoteBuilder(runnerOn(), [undefined]),
    () => inputs
  )
  proxy.setFaults([{ kind: 'hang', times, match: { method: 'GET', path } }])
  return { second: await second(), repo, before }
}

describe("a registry read of the cache that hangs inside a user's remote builder (no cache service)", () => {
  undoAfterEachCase()
  it('fails within its bound naming the builder and the registry, pushes nothing; once that BuildKit is restarted, the job run again lands', async () => {
    const builder = await userRemoteBuilder(runnerOn(), [undefined])
    const { proxy, repo, before, second } =
      await firstCommitThroughProxy(builder)
    proxy.setFaults([
      {
        kind: 'hang',
        times: 1,
        match: {
          method: 'GET',
          path: /\/e2e\/warm-user\/\w+\/manifests\/sha256:/
        }
      }
    ])
    const held = await second()
    expect(held.code).not.toBe(0)
    expect(held.stdout).toMatch(
      new RegExp(
        `::error::the build, run again without its cache, did not start within \\d+ s: ` +
          `the builder ${builder.name} still waits on the read \\(the cache's, or a layer's\\) from ` +
          `${escape(proxy.host)} .*; restart that BuildKit, then run the job again`
      )
    )
    await expectUnchanged(repo, before)
    // what the error tells the user to do: the held read ends with its BuildKit
    await builder.nodes[0].kill()
    await builder.nodes[0].start()
    succeeded(await second())
    await expectLanded(repo, before)
  }, 300_000)
})

describe("a registry cache export that hangs (the user's cache-to line)", () => {
  undoAfterEachCase()
  it('every export request to the cache hangs: one warning, the build runs again without its cache, the release lands', async () => {
    const cacheLines = (host: string, repo: string) => ({
      'cache-from': `type=registry,ref=${host}/${repo}-cache:buildcache`,
      'cache-to': `type=registry,ref=${host}/${repo}-cache:buildcache,mode=max`,
      // the push's bound, ten of them: 20 s
      'registry-timeout': '2'
    })
    const { proxy, repo, before, second } = await firstCommitThroughProxy(
      userContainerBuilder(runnerOn()),
      cacheLines
    )
    // the export asks whether each blob is there; the import reads by GET only
    proxy.setFaults([
      { kind: 'hang', match: { method: 'HEAD', path: /-cache\/blobs\// } }
    ])
    const step = succeeded(await second())
    expect(step.stdout.match(/^::warning::.*$/gm)).toEqual([
      expect.stringMatching(
        /^::warning::Cache: buildx sent no progress for \d+ s while it exported the cache, so the build was stopped; it runs again without its cache lines \(its steps from the builder's own cache\)$/
      )
    ])
    await expectLanded(repo, before)
  }, 300_000)
})

describe("a base image's resolve that hangs on a builder the step cannot renew (a remote BuildKit, dockerd's)", () => {
  undoAfterEachCase()
  const baseManifests = /\/app-base\/busybox\/manifests\//
  const ranAgain =
    /^::warning::buildx sent no progress for \d+ s while it resolved \S+app-base\/busybox:latest: \S+ did not answer \(BuildKit sets that read no deadline\); the build runs again$/m

  /** `times`: how many reads of the base hang (every one where undefined). */
  const remoteCommits = (times?: number) =>
    remoteCommitsHanging(baseManifests, times)

  it('remote: one read hangs: a warning, the build runs again on the same builder, the release lands', async () => {
    const { second, repo, before } = await remoteCommits(1)
    expect(succeeded(second).stdout).toMatch(ranAgain)
    await expectLanded(repo, before)
  }, 300_000)

  it('remote: every read hangs: it runs again once, then fails naming the registry, pushing nothing', async () => {
    const { second, repo, before } = await remoteCommits()
    expect(second.code).not.toBe(0)
    expect(second.stdout).toMatch(ranAgain)
    expect(second.stdout).toMatch(
      /::error::buildx sent no progress for \d+ s while it resolved \S+app-base\/busybox:latest: .*, so the build was stopped and nothing was pushed; re-run the job once \S+ answers/
    )
    await expectUnchanged(repo, before)
  }, 300_000)

  it("the containerd store's docker driver: one read hangs: a warning, the build runs again, the release lands", async () => {
    const proxy = await startFaultProxy({ target: stackEnv().a.host })
    try {
      const builder = builderNamed(RUNNER_CONTAINERD)
      const { run, repo } = app(builder, { host: proxy.host, service: false })
      succeeded(await run(1, commitEnv(1)))
      const before = await readManifest(stackEnv().a, repo, 'tickets-DM-42')
      // dockerd resolves a base it holds from its own store: the next runner holds none
      execFileSync(
        'docker',
        ['image', 'rm', '-f', base.replace(stackEnv().a.host, proxy.host)],
        {
          env: {
            ...process.env,
            DOCKER_HOST: builder.use(runnerEnv('push-branch').DOCKER_CONFIG)
              .engine.host
          },
          stdio: 'ignore'
        }
      )
      proxy.setFaults([
        { kind: 'hang', times: 1, match: { path: baseManifests } }
      ])
      expect(succeeded(await run(2, commitEnv(2))).stdout).toMatch(ranAgain)
      await expectLanded(repo, before)
    } finally {
      await proxy.close()
    }
  }, 300_000)
})

describe("a layer download that hangs inside a user's remote builder (cache: off)", () => {
  undoAfterEachCase()
  const ranAgain =
    /^::warning::buildx sent no progress for \d+ s while it downloaded a layer: .*; the build runs again$/m

  /**
   * With no cache lines; `times`: how many downloads of the base image's layer hang (its config is
   * the resolve's read, not a download).
   */
  async function remoteCommits(times?: number) {
    const { layers } = await readJson<{ layers: { digest: string }[] }>(
      stackEnv().a,
      'app-base/busybox',
      'manifests/latest'
    )
    const layer = new RegExp(`/app-base/busybox/blobs/${layers[0].digest}$`)
    return remoteCommitsHanging(layer, times, { cache: 'off' })
  }

  it('one download hangs: a warning, the build runs again on the same builder (the download ends with the build stopped), the release lands', async () => {
    const { second, repo, before } = await remoteCommits(1)
    expect(succeeded(second).stdout).toMatch(ranAgain)
    await expectLanded(repo, before)
  }, 300_000)

  it('every download hangs: it runs again once, then fails naming the read, pushing nothing', async () => {
    const { second, repo, before } = await remoteCommits()
    expect(second.code).not.toBe(0)
    expect(second.stdout).toMatch(ranAgain)
    expect(second.stdout).toMatch(
      /^::error::buildx sent no progress for \d+ s while it downloaded a layer: .*, so the build was stopped and nothing was pushed; re-run the job once the registry answers$/m
    )
    await expectUnchanged(repo, before)
  }, 300_000)
})

describe("the inline route on the containerd store's docker driver (no cache service)", () => {
  const builder = builderNamed(RUNNER_CONTAINERD)
  const buildLine = (stdout: string) =>
    stdout.split('\n').find(line => /^\[command\].*buildx build /.test(line))

  it("dockerd's BuildKit reads the cache through a relay, the log names the registry; a hung read of the import costs a warning, and the release lands", async () => {
    const proxy = await startFaultProxy({ target: stackEnv().a.host })
    try {
      const { run, repo } = app(builder, { host: proxy.host, service: false })
      succeeded(await run(1, commitEnv(1)))
      const cacheRef = `${proxy.host}/${repo}:tickets-DM-42`
      const warm = succeeded(await run(2, commitEnv(2)))
      expect(buildLine(warm.stdout)).toMatch(
        new RegExp(
          `--cache-from type=registry,ref=127\\.0\\.0\\.1:\\d+/${escape(repo)}:tickets-DM-42 `
        )
      )
      expect(buildLine(warm.stdout)).not.toContain(`ref=${cacheRef}`)
      // buildx's own progress names the relay; what the step says names the registry
      expect(warm.stdout).toMatch(
        new RegExp(
          `#\\d+ importing cache manifest from 127\\.0\\.0\\.1:\\d+/${escape(repo)}:tickets-DM-42`
        )
      )
      expect(warm.stdout).toMatch(
        new RegExp(
          `Cache: [1-9]\\d* of \\d+ steps cached; (.*; )?from ${escape(cacheRef)}`
        )
      )
      expect(warm.summary).toContain(`from ${cacheRef}`)

      proxy.setFaults([
        {
          kind: 'hang',
          times: 1,
          match: { method: 'GET', path: /\/e2e\/warm\/\w+\/manifests\/sha256:/ }
        }
      ])
      const before = await readManifest(stackEnv().a, repo, 'tickets-DM-42')
      const hung = succeeded(await run(3, commitEnv(3)))
      expect(hung.stdout).toMatch(
        new RegExp(
          `::warning::Cache: ${escape(proxy.host)}: GET manifests/sha256:\\w+ got no answer for 5 s; ` +
            "this run's builds go on without the cache from there"
        )
      )
      await expectLanded(repo, before)
    } finally {
      await proxy.close()
    }
  }, 300_000)
})

describe('the inline route on the classic store (no cache service)', () => {
  const builder = builderNamed('docker 28.5 classic store')
  /** Whether the engine a run built on holds `ref` (a pulled cache image is removed after). */
  const engineHolds = (ref: string) => {
    const { host } = builder.use(runnerEnv('push-branch').DOCKER_CONFIG).engine
    try {
      execFileSync('docker', ['-H', host, 'image', 'inspect', ref], {
        stdio: 'ignore'
      })
      return true
    } catch {
      return false
    }
  }

  it("the cache image's read hangs: a warning, the build goes on without it, the release lands; then a pull that works goes to the build and is removed after", async () => {
    const proxy = await startFaultProxy({ target: stackEnv().a.host })
    try {
      const { run, repo } = app(builder, { host: proxy.host, service: false })
      succeeded(await run(1, commitEnv(1)))
      const cacheRef = `${proxy.host}/${repo}:tickets-DM-42`
      proxy.setFaults([
        {
          kind: 'hang',
          times: 1,
          match: { method: 'GET', path: /\/manifests\/sha256:/ }
        }
      ])
      const before = await readManifest(stackEnv().a, repo, 'tickets-DM-42')
      // dockerd's BuildKit would wait on a hung read of its own with every build it runs, so the
      // image is pulled first, where the read is bounded
      const hung = succeeded(await run(2, commitEnv(2)))
      expect(hung.stdout).toMatch(
        new RegExp(
          `::warning::Cache: ${cacheRef.replace(/[.]/g, '\\.')} was not read \\(docker pull .* ` +
            'printed nothing new for \\d+ s and was stopped\\); the build goes on without it'
        )
      )
      const built = hung.stdout
        .split('\n')
        .find(line => /^\[command\].*buildx build /.test(line))
      expect(built).toBeDefined()
      expect(built).not.toMatch(/--cache-from/)
      expect(await listTags(stackEnv().a, repo)).toEqual(['tickets-DM-42'])
      expect(
        await readManifest(stackEnv().a, repo, 'tickets-DM-42')
      ).not.toEqual(before)
      expect(engineHolds(cacheRef)).toBe(false)

      const again = succeeded(await run(3, commitEnv(2)))
      expect(again.stdout).toMatch(/cache {5}docker pull /)
      // read this time: the build imports it from the engine, which holds it no longer after
      const read = again.stdout
        .split('\n')
        .find(line => /^\[command\].*buildx build /.test(line))
      expect(read).toContain(`--cache-from type=registry,ref=${cacheRef}`)
      expect(engineHolds(cacheRef)).toBe(false)
    } finally {
      await proxy.close()
    }
  }, 300_000)

  it.each([
    {
      read: "the cache's import",
      path: /\/e2e\/warm\/\w+\/manifests\/sha256:/,
      warning:
        /::warning::Cache: buildx sent no progress for \d+ s while it read the cache .*, on the run's own builder, made again/
    },
    {
      read: "the base image's resolve",
      path: /\/app-base\/busybox\/manifests\/sha256:/,
      warning:
        /::warning::buildx sent no progress for \d+ s while it resolved \S+app-base\/busybox:latest: .*; the build runs again on the run's own builder, made again/
    }
  ])(
    "a registry read that hangs inside the run's own builder ($read): the builder is made again, the release lands",
    async ({ path, warning }) => {
      const proxy = await startFaultProxy({ target: stackEnv().a.host })
      try {
        const { run, repo } = app(builder, { host: proxy.host, service: false })
        // the classic store exports no registry cache: the run makes its own docker-container builder
        const cache = { cache: `registry,ref=${proxy.host}/${repo}:buildcache` }
        succeeded(await run(1, commitEnv(1), cache))
        proxy.setFaults([
          { kind: 'hang', times: 1, match: { method: 'GET', path } }
        ])
        const step = succeeded(await run(2, commitEnv(2), cache))
        expect(step.stdout).toMatch(warning)
        expect(await listTags(stackEnv().a, repo)).toEqual([
          'buildcache',
          'tickets-DM-42'
        ])
        const { host } = builder.use(
          runnerEnv('push-branch').DOCKER_CONFIG
        ).engine
        expect(ownBuilderContainers(host)).toEqual([])
      } finally {
        await proxy.close()
      }
    },
    300_000
  )
})
