/**
 * The cache relay against a real HTTP upstream on loopback: what BuildKit
 * would see through it (a hang as a 504 within the deadline, signed blob URLs
 * handed out as the relay's own, the runtime token kept from the blob host).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  createServer,
  request,
  type IncomingMessage,
  type Server
} from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  readsServiceFromEnv,
  startCacheRelay,
  type CacheRelay
} from '../../../src/buildx/cache-relay.js'

interface Seen {
  method: string
  url: string
  authorization?: string
}

const servers: Server[] = []
const relays: CacheRelay[] = []

afterEach(async () => {
  await Promise.all(relays.splice(0).map(relay => relay.close()))
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

/** An upstream that answers as `answer` says, and records what it was sent. */
async function upstream(
  answer: (req: IncomingMessage, origin: string) => unknown
): Promise<{ origin: string; seen: Seen[] }> {
  const seen: Seen[] = []
  let origin = ''
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization && {
        authorization: req.headers.authorization
      })
    })
    const body = answer(req, origin)
    if (body === 'hang') return
    const { status = 200, retryAfter } = body as {
      status?: number
      retryAfter?: number
    }
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(retryAfter !== undefined && { 'retry-after': String(retryAfter) })
    })
    res.end(JSON.stringify(body))
  })
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, seen }
}

async function relayTo(origin: string, idleMs = 2000): Promise<CacheRelay> {
  const relay = await startCacheRelay(`${origin}/`, idleMs)
  relays.push(relay)
  return relay
}

const TWIRP = 'twirp/github.actions.results.api.v1.CacheService/'
const LOOKUP = `${TWIRP}GetCacheEntryDownloadURL`
const CREATE = `${TWIRP}CreateCacheEntry`

/** A twirp call of the relay's client: its answer's JSON. */
const twirp = async (relay: CacheRelay, call: string) =>
  (await (
    await fetch(`${relay.url}${call}`, { method: 'POST', body: '{}' })
  ).json()) as Record<string, unknown>

describe("readsServiceFromEnv: the builds a relay stands in for, by their argv's cache lines", () => {
  const build = (...lines: string[]) => ['buildx', 'build', ...lines, '.']
  it.each([
    {
      name: 'a type=gha cache-from',
      argv: build('--cache-from', 'type=gha,scope=app'),
      reads: true
    },
    {
      name: 'a type=gha cache-to alone',
      argv: build('--cache-to', 'type=gha,mode=max,version=2'),
      reads: true
    },
    {
      name: 'a quoted "type=gha" field, read as buildx reads CSV',
      argv: build('--cache-from', '"type=gha",scope=app'),
      reads: true
    },
    {
      name: 'a type=gha line with its own url',
      argv: build(
        '--cache-from',
        'type=gha,url=https://cache.example/,token=t'
      ),
      reads: false
    },
    {
      name: 'a type=gha line with its own url_v2',
      argv: build('--cache-to', 'type=gha,url_v2=https://cache.example/'),
      reads: false
    },
    {
      name: 'registry lines only',
      argv: build('--cache-from', 'type=registry,ref=r.example/app:cache'),
      reads: false
    },
    {
      name: 'type=gha outside a cache flag (a build-arg)',
      argv: build('--build-arg', 'type=gha'),
      reads: false
    },
    { name: 'no cache lines', argv: build(), reads: false }
  ])('$name: $reads', ({ argv, reads }) => {
    const stage = [{ step: 'build' as const, argv, registries: [] }]
    expect(readsServiceFromEnv({ stage })).toBe(reads)
  })
})

