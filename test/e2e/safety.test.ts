/**
 * Safety of the published tags (docs/safety.md): floating tags move only forward, a dry run
 * changes nothing, release tags are immutable, promotion copies with the same digest, and a
 * transient registry fault is tried again where a persistent one moves no floating tag.
 *
 * It runs beside the other lanes (scripts/e2e-lanes.mjs): it builds only on the default engine,
 * whose BuildKit no file holds or restarts; its fault proxies are its own, and its repositories
 * are fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  startFaultProxy,
  type Fault,
  type FaultProxy
} from '../support/fault-proxy.js'
import { publishedTags, readManifest } from './registry-api.js'
import { runMain } from './runner.js'
import {
  stackEnv,
  type StackEnv,
  type StackRegistry as Registry
} from '../support/stack-env.js'
import { loginsFor, uniqueRepo } from './steps.js'
import { OTHER_COMMIT, publishRelease, tagPush } from './releases.js'

let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

const publish = publishRelease

const digestOf = async (registry: Registry, repo: string, tag: string) =>
  (await readManifest(registry, repo, tag)).digest

describe('floating tags only move forward', () => {
  it('a backport 1.4.5 after 1.5.0 moves 1.4 but not 1, and says why', async () => {
    const repo = uniqueRepo('backport')
    const { a } = stack
    expect((await publish(a, repo, '1.5.0')).code).toBe(0)
    const backport = await publish(a, repo, '1.4.5')
    expect(backport.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual([
      '1',
      '1.4',
      '1.4.5',
      '1.5',
      '1.5.0'
    ])
    expect(await digestOf(a, repo, '1')).toBe(await digestOf(a, repo, '1.5.0'))
    expect(await digestOf(a, repo, '1.4')).toBe(
      await digestOf(a, repo, '1.4.5')
    )
    expect(JSON.parse(backport.outputs.skipped)).toEqual([
      {
        ref: `${a.host}/${repo}:1`,
        reason: expect.stringMatching(
          /1\.5\.0 is already published, newer than 1\.4\.5/
        ) as unknown
      }
    ])
    expect(backport.stdout).toMatch(
      /::warning::.*:1 was left alone: 1\.5\.0 is already published/
    )
    expect(backport.summary).toMatch(
      /:1` .* held back: 1\.5\.0 is already published/
    )
  })

  it('with latest=release, latest stays on the highest release', async () => {
    const repo = uniqueRepo('latest-release')
    const { a } = stack
    const inputs = { flavor: 'latest=release' }
    expect((await publish(a, repo, '2.0.0', inputs)).code).toBe(0)
    const backport = await publish(a, repo, '1.4.5', inputs)
    expect(backport.code).toBe(0)
    expect(await digestOf(a, repo, 'latest')).toBe(
      await digestOf(a, repo, '2.0.0')
    )
    expect(await digestOf(a, repo, '1')).toBe(await digestOf(a, repo, '1.4.5'))
    const skipped = (
      JSON.parse(backport.outputs.skipped) as { ref: string }[]
    ).map(s => s.ref)
    expect(skipped).toEqual([`${a.host}/${repo}:latest`])
  })

  it('floating-guard: false moves them anyway', async () => {
    const repo = uniqueRepo('unguarded')
    const { a } = stack
    await publish(a, repo, '1.5.0')
    expect(
      (await publish(a, repo, '1.4.5', { 'floating-guard': 'false' })).code
    ).toBe(0)
    expect(await digestOf(a, repo, '1')).toBe(await digestOf(a, repo, '1.4.5'))
  })
})

describe('dry run', () => {
  it("shows the guards' decisions read from the registry, and changes nothing", async () => {
    const repo = uniqueRepo('dry')
    const { a } = stack
    await publish(a, repo, '1.5.0')
    const tagsBefore = await publishedTags(a, repo)
    const backport = await publish(a, repo, '1.4.5', { 'dry-run': 'true' })
    expect(backport.code).toBe(0)
    expect(backport.stdout).toMatch(
      /The guards decide:[\s\S]*:1 held back: 1\.5\.0 is already published/
    )
    expect(backport.stdout).toMatch(/:1\.4 moves after the exact tags/)
    const rerun = await publish(a, repo, '1.5.0', { 'dry-run': 'true' })
    expect(rerun.stdout).toMatch(
      /:1\.5\.0 already holds a build of this commit .*: this is a re-run/
    )
    const rebuild = await publish(
      a,
      repo,
      '1.5.0',
      { 'dry-run': 'true' },
      a.host,
      tagPush('1.5.0', OTHER_COMMIT)
    )
    expect(rebuild.stdout).toMatch(
      /release tag 1\.5\.0 already exists at sha256:[0-9a-f]{64}, and this run would replace it[\s\S]*the build's digest is not known before it runs/
    )
    expect(await publishedTags(a, repo)).toEqual(tagsBefore)
  })
})

describe('release tags are immutable', () => {
  it('refuses a 1.4.5 built from another commit before pushing anything', async () => {
    const repo = uniqueRepo('immutable')
    const { a } = stack
    await publish(a, repo, '1.4.5')
    const before = await digestOf(a, repo, '1.4.5')
    const floatingBefore = await digestOf(a, repo, '1.4')
    const rebuild = await publish(
      a,
      repo,
      '1.4.5',
      { labels: 'content=2' },
      a.host,
      tagPush('1.4.5', OTHER_COMMIT)
    )
    expect(rebuild.code).toBe(1)
    expect(rebuild.stdout).toMatch(
      /::error::release tags are immutable \(immutable-tags: error\), so nothing was pushed/
    )
    expect(rebuild.stdout).toContain(
      `release tag 1.4.5 already exists at ${before}`
    )
    expect(await digestOf(a, repo, '1.4.5')).toBe(before)
    expect(await digestOf(a, repo, '1.4')).toBe(floatingBefore)
  })

  it('skip keeps the release tag and the floating tags of that release', async () => {
    const repo = uniqueRepo('skip')
    const { a } = stack
    await publish(a, repo, '1.4.5')
    const before = await digestOf(a, repo, '1.4.5')
    const rebuild = await publish(
      a,
      repo,
      '1.4.5',
      { labels: 'content=2', 'immutable-tags': 'skip' },
      a.host,
      tagPush('1.4.5', OTHER_COMMIT)
    )
    expect(rebuild.code).toBe(0)
    expect(await digestOf(a, repo, '1.4.5')).toBe(before)
    expect(await digestOf(a, repo, '1')).toBe(before)
    const skipped = (
      JSON.parse(rebuild.outputs.skipped) as { ref: string }[]
    ).map(s => s.ref.split(':').pop())
    expect(skipped).toEqual(['1.4.5', '1.4', '1'])
  })

  it('overwrite replaces it', async () => {
    const repo = uniqueRepo('overwrite')
    const { a } = stack
    await publish(a, repo, '1.4.5')
    const before = await digestOf(a, repo, '1.4.5')
    const rebuild = await publish(a, repo, '1.4.5', {
      labels: 'content=2',
      'immutable-tags': 'overwrite'
    })
    expect(rebuild.code).toBe(0)
    const after = await digestOf(a, repo, '1.4.5')
    expect(after).not.toBe(before)
    expect(rebuild.outputs.digest).toBe(after)
  })
})

describe('promote', () => {
  it('copies 1.4.5 to the stable namespace with the same digest, and again changes nothing', async () => {
    const repo = uniqueRepo('promote')
    const { a } = stack
    await publish(a, repo, '1.4.5', { platforms: 'linux/amd64,linux/arm64' })
    const source = await readManifest(a, repo, '1.4.5')
    const stable = `stable/${repo}`
    const promote = () =>
      publish(a, stable, '1.4.5', {
        mode: 'promote',
        source: `${a.host}/${repo}:1.4.5`
      })
    const first = await promote()
    expect(first.stdout).not.toMatch(/::error::/)
    expect(first.code).toBe(0)
    expect(await publishedTags(a, stable)).toEqual(['1', '1.4', '1.4.5'])
    const copied = await readManifest(a, stable, '1.4.5')
    expect(copied.digest).toBe(source.digest)
    expect(copied.platforms).toEqual(['linux/amd64', 'linux/arm64'])
    expect(first.outputs.digest).toBe(source.digest)
    expect(first.summary).toMatch(/1\.4\.5`.*linux\/amd64, linux\/arm64/)

    const again = await promote()
    expect(again.code).toBe(0)
    expect(JSON.parse(again.outputs.pushed)).toEqual([])
    expect(await digestOf(a, stable, '1')).toBe(source.digest)
  })

  it('copies across registries with their own credentials, and again changes nothing', async () => {
    const repo = uniqueRepo('cross')
    const { a, b } = stack
    await publish(a, repo, '1.4.5')
    const logins = loginsFor(a, b)
    const promote = () =>
      runMain(
        {
          mode: 'promote',
          source: `${a.host}/${repo}:1.4.5`,
          images: `${b.host}/release/${repo}`,
          logins
        },
        tagPush('1.4.5')
      )
    const first = await promote()
    expect(first.code).toBe(0)
    const copied = await readManifest(b, `release/${repo}`, '1.4.5')
    // a single-platform source arrives wrapped in an index (imagetools, buildx 0.13):
    // the digest the action predicted before copying is the one the registry holds
    const pushed = JSON.parse(first.outputs.pushed) as {
      ref: string
      digest: string
    }[]
    expect(pushed.map(p => p.digest)).toEqual([
      copied.digest,
      copied.digest,
      copied.digest
    ])
    expect(copied.platforms).toEqual(['linux/amd64'])
    const again = await promote()
    expect(again.code).toBe(0)
    expect(JSON.parse(again.outputs.pushed)).toEqual([])
  })

  it('fails clearly when the source does not exist', async () => {
    const { a } = stack
    const main = await publish(a, uniqueRepo('nosource'), '1.0.0', {
      mode: 'promote',
      source: `${a.host}/${uniqueRepo('none')}:9.9.9`
    })
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(
      /::error::input "source": .*:9\.9\.9 was not found in registry/
    )
  })
})

describe('transient registry faults', () => {
  let proxy: FaultProxy
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: stack.a.host })
  })
  afterAll(() => proxy.close())

  const viaProxy = (
    repo: string,
    version: string,
    faults: Fault[],
    retries = '3'
  ) => {
    proxy.setFaults(faults)
    return publish(stack.a, repo, version, { retries }, proxy.host)
  }

  // the transient faults that end in success, a registry that never
  // answers, and the other faults are cases of faults.test.ts

  // jest's test timeout bounds the run; STYLE: no timing assertions
  it('fails on a persistent fault after its retries, with no floating tag moved', async () => {
    const repo = uniqueRepo('persistent')
    await publish(stack.a, repo, '1.2.2')
    const floating = await digestOf(stack.a, repo, '1.2')
    // one retry: each try of the build's push waits out buildx's own retries
    const main = await viaProxy(
      repo,
      '1.2.3',
      [
        {
          kind: 'status',
          status: 503,
          match: { method: 'PUT', path: /\/manifests\// }
        }
      ],
      '1'
    )
    expect(main.code).toBe(1)
    const errors = main.stdout
      .split('\n')
      .filter(line => line.startsWith('::error::'))
    expect(errors).toEqual([expect.stringMatching(/503|Service Unavailable/)])
    expect(errors[0]).toContain(proxy.host)
    expect(await digestOf(stack.a, repo, '1.2')).toBe(floating)
    expect(await publishedTags(stack.a, repo)).not.toContain('1.2.3')
  })
})
