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
    const status = (body as { status?: number }).status ?? 200
    res.writeHead(status, { 'content-type': 'application/json' })
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

const LOOKUP =
  'twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL'

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
      fault: 'GetCacheEntryDownloadURL got no answer for 0 s'
    },
    {
      name: 'answers 503',
      answer: () => ({ status: 503 }),
      fault: 'GetCacheEntryDownloadURL was answered 503'
    },
    {
      name: 'throttles (429)',
      answer: () => ({ status: 429 }),
      fault: 'GetCacheEntryDownloadURL was answered 429'
    }
  ])(
    'a service that $name: a miss at once, then no more requests to it, and the fault told once',
    async ({ answer, fault }) => {
      const { origin, seen } = await upstream(answer)
      const relay = await relayTo(origin, 300)
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
    const { origin, seen } = await upstream((req, here) =>
      req.url?.startsWith('/blobs/')
        ? 'hang'
        : { ok: true, signed_download_url: `${here}/blobs/entry?sig=abc` }
    )
    const relay = await relayTo(origin, 300)
    const lookup = () =>
      fetch(`${relay.url}${LOOKUP}`, { method: 'POST', body: '{}' })
    const { signed_download_url: url } = (await (await lookup()).json()) as {
      signed_download_url: string
    }
    await fetch(url, { signal: AbortSignal.timeout(100) }).catch(() => 'gone')
    await new Promise(resolve => setTimeout(resolve, 500))
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