describe('startCacheRelay', () => {
  it.each([
    {
      name: 'hangs',
      answer: () => 'hang',
      fault: 'GetCacheEntryDownloadURL got no answer for 0 s',
      idleMs: 300
    },
    {
      name: 'answers 503',
      answer: () => ({ status: 503 }),
      fault: 'GetCacheEntryDownloadURL was answered 503',
      // an answer that is not a hang: a bound far off, so a loaded machine cannot make it one
      idleMs: 10_000
    },
    {
      name: "throttles (429) for longer than the run's cache bound",
      answer: () => ({ status: 429, retryAfter: 120 }),
      fault:
        "GetCacheEntryDownloadURL was answered 429 needing a wait of 120 s, over the run's " +
        'cache bound (20 s)',
      idleMs: 10_000
    }
  ])(
    'a service that $name: a miss at once, then no more requests to it, and the fault told once',
    async ({ answer, fault, idleMs }) => {
      const { origin, seen } = await upstream(answer)
      const relay = await relayTo(origin, idleMs)
      const lookup = () =>
        fetch(`${relay.url}${LOOKUP}`, { method: 'POST', body: '{}' })
      for (let i = 0; i < 2; i++) {
        const answered = await lookup()
        expect(answered.status).toBe(200)
        expect(await answered.json()).toEqual({ ok: false })
      }
      expect(seen).toHaveLength(1)
      expect(relay.takeFault()).toBe(fault)
      expect(relay.takeFault()).toBeUndefined()
    }
  )

  it("hands out the service's signed blob URL as its own, and relays the blob with the client's query", async () => {
    const { origin, seen } = await upstream((req, here) =>
      req.url?.startsWith('/blobs/')
        ? { blob: req.url }
        : {
            ok: true,
            signed_download_url: `${here}/blobs/entry?sig=abc&se=2026`
          }
    )
    const relay = await relayTo(origin)
    const lookup = (await (
      await fetch(`${relay.url}${LOOKUP}`, {
        method: 'POST',
        headers: { authorization: 'Bearer runtime-token' },
        body: '{}'
      })
    ).json()) as { signed_download_url: string }
    expect(lookup.signed_download_url.startsWith(relay.url)).toBe(true)
    const blob = (await (
      await fetch(`${lookup.signed_download_url}?comp=block&blockid=b1`, {
        headers: { authorization: 'Bearer runtime-token' }
      })
    ).json()) as { blob: string }
    expect(blob.blob).toBe('/blobs/entry?sig=abc&se=2026&comp=block&blockid=b1')
    // the token went to the service, never to the blob store
    expect(seen.map(s => s.authorization)).toEqual([
      'Bearer runtime-token',
      undefined
    ])
  })

  it('takes a client that went away (a cancelled build) for no fault of the service', async () => {
    // the client goes once its read has reached the service, not after a time
    const gone = new AbortController()
    const { origin, seen } = await upstream((req, here) => {
      if (!req.url?.startsWith('/blobs/'))
        return { ok: true, signed_download_url: `${here}/blobs/entry?sig=abc` }
      setImmediate(() => gone.abort())
      return 'hang'
    })
    const relay = await relayTo(origin, 1000)
    const lookup = () =>
      fetch(`${relay.url}${LOOKUP}`, { method: 'POST', body: '{}' })
    const { signed_download_url: url } = (await (await lookup()).json()) as {
      signed_download_url: string
    }
    await fetch(url, { signal: gone.signal }).catch(() => 'gone')
    // past the relay's idle bound: a read it still held would be a fault by now
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(relay.takeFault()).toBeUndefined()
    expect(await (await lookup()).json()).toMatchObject({ ok: true })
    expect(seen).toHaveLength(3)
  })

  it('relays only the blob URLs it handed out, at a path no other client can guess', async () => {
    const { origin, seen } = await upstream((_req, here) => ({
      ok: true,
      signed_download_url: `${here}/blobs/entry?sig=abc`
    }))
    const relay = await relayTo(origin)
    const lookup = (await (
      await fetch(`${relay.url}${LOOKUP}`, { method: 'POST', body: '{}' })
    ).json()) as { signed_download_url: string }
    const handedOut = new URL(lookup.signed_download_url).pathname
    expect(handedOut).toMatch(/^\/blob\/[0-9a-f-]{36}\/0$/)
    for (const guess of ['blob/0', 'blob/7', `blob/${'0'.repeat(36)}/0`])
      expect((await fetch(`${relay.url}${guess}`)).status).toBe(404)
    expect(seen).toHaveLength(1)
  })

  it('relays to the service alone: a path naming another host, or none, is answered 404 and is no fault', async () => {
    const { origin, seen } = await upstream(() => ({ ok: true }))
    const other = await upstream(() => ({ ok: true }))
    const relay = await relayTo(origin)
    const otherHost = new URL(other.origin).host
    for (const path of [`//${otherHost}/x`, '//[/x']) {
      const status = await new Promise<number>((resolve, reject) =>
        request(relay.url, { path }, answer => {
          answer.resume()
          resolve(answer.statusCode ?? 0)
        })
          .on('error', reject)
          .end()
      )
      expect(status).toBe(404)
    }
    expect(seen).toEqual([])
    expect(other.seen).toEqual([])
    expect(relay.takeFault()).toBeUndefined()
  })

  it('an address this machine does not hold fails the start, not the process', async () => {
    // TEST-NET-1 (RFC 5737): never a local address
    await expect(
      startCacheRelay('http://127.0.0.1:1/', 1000, '192.0.2.1')
    ).rejects.toThrow(/EADDRNOTAVAIL/)
  })

  it("keeps the service's own path in front (ACTIONS_CACHE_URL has one)", async () => {
    const { origin, seen } = await upstream(() => ({ ok: true }))
    const relay = await startCacheRelay(`${origin}/abc123/`, 2000)
    relays.push(relay)
    await fetch(`${relay.url}_apis/artifactcache/cache?keys=k`)
    expect(seen.map(s => s.url)).toEqual([
      '/abc123/_apis/artifactcache/cache?keys=k'
    ])
  })
})

