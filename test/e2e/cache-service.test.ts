/**
 * BuildKit's own gha cache client (go-actions-cache's v2 path, as BuildKit
 * v0.25.2 vendors it) against the cache service v2 stand-in
 * (test/support/results-service/cache.ts), through `docker buildx build
 * --cache-to/--cache-from type=gha` with ACTIONS_RESULTS_URL and
 * ACTIONS_RUNTIME_TOKEN in buildx's env (buildx >= 0.21 hands them to
 * BuildKit): a build's cache exported, the builder's records of it pruned, and
 * the next build's RUN step CACHED from the service; then the faults as
 * BuildKit meets them, on a builder of this file's own.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it
} from '@jest/globals'
import { createHash, randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  coldRunner,
  ranDependencies,
  registryBase
} from '../support/app-commits.js'
import {
  BUILDERS,
  RUNNER_CONTAINER,
  RUNNER_CONTAINERD
} from '../support/builders.js'
import { runDocker, type DockerResult } from '../support/docker-cli.js'
import {
  stackRunnerServices,
  type StackServices
} from '../support/results-service/stack-services.js'
import type { CacheRefs } from '../support/results-service/server.js'
import { stackEnv } from '../support/stack-env.js'

let service: StackServices
let registryImage = ''

beforeAll(async () => {
  service = await stackRunnerServices()
  registryImage = registryBase(stackEnv().a)
})
afterAll(() => service.close())
afterEach(() => service.clearFaults())

/** Where a build runs: the builder's name and the env (a docker config of its own) that reaches it. */
interface BuilderAt {
  builder: string
  env: Record<string, string>
}

/** The stack's builder `name`, with a docker config logged in to registry A (the base image's). */
async function stackBuilder(name: string): Promise<BuilderAt> {
  const builder = BUILDERS.find(b => b.name === name)
  if (builder === undefined) throw new Error(`no builder ${name} in the stack`)
  const dockerConfig = mkdtempSync(join(tmpdir(), 'dpa-gha-config-'))
  const use = builder.use(dockerConfig)
  const env = { ...use.env, DOCKER_CONFIG: dockerConfig }
  const { a } = stackEnv()
  const login = ['login', '-u', a.username, '--password-stdin', a.host]
  expect((await runDocker(login, { env, input: a.password })).code).toBe(0)
  return { builder: use.builder, env }
}

/**
 * A docker-container builder (network=host, the stack's BuildKit image) of its
 * own on the runner's containerd engine, in a buildx state of its own: a hung
 * cache request wedges its daemon and 429s slow every gha call of it, which
 * must reach no other test's builds.
 */
async function ownBuilder(): Promise<BuilderAt & { remove(): Promise<void> }> {
  const engine = await stackBuilder(RUNNER_CONTAINERD)
  const env = {
    ...engine.env,
    BUILDX_CONFIG: mkdtempSync(join(tmpdir(), 'dpa-gha-buildx-'))
  }
  const builder = `dpa-gha-${randomUUID().slice(0, 8)}`
  const created = await runDocker(
    [
      'buildx',
      'create',
      '--name',
      builder,
      '--driver',
      'docker-container',
      '--driver-opt',
      'image=moby/buildkit:buildx-stable-1,network=host',
      '--bootstrap'
    ],
    { env }
  )
  expect(created.stderr).not.toMatch(/ERROR/)
  const remove = async () => {
    await runDocker(['buildx', 'rm', '-f', builder], { env })
  }
  return { builder, env, remove }
}

/**
 * A two-stage app of its own (its nonce in every step, so a cold runner drops
 * all of it) on `at`, and its gha cache scope.
 */
