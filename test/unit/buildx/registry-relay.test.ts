/**
 * The registry relay against a registry on loopback (a node server that answers as the
 * distribution API does, or hangs): what BuildKit's resolver and fetcher get, and what the run
 * is told.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  registryRelays,
  startRegistryRelay,
  type RegistryRelay
} from '../../../src/buildx/registry-relay.js'
import { parseRegistry } from '../../../src/reference/repository.js'
import { createRegistryClient } from '../../../src/registry/client.js'

const DIGEST = `sha256:${'a'.repeat(64)}`
const LAYER = Buffer.alloc(256 * 1024, 7)

type Answer = (req: IncomingMessage, res: ServerResponse) => void

/** A registry that answers each request with `answer`; the paths it was asked, kept. */
async function registry(answer: Answer) {
  const asked: string[] = []
  const server: Server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`)
    answer(req, res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  cleanups.push(
    () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return { host, asked }
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The distribution API's answers to a manifest HEAD and a blob GET. */
const distribution: Answer = (req, res) => {
  if (req.url?.includes('/manifests/'))
    res
      .writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'docker-content-digest': DIGEST,
        'content-length': '2'
      })
      .end(req.method === 'HEAD' ? undefined : '{}')
  else res.writeHead(200, { 'content-length': String(LAYER.length) }).end(LAYER)
}

/** `idleMs` far off by default: only the cases about a silent registry bound it tightly. */
async function relayOf(host: string, idleMs = 10_000): Promise<RegistryRelay> {
  const client = createRegistryClient({
    credentials: () => undefined,
    retries: 0,
    requestTimeoutMs: 10_000
  })
  const relay = await startRegistryRelay(
    parseRegistry(host),
    new Set(['team/app']),
    client,
    idleMs
  )
  cleanups.push(() => relay.close())
  return relay
}

const ask = (relay: RegistryRelay, path: string, method = 'GET') =>
  fetch(`http://${relay.host}${path}`, { method })

/** The status of a request whose path is sent as written (fetch would resolve `..` and `\\`). */
function askVerbatim(relay: RegistryRelay, path: string, method = 'GET') {
  const [host, port] = relay.host.split(':')
  return new Promise<number>((resolve, reject) => {
    const req = request({ host, port, path, method }, res => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('startRegistryRelay: reads as BuildKit asks them', () => {
  it("answers the API's ping itself, and passes on a manifest's HEAD and a blob's GET", async () => {
    const upstream = await registry(distribution)
    const relay = await relayOf(upstream.host)
    expect((await ask(relay, '/v2/')).status).toBe(200)
    const head = await ask(relay, '/v2/team/app/manifests/1.2', 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers.get('docker-content-digest')).toBe(DIGEST)
    const blob = await ask(relay, `/v2/team/app/blobs/${DIGEST}`)
    expect(Buffer.from(await blob.arrayBuffer()).equals(LAYER)).toBe(true)
    expect(upstream.asked).toEqual([
      'HEAD /v2/team/app/manifests/1.2',
      `GET /v2/team/app/blobs/${DIGEST}`
    ])
    expect(relay.takeFault()).toBeUndefined()
  })

  it.each([
    { what: 'another repository', path: '/v2/team/other/manifests/1.2' },
    { what: 'a write', path: '/v2/team/app/blobs/uploads/', method: 'POST' },
    { what: 'the tag list', path: '/v2/team/app/tags/list' },
    {
      what: 'a path that climbs out of the repository',
      path: '/v2/team/app/manifests/..\\..\\..\\v2\\private\\manifests\\latest'
    },
    {
      what: 'an escaped climb',
      path: '/v2/team/app/manifests/%2e%2e%2f%2e%2e%2fprivate%2fmanifests%2flatest'
    },
    { what: 'a blob named by a tag', path: '/v2/team/app/blobs/latest' }
  ])('$what: 404, and the registry is not asked', async ({ path, method }) => {
    const upstream = await registry(distribution)
    const relay = await relayOf(upstream.host)
    expect(await askVerbatim(relay, path, method)).toBe(404)
    expect(upstream.asked).toEqual([])
  })
})

const hangs: Answer = () => undefined
const unavailable: Answer = (_req, res) => res.writeHead(503).end()

describe('startRegistryRelay: a registry that fails ends the read, and holds nothing after', () => {
  it.each([
    {
      name: 'no answer',
      answer: hangs,
      fault: /^GET manifests\/1\.2 got no answer for 0 s$/,
      idleMs: 300
    },
    {
      name: 'a 503',
      answer: unavailable,
      fault: /^GET manifests\/1\.2 was answered 503$/,
      idleMs: 10_000
    }
  ])(
    '$name: 404 at once, told once, and no later read reaches it',
    async ({ answer, fault, idleMs }) => {
      const upstream = await registry(answer)
      const relay = await relayOf(upstream.host, idleMs)
      const first = await ask(relay, '/v2/team/app/manifests/1.2')
      expect(first.status).toBe(404)
      expect(relay.takeFault()).toMatch(fault)
      expect(relay.takeFault()).toBeUndefined()
      expect((await ask(relay, `/v2/team/app/blobs/${DIGEST}`)).status).toBe(
        404
      )
      expect(upstream.asked).toEqual(['GET /v2/team/app/manifests/1.2'])
    }
  )

  it('a blob that stops midway: the read is cut, not ended as if whole', async () => {
    const upstream = await registry((_req, res) => {
      res.writeHead(200, { 'content-length': String(LAYER.length) })
      res.write(LAYER.subarray(0, 1024))
    })
    const relay = await relayOf(upstream.host, 300)
    const blob = await ask(relay, `/v2/team/app/blobs/${DIGEST}`)
    expect(blob.status).toBe(200)
    await expect(blob.arrayBuffer()).rejects.toThrow()
    expect(relay.takeFault()).toMatch(/got no answer for 0 s$/)
  })
})

describe('startRegistryRelay: BuildKit reading slowly is not the registry failing', () => {
  it('a client that pauses longer than the deadline still gets the whole blob, and no fault', async () => {
    const big = Buffer.alloc(16 * 1024 * 1024, 3)
    const upstream = await registry((_req, res) =>
      res.writeHead(200, { 'content-length': String(big.length) }).end(big)
    )
    const relay = await relayOf(upstream.host, 1000)
    const blob = await ask(relay, `/v2/team/app/blobs/${DIGEST}`)
    const reader = blob.body!.getReader()
    let bytes = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (bytes === 0) await new Promise(resolve => setTimeout(resolve, 2500))
      bytes += value.length
    }
    expect(bytes).toBe(big.length)
    expect(relay.takeFault()).toBeUndefined()
  })
})

describe("registryRelays: the build's registry cache lines read through a relay", () => {
  const argv = (from: string) => ['buildx', 'build', '--cache-from', from, '.']

  it('relays a type=registry line and names the registry back in what the run says', async () => {
    const upstream = await registry(distribution)
    const client = createRegistryClient({
      credentials: () => undefined,
      retries: 0,
      requestTimeoutMs: 10_000
    })
    const relays = registryRelays(client, 300, () => Promise.resolve(true))
    cleanups.push(() => relays.close())
    const ref = `${upstream.host}/team/app:1.2`
    const relayed = await relays.relayed(argv(`type=registry,ref=${ref}`))
    const [host] = relays.hosts()
    expect(relayed[3]).toBe(`type=registry,ref=${host}/team/app:1.2`)
    expect(
      relays.named(`importing cache manifest from ${host}/team/app:1.2`)
    ).toBe(`importing cache manifest from ${ref}`)
    // a bare reference is a registry's too
    expect((await relays.relayed(argv(ref)))[3]).toBe(`${host}/team/app:1.2`)
    // gha, local, and a ref the client cannot read (buildx reads it) stay as they are
    const unread = `type=registry,ref=${upstream.host}/team/app:1@sha256:${'b'.repeat(64)}`
    for (const line of ['type=gha,scope=x', 'type=local,src=/tmp/c', unread])
      expect(await relays.relayed(argv(line))).toEqual(argv(line))
  })

  it('a build that reads no registry cache does not ask the engine (no docker info)', async () => {
    let asked = 0
    const relays = registryRelays(
      createRegistryClient({
        credentials: () => undefined,
        retries: 0,
        requestTimeoutMs: 10_000
      }),
      300,
      () => {
        asked += 1
        return Promise.resolve(true)
      }
    )
    const line = 'type=gha,scope=x'
    expect(await relays.relayed(argv(line))).toEqual(argv(line))
    expect(asked).toBe(0)
  })

  it('where BuildKit does not share this loopback (a job container), nothing is relayed', async () => {
    const client = createRegistryClient({
      credentials: () => undefined,
      retries: 0,
      requestTimeoutMs: 10_000
    })
    const relays = registryRelays(client, 300, () => Promise.resolve(false))
    const line = 'type=registry,ref=127.0.0.1:9/team/app:1.2'
    expect(await relays.relayed(argv(line))).toEqual(argv(line))
    expect(relays.hosts()).toEqual([])
  })
})
