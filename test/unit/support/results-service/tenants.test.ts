/**
 * The stand-in's tenants (test/support/results-service/tenants.ts, the stack's
 * daemon) through the tests' client (stack-services.ts), on a control port of
 * this test's own: each tenant a results service apart, so concurrent test
 * processes never see each other's faults, tokens, requests or stores.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  stackRunnerServices,
  type StackServices
} from '../../../support/results-service/stack-services.js'
import {
  startTenantServer,
  type TenantServer
} from '../../../support/results-service/tenants.js'

let control: TenantServer
let one: StackServices
let two: StackServices

beforeAll(async () => {
  control = await startTenantServer('127.0.0.1', 0)
  one = await stackRunnerServices('per-run', control.url)
  two = await stackRunnerServices('per-run', control.url)
})
afterAll(() => control.close())

/** A cache reservation of `key` by a job of `services`, with `token` (its own unless told). */
async function reserve(
  services: StackServices,
  key: string,
  token?: string
): Promise<number> {
  const env = await services.env('run-1', `job-${key}`)
  const method = 'github.actions.results.api.v1.CacheService/CreateCacheEntry'
  const response = await fetch(`${services.url}twirp/${method}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token ?? env.ACTIONS_RUNTIME_TOKEN}`,
      'content-type': 'application/json'
    },
    body: JSON.stringify({ key, version: 'v1' })
  })
  await response.text()
  return response.status
}

/** CreateArtifact of `name` by a new job of attempt `attempt` of `run`: the status. */
async function createArtifact(
  services: StackServices,
  run: string,
  name: string,
  attempt: number
): Promise<number> {
  const job = `job-${name}-${attempt}`
  const env = await services.env(run, job, attempt)
  const method = 'github.actions.results.api.v1.ArtifactService/CreateArtifact'
  const response = await fetch(`${services.url}twirp/${method}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${env.ACTIONS_RUNTIME_TOKEN}`,
      'content-type': 'application/json'
    },
    body: JSON.stringify({
      workflow_run_backend_id: run,
      workflow_job_run_backend_id: job,
      name,
      version: 4
    })
  })
  await response.text()
  return response.status
}

describe('two tenants of one control port', () => {
  it('have origins of their own', () => {
    expect(new URL(one.url).origin).not.toBe(new URL(two.url).origin)
  })

  it('a fault on one does not reach the other; each lists only its own requests and entries', async () => {
    await one.fault('CreateCacheEntry', { status: 503 })
    expect(await reserve(one, 'a')).toBe(503)
    expect(await reserve(two, 'a')).toBe(200)
    expect(await one.takeRequests()).toEqual(['POST CreateCacheEntry'])
    expect(await two.takeRequests()).toEqual(['POST CreateCacheEntry'])
    expect(await one.entries()).toEqual([])
    expect((await two.entries('refs/heads/main')).map(e => e.key)).toEqual([
      'a'
    ])
    await one.clearFaults()
    expect(await reserve(one, 'a')).toBe(200)
  })

  it("one's runtime token is refused by the other (401)", async () => {
    const { ACTIONS_RUNTIME_TOKEN } = await one.env('run-1', 'job-x')
    expect(await reserve(two, 'x', ACTIONS_RUNTIME_TOKEN)).toBe(401)
  })

  it('an artifact planted in one is read back there, its bytes whole, and is not in the other', async () => {
    const content = Buffer.from([0, 1, 2, 255])
    const planted = await one.plant('run-2', {
      name: 'leg',
      content,
      contentType: 'application/zip'
    })
    const listed = await one.artifacts('run-2')
    expect(listed.map(a => [a.id, a.name, a.finalized, a.content])).toEqual([
      [planted.id, 'leg', true, content]
    ])
    expect(await two.artifacts('run-2')).toEqual([])
  })

  it("a name rule set on one is not the other's", async () => {
    await one.setNameRule('per-attempt')
    const leg = { name: 'leg', content: Buffer.alloc(0), contentType: '' }
    for (const services of [one, two]) await services.plant('run-3', leg, 1)
    // a re-run's upload of the name attempt 1 finalized
    expect(await createArtifact(one, 'run-3', 'leg', 2)).toBe(200)
    expect(await createArtifact(two, 'run-3', 'leg', 2)).toBe(409)
    await expect(one.setNameRule('per-job' as 'per-run')).rejects.toThrow(
      /400 .*per-run or per-attempt/
    )
  })

  it("a cache quota set on one is not the other's", async () => {
    // a tenant of its own: the earlier cases' entries would count in this minute
    const one = await stackRunnerServices('per-run', control.url)
    expect(await one.setCacheQuota({ readOnly: true })).toMatchObject({
      perMinute: 200,
      readOnly: true
    })
    expect(await reserve(one, 'quota-a')).toBe(403)
    expect(await reserve(two, 'quota-a')).toBe(200)
    await one.setCacheQuota({ readOnly: false, perMinute: 1 })
    expect([
      await reserve(one, 'quota-b'),
      await reserve(one, 'quota-c')
    ]).toEqual([200, 429])
    expect(await one.cacheQuota()).toMatchObject({ throttled: 1, refused: 1 })
    expect(await two.cacheQuota()).toMatchObject({ throttled: 0, refused: 0 })
    await expect(one.setCacheQuota({ perMinute: 0 })).rejects.toThrow(
      /400 .*perMinute 0: a whole number >= 1/
    )
    await one.close()
  })

  it('a closed tenant answers no more, and the other goes on', async () => {
    const three = await stackRunnerServices('per-run', control.url)
    await three.close()
    await expect(three.takeRequests()).rejects.toThrow(/404 .*no tenant/)
    await expect(fetch(three.url)).rejects.toThrow()
    expect(await reserve(two, 'b')).toBe(200)
  })
})

describe('a tenant’s life', () => {
  /** POST /tenants with `body`: the tenant's id and url. */
  async function tenant(body: object): Promise<{ id: string; url: string }> {
    const response = await fetch(`${control.url}/tenants`, {
      method: 'POST',
      body: JSON.stringify(body)
    })
    return (await response.json()) as { id: string; url: string }
  }

  it('ends with its lease (its process gone), and the requests hanging on a fault with it', async () => {
    const { id, url } = await tenant({})
    const held = new AbortController()
    const leased = await fetch(`${control.url}/tenants/${id}/lease`, {
      signal: held.signal
    })
    expect(leased.status).toBe(200)
    const at = `${control.url}/tenants/${id}`
    const fault = { method: 'ListArtifacts', fault: { hang: true } }
    await fetch(`${at}/fault`, { method: 'POST', body: JSON.stringify(fault) })
    const method = 'github.actions.results.api.v1.ArtifactService/ListArtifacts'
    const hung = fetch(`${url}twirp/${method}`, { method: 'POST', body: '{}' })
    held.abort()
    await expect(hung).rejects.toThrow()
    // the tenant is gone once the daemon saw the lease end
    let status = 200
    for (let i = 0; i < 50 && status === 200; i++)
      status = (await fetch(`${at}/requests/take`, { method: 'POST' })).status
    expect(status).toBe(404)
  })

  it('asked for by name: the same tenant each time, kept when its lease ends', async () => {
    const first = await tenant({ name: 'demo' })
    const held = new AbortController()
    await fetch(`${control.url}/tenants/demo/lease`, { signal: held.signal })
    held.abort()
    expect(await tenant({ name: 'demo' })).toEqual(first)
    expect(first.id).toBe('demo')
    const bad = await fetch(`${control.url}/tenants`, {
      method: 'POST',
      body: JSON.stringify({ name: '../x' })
    })
    expect(bad.status).toBe(400)
  })
})