function app(at: BuilderAt) {
  const nonce = `gha-${randomUUID().slice(0, 8)}`
  const base = at.builder === 'default' ? 'local/busybox:latest' : registryImage
  const context = mkdtempSync(join(tmpdir(), 'dpa-gha-app-'))
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      `FROM ${base} AS build`,
      `RUN echo installing-dependencies ${nonce} && head -c 3000000 /dev/urandom > /out`,
      `FROM ${base}`,
      `COPY --from=build /out /deps-${nonce}`,
      ''
    ].join('\n')
  )
  /** One build as a job on `refs` (the default branch unless told): `cache` its --cache-* flags. */
  const build = async (
    cache: string[],
    options: {
      refs?: CacheRefs
      env?: Record<string, string>
      output?: string
      killAfterMs?: number
    } = {}
  ) =>
    runDocker(
      [
        'buildx',
        'build',
        '--builder',
        at.builder,
        '--progress',
        'plain',
        '--output',
        options.output ?? 'type=cacheonly',
        ...cache,
        context
      ],
      {
        env: {
          ...at.env,
          ...(await service.env(nonce, randomUUID(), 1, options.refs)),
          ...options.env
        },
        ...(options.killAfterMs !== undefined && {
          killAfterMs: options.killAfterMs
        })
      }
    )
  const cold = () => coldRunner(at.env, at.builder, nonce)
  return { build, cold, scope: nonce, gha: `type=gha,version=2,scope=${nonce}` }
}

/** BuildKit's index key of a scope's cache written under `ref` (gha.go: the ref's digest, 8 hex digits). */
const indexKey = (scope: string, ref: string) =>
  `index-${scope}-1-${createHash('sha256').update(ref).digest('hex').slice(0, 8)}#1`

/** The build's RUN step was taken from the cache. */
const cachedRun = (build: DockerResult) =>
  /#(\d+) \[build 2\/2\] RUN [^\n]*\n#\1 CACHED/.test(build.stderr)

function passed(build: DockerResult): DockerResult {
  expect(build.stderr).not.toMatch(/ERROR/)
  expect(build.code).toBe(0)
  return build
}

/** An app on `at` whose cache a job on the default branch exported, its builder then made cold. */
async function exported(at: BuilderAt) {
  const run = app(at)
  const build = passed(await run.build(['--cache-to', `${run.gha},mode=max`]))
  expect(ranDependencies(build.stderr)).toBe(true)
  run.cold()
  return run
}

/** A local output folder: the build needs its layers' bytes. */
const localOutput = () =>
  `type=local,dest=${mkdtempSync(join(tmpdir(), 'dpa-gha-out-'))}`

describe("BuildKit's gha cache (v2) round trip through the stand-in", () => {
  it.each([RUNNER_CONTAINER, RUNNER_CONTAINERD])(
    '%s: exported, pruned, imported: the RUN step CACHED',
    async name => {
      const run = await exported(await stackBuilder(name))
      const finalized = (await service.entries('refs/heads/main')).filter(
        e => e.finalized
      )
      expect(finalized.map(e => e.key)).toEqual(
        expect.arrayContaining([
          indexKey(run.scope, 'refs/heads/main'),
          expect.stringMatching(/^buildkit-blob-1-sha256:[0-9a-f]{64}$/)
        ])
      )
      expect(
        cachedRun(passed(await run.build(['--cache-from', run.gha])))
      ).toBe(true)
      // the control: pruned and built without the service, the step runs again
      run.cold()
      expect(ranDependencies(passed(await run.build([])).stderr)).toBe(true)
    }
  )

  it('ACTIONS_CACHE_SERVICE_V2=1 in place of version=2: the same round trip', async () => {
    const run = app(await stackBuilder(RUNNER_CONTAINER))
    const gha = `type=gha,scope=${run.scope}`
    const env = { ACTIONS_CACHE_SERVICE_V2: '1' }
    passed(await run.build(['--cache-to', `${gha},mode=max`], { env }))
    run.cold()
    expect(
      cachedRun(passed(await run.build(['--cache-from', gha], { env })))
    ).toBe(true)
  })

  it("a pull request's build reads the default branch's cache and writes under its merge ref", async () => {
    const run = await exported(await stackBuilder(RUNNER_CONTAINER))
    const refs = { ref: 'refs/pull/7/merge', baseRef: 'refs/heads/main' }
    const cache = ['--cache-from', run.gha, '--cache-to', `${run.gha},mode=max`]
    expect(cachedRun(passed(await run.build(cache, { refs })))).toBe(true)
    const indexes = (await service.entries('refs/pull/7/merge'))
      .map(e => e.key)
      .filter(key => key.startsWith('index-'))
    expect(indexes).toEqual([indexKey(run.scope, 'refs/pull/7/merge')])
  })
})

