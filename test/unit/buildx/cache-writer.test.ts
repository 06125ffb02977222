/**
 * The cache writer against a real HTTP service on loopback: one that throttles each new entry
 * once (429, then 200), where each throttle is waited out and every entry is written, none
 * dropped; and one whose quota is spent after a few entries, where those written are whole chains.
 */
import { afterEach, beforeEach, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noWrites } from '../../../src/buildx/cache-quota.js'
import { cacheWriter } from '../../../src/buildx/cache-writer.js'

const ENTRIES = 12

let server: Server | undefined
let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cache-writer-'))
})

afterEach(() => {
  server?.close()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * A cache service v2 on loopback: a CreateCacheEntry is answered 429 with the Retry-After
 * `refusal` gives for it (none: made); the keys it made, in order.
 */
async function cacheService(
  refusal: (key: string, made: readonly string[]) => string | undefined
): Promise<{ upstream: URL; made: string[] }> {
  const made: string[] = []
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const origin = `http://127.0.0.1:${(server?.address() as AddressInfo).port}`
      if (req.method === 'PUT') return res.writeHead(201).end()
      const { key } = JSON.parse(body) as { key: string }
      const create = req.url?.endsWith('/CreateCacheEntry') === true
      const retryAfter = create ? refusal(key, made) : undefined
      if (retryAfter !== undefined)
        return res.writeHead(429, { 'retry-after': retryAfter }).end('{}')
      if (create) made.push(key)
      const answer = create
        ? { ok: true, signed_upload_url: `${origin}/blob/${key}` }
        : { ok: true }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>(listening =>
    server?.listen(0, '127.0.0.1', listening)
  )
  const { port } = server.address() as AddressInfo
  return { upstream: new URL(`http://127.0.0.1:${port}/`), made }
}

/** Each key's first CreateCacheEntry is answered 429 (Retry-After: 0). */
function throttlingService() {
  const throttled = new Set<string>()
  return cacheService(key => {
    if (throttled.has(key)) return undefined
    throttled.add(key)
    return '0'
  })
}

/** The first `room` entries are made; then 429 with a wait of an hour (read-only for the run). */
const fullService = (room: number) =>
  cacheService((_, made) => (made.length >= room ? '3600' : undefined))

it(`writes ${ENTRIES} entries each throttled once, and drops none`, async () => {
  const { upstream } = await throttlingService()
  const report = noWrites()
  const writer = cacheWriter(
    { upstream, authorization: 'Bearer t', boundMs: 60_000, idleMs: 5_000 },
    report
  )
  for (let n = 0; n < ENTRIES; n++) {
    const file = join(dir, `${n}.blob`)
    const blob = `blob ${n}`
    writeFileSync(file, blob)
    writer.add({
      key: `buildkit-blob-${n}`,
      version: 'v',
      file,
      size: blob.length
    })
  }
  writer.start()
  await writer.done()
  expect(report.firstDrop).toBeUndefined()
  expect(report).toMatchObject({
    written: ENTRIES,
    dropped: 0,
    throttled: ENTRIES
  })
}, 30_000)

it('a write cut short by the quota leaves whole chains: the blobs go roots first', async () => {
  // one chain of 8 layers whose digests sort deepest first, as BuildKit's index sorts them
  const digests = [...'fedcba98'].map(c => `sha256:${c.repeat(64)}`)
  const layers = digests.map((blob, i) => ({
    blob,
    parent: i === digests.length - 1 ? -1 : i + 1
  }))
  const { upstream, made } = await fullService(5)
  const report = noWrites()
  const writer = cacheWriter(
    { upstream, authorization: 'Bearer t', boundMs: 60_000, idleMs: 5_000 },
    report
  )
  const spooled = (key: string, text: string) => {
    const file = join(dir, key)
    writeFileSync(file, text)
    writer.add({ key, version: 'v', file, size: text.length })
  }
  // BuildKit's order: the blobs in the index's order, the index last
  for (const digest of digests) spooled(`buildkit-blob-1-${digest}`, digest)
  spooled('index-main', JSON.stringify({ layers, records: [] }))
  await writer.done()
  // the index and the four layers nearest the root: the chain from the root up to the fourth
  expect(made[0]).toBe('index-main')
  expect(made.slice(1).sort()).toEqual(
    digests
      .slice(-4)
      .map(d => `buildkit-blob-1-${d}`)
      .sort()
  )
  expect(report).toMatchObject({ written: 5, dropped: 4 })
}, 30_000)