describe("GitHub's quotas through the relay", () => {
  /** An upstream whose CreateCacheEntry answers `creates` in turn (then 200), lookups 200. */
  const service = (...creates: object[]) =>
    upstream((req, here) =>
      req.url?.endsWith('CreateCacheEntry')
        ? (creates.shift() ?? {
            ok: true,
            signed_upload_url: `${here}/blobs/new?sig=w`
          })
        : req.url?.startsWith('/blobs/')
          ? {}
          : { ok: true, signed_download_url: `${here}/blobs/old?sig=r` }
    )
  const sent = (seen: Seen[], what: string) =>
    seen.filter(s => s.url.includes(what)).length

  it('a 429 within the bound is waited out as Retry-After asks, backed off, and sent again', async () => {
    const { origin, seen } = await service(
      { status: 429, retryAfter: 1 },
      { status: 429, retryAfter: 1 }
    )
    const relay = await relayTo(origin)
    const created = await twirp(relay, CREATE)
    expect(created).toMatchObject({ ok: true })
    expect(String(created.signed_upload_url).startsWith(relay.url)).toBe(true)
    expect(sent(seen, 'CreateCacheEntry')).toBe(3)
    expect(relay.takeFault()).toBeUndefined()
    // 1 s as asked, then the backoff's 2 s
    expect(relay.takeQuota()?.warning).toMatch(
      /throttled this run \(2 × 429, waited 3 s as it asked\)/
    )
    expect(relay.takeQuota()).toBeUndefined()
  })

  it.each([
    {
      name: 'a write throttled past the bound (Retry-After 120 s)',
      refusal: { status: 429, retryAfter: 120 },
      why: "CreateCacheEntry was answered 429 needing a wait of 120 s, over the run's cache bound (20 s)"
    },
    {
      name: "a spent budget (403 'insufficient usage')",
      refusal: { status: 403, msg: 'insufficient usage to create cache entry' },
      why: 'CreateCacheEntry was answered 403 (insufficient usage to create cache entry)'
    }
  ])(
    '$name: read-only from the refusal on, reads relayed, no write sent again',
    async ({ refusal, why }) => {
      const { origin, seen } = await service(refusal)
      const relay = await relayTo(origin)
      expect(await twirp(relay, CREATE)).toEqual({ ok: false })
      expect(await twirp(relay, CREATE)).toEqual({ ok: false })
      expect(
        (await fetch(`${relay.url}blob/x`, { method: 'PUT', body: 'b' })).status
      ).toBe(404)
      const found = await twirp(relay, LOOKUP)
      expect(found).toMatchObject({ ok: true })
      const blob = await fetch(String(found.signed_download_url))
      expect(blob.status).toBe(200)
      expect(sent(seen, 'CreateCacheEntry')).toBe(1)
      expect(seen.filter(s => s.method === 'PUT')).toEqual([])
      expect(sent(seen, 'GetCacheEntryDownloadURL')).toBe(1)
      expect(relay.takeFault()).toBeUndefined()
      expect(relay.takeQuota()).toEqual({
        warning:
          `Cache: GitHub's cache service is read-only for this run: ${why}; this run's ` +
          'builds still read it and write nothing more to it',
        summary: `Cache: GitHub's cache service read-only (${why}); read, not written`,
        readOnly: true
      })
    }
  )
})