describe('faults as BuildKit meets them', () => {
  let own: Awaited<ReturnType<typeof ownBuilder>>
  beforeAll(async () => {
    own = await ownBuilder()
  })
  afterAll(() => own.remove())

  it('a 503 on CreateCacheEntry fails the build; with ignore-error=true it passes', async () => {
    const run = app(own)
    await service.fault('CreateCacheEntry', { status: 503 })
    const failed = await run.build(['--cache-to', `${run.gha},mode=max`])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('error writing layer blob: unavailable')
    const ignored = await run.build([
      '--cache-to',
      `${run.gha},mode=max,ignore-error=true`
    ])
    expect(ignored.code).toBe(0)
  })

  it('a 503 on the lookup drops the import: the step runs, the build passes', async () => {
    const run = await exported(own)
    await service.fault('GetCacheEntryDownloadURL', { status: 503 })
    const build = await run.build(['--cache-from', run.gha])
    expect(build.code).toBe(0)
    expect(ranDependencies(build.stderr)).toBe(true)
  })

  it('429s are waited out (1 s, doubling) within timeout=, and fail the export past it', async () => {
    const run = app(own)
    await service.fault('CreateCacheEntry', {
      status: 429,
      retryAfter: 1,
      times: 2
    })
    passed(await run.build(['--cache-to', `${run.gha},mode=max`]))
    await service.fault('GetCacheEntryDownloadURL', { status: 429 })
    const failed = await run.build([
      '--cache-to',
      `${run.gha},mode=max,timeout=3s`
    ])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain(
      'maximum timeout reached: resource_exhausted'
    )
  })

  it('a hang on the lookup outlives timeout= and the killed client, and wedges the builder until it ends', async () => {
    const run = await exported(own)
    await service.fault('GetCacheEntryDownloadURL', { hang: true })
    const hung = await run.build(['--cache-from', `${run.gha},timeout=2s`], {
      killAfterMs: 10_000
    })
    expect(hung.code).toBeNull()
    expect(hung.stderr).toContain('importing cache manifest from gha')
    expect(ranDependencies(hung.stderr)).toBe(false)
    // another app on the builder, from the same base image, with no cache at all: it waits too
    const other = app(own)
    expect((await other.build([], { killAfterMs: 8_000 })).code).toBeNull()
    // the hung request ends (its connection dropped): the builder builds again
    await service.clearFaults()
    expect(ranDependencies(passed(await other.build([])).stderr)).toBe(true)
  })

  it('a layer blob failing 503 once after a good lookup: azblob retries it, the build passes', async () => {
    const run = await exported(own)
    await service.fault('cache blob GET', { status: 503, after: 1, times: 1 })
    await service.takeRequests()
    const build = await run.build(['--cache-from', run.gha], {
      output: localOutput()
    })
    expect(cachedRun(passed(build))).toBe(true)
    // the index, the layer refused, the layer again
    const requests = await service.takeRequests()
    expect(requests.filter(r => r === 'GET cache blob')).toHaveLength(3)
  })

  it('a slow layer blob, its bytes trickled: the import completes', async () => {
    const run = await exported(own)
    await service.fault('cache blob GET', {
      after: 1,
      trickle: { bytes: 65536, everyMs: 50 }
    })
    const build = await run.build(['--cache-from', run.gha], {
      output: localOutput()
    })
    expect(cachedRun(passed(build))).toBe(true)
  })
})
