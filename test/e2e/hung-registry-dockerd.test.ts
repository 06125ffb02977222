/**
 * A registry that hangs inside dockerd's own BuildKit (the containerd store's docker driver, the
 * stack's Docker 29.4 as on ubuntu-latest): the base image's resolve, and the cache's import read
 * through the run's relay. The rest of hung-registry.test.ts runs in the fault lane; these two
 * run in the serial lane, in band with the other files that build on that engine, because the hang
 * is inside the engine's shared BuildKit: a held cache import holds its scheduler, and so every
 * build on the engine, until the relay ends the read.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readManifest } from './registry-api.js'
import { commitEnv } from '../support/app-commits.js'
import { RUNNER_CONTAINERD, builderNamed } from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import {
  appBaseVia,
  BASE_MANIFESTS,
  buildLine,
  expectLanded,
  multiStageApp,
  RAN_AGAIN_AFTER_RESOLVE,
  succeeded
} from '../support/cold-commits.js'
import { escape } from '../support/fault-runs.js'

describe("a base image's resolve that hangs in dockerd's BuildKit", () => {
  it("the containerd store's docker driver: one read hangs: a warning, the build runs again, the release lands", async () => {
    const proxy = await startFaultProxy({ target: stackEnv().a.host })
    try {
      const builder = builderNamed(RUNNER_CONTAINERD)
      const { run, repo, engineHost } = multiStageApp(builder, {
        host: proxy.host
      })
      succeeded(await run(1, commitEnv(1)))
      const before = await readManifest(stackEnv().a, repo, 'tickets-DM-42')
      // dockerd resolves a base it holds from its own store: the next runner holds none
      execFileSync('docker', ['image', 'rm', '-f', appBaseVia(proxy.host)], {
        env: { ...process.env, DOCKER_HOST: engineHost() },
        stdio: 'ignore'
      })
      proxy.setFaults([
        { kind: 'hang', times: 1, match: { path: BASE_MANIFESTS } }
      ])
      expect(succeeded(await run(2, commitEnv(2))).stdout).toMatch(
        RAN_AGAIN_AFTER_RESOLVE
      )
      await expectLanded(repo, before)
    } finally {
      await proxy.close()
    }
  }, 300_000)
})

describe("the inline route on the containerd store's docker driver (no cache service)", () => {
  const builder = builderNamed(RUNNER_CONTAINERD)

  it("dockerd's BuildKit reads the cache through a relay, the log names the registry; a hung read of the import costs a warning, and the release lands", async () => {
    const proxy = await startFaultProxy({ target: stackEnv().a.host })
    try {
      const { run, repo } = multiStageApp(builder, { host: proxy.host })
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
