/**
 * A registry that hangs inside the build (SPEC 12 "Builders fail too"; docs/cache.md "When the
 * cache fails"): a read of the cache's import, of a base image's resolve or of a layer, or a cache
 * export, that the registry never answers, on each builder kind's answer to it: a user's
 * docker-container builder (restarted), a user's remote BuildKit (run again on it, or failed within
 * the bound naming it), the classic store (the cache's image pulled first, bounded) and the run's
 * own builder (made again). Each case runs an app's two commits on a cold runner, the second through a
 * fault proxy of its own in front of registry A, and judges registry A directly. The faults touch
 * only the case's proxy, BuildKits of its own and, on the classic store, the engine's pull of the
 * case's own cache image, so the suite runs in the fault lane (scripts/e2e-lanes.mjs). The
 * hangs inside dockerd's own BuildKit, which every build on the engine waits on, are in
 * hung-registry-dockerd.test.ts (serial lane); the cache service's faults in warm-cache.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { listTags, readJson, readManifest } from './registry-api.js'
import { commitEnv } from '../support/app-commits.js'
import { builderNamed } from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import {
  appBase,
  BASE_MANIFESTS,
  buildLine,
  expectLanded,
  expectUnchanged,
  firstCommitThroughProxy,
  multiStageApp,
  ownBuilderLeft,
  RAN_AGAIN_AFTER_RESOLVE,
  succeeded
} from '../support/cold-commits.js'
import {
  escape,
  ownBuilder,
  runnerOn,
  undoAfterEachCase,
  userContainerBuilder,
  userRemoteBuilder
} from '../support/fault-runs.js'

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

describe("a registry cache export that hangs (the user's cache-to line), after the image's push", () => {
  undoAfterEachCase()
  it('every export request to the cache hangs: one warning, the image pushed before it goes on as built, the release lands', async () => {
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
        /^::warning::Cache: buildx sent no progress for \d+ s while it exported the cache, so the build was stopped; BuildKit had exported the image before it, so the image goes on as built \(the cache as far as it was written\)$/
      )
    ])
    await expectLanded(repo, before)
  }, 300_000)
})

/**
 * The hung reads of the base layer's download: its blob in registry A (pushed first, so that a row
 * run alone with -t has it); its config is the resolve's read, not a download.
 */
async function baseLayerDownloads(): Promise<RegExp> {
  appBase()
  const { layers } = await readJson<{ layers: { digest: string }[] }>(
    stackEnv().a,
    'app-base/busybox',
    'manifests/latest'
  )
  return new RegExp(`/app-base/busybox/blobs/${layers[0].digest}$`)
}

describe("a read that hangs inside a user's remote builder, which the step cannot renew: the build runs again on the same builder", () => {
  undoAfterEachCase()
  const reads = [
    {
      read: "the base image's resolve",
      path: () => Promise.resolve(BASE_MANIFESTS),
      inputs: {} as Record<string, string>,
      ranAgain: RAN_AGAIN_AFTER_RESOLVE,
      failed:
        /::error::buildx sent no progress for \d+ s while it resolved \S+app-base\/busybox:latest: .*, so the build was stopped and nothing was pushed; re-run the job once \S+ answers/
    },
    {
      // the download ends with the stopped build
      read: 'a layer download (cache: off)',
      path: baseLayerDownloads,
      inputs: { cache: 'off' },
      ranAgain:
        /^::warning::buildx sent no progress for \d+ s while it downloaded a layer: .*; the build runs again$/m,
      failed:
        /^::error::buildx sent no progress for \d+ s while it downloaded a layer: .*, so the build was stopped and nothing was pushed; re-run the job once the registry answers$/m
    }
  ]

  it.each(reads)(
    '$read: one read hangs: a warning, the build runs again, the release lands',
    async ({ path, inputs, ranAgain }) => {
      const { second, repo, before } = await remoteCommitsHanging(
        await path(),
        1,
        inputs
      )
      expect(succeeded(second).stdout).toMatch(ranAgain)
      await expectLanded(repo, before)
    },
    300_000
  )

  it.each(reads)(
    '$read: every read hangs: it runs again once, then fails naming what hung, pushing nothing',
    async ({ path, inputs, ranAgain, failed }) => {
      const { second, repo, before } = await remoteCommitsHanging(
        await path(),
        undefined,
        inputs
      )
      expect(second.code).not.toBe(0)
      expect(second.stdout).toMatch(ranAgain)
      expect(second.stdout).toMatch(failed)
      await expectUnchanged(repo, before)
    },
    300_000
  )
})

describe('the inline route on the classic store (no cache service)', () => {
  const builder = builderNamed('docker 28.5 classic store')
  /** Whether the engine `host` holds `ref` (a pulled cache image is removed after). */
  const engineHolds = (host: string, ref: string) => {
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
      const { run, repo, engineHost } = multiStageApp(builder, {
        host: proxy.host
      })
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
          `::warning::Cache: ${escape(cacheRef)} was not read \\(docker pull .* ` +
            'printed nothing new for \\d+ s and was stopped\\); the build goes on without it'
        )
      )
      const built = buildLine(hung.stdout)
      expect(built).toBeDefined()
      expect(built).not.toMatch(/--cache-from/)
      await expectLanded(repo, before)
      expect(engineHolds(engineHost(), cacheRef)).toBe(false)

      const again = succeeded(await run(3, commitEnv(2)))
      expect(again.stdout).toMatch(/cache {5}docker pull /)
      // read this time: the build imports it from the engine, which holds it no longer after
      const read = buildLine(again.stdout)
      expect(read).toContain(`--cache-from type=registry,ref=${cacheRef}`)
      expect(engineHolds(engineHost(), cacheRef)).toBe(false)
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
        const { run, repo, engineHost } = multiStageApp(builder, {
          host: proxy.host
        })
        // the classic store exports no registry cache: the run makes its own docker-container builder
        const cache = { cache: `registry,ref=${proxy.host}/${repo}:buildcache` }
        const first = succeeded(await run(1, commitEnv(1), cache))
        proxy.setFaults([
          { kind: 'hang', times: 1, match: { method: 'GET', path } }
        ])
        const step = succeeded(await run(2, commitEnv(2), cache))
        expect(step.stdout).toMatch(warning)
        expect(await listTags(stackEnv().a, repo)).toEqual([
          'buildcache',
          'tickets-DM-42'
        ])
        for (const made of [first, step]) {
          expect(ownBuilder(made.stdout)).not.toBe('-')
          expect(ownBuilderLeft(engineHost(), made)).toEqual([])
        }
      } finally {
        await proxy.close()
      }
    },
    300_000
  )
})
