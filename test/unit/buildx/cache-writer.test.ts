/**
 * The cache writer against a real HTTP service on loopback that throttles each new entry once
 * (429, then 200): each throttle is waited out and every entry is written, none dropped.
 */
import { afterEach, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noWrites } from '../../../src/buildx/cache-quota.js'
import { cacheWriter } from '../../../src/buildx/cache-writer.js'

const ENTRIES = 12

let server: Server | undefined
const dir = mkdtempSync(join(tmpdir(), 'cache-writer-'))

afterEach(() => {
  server?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A cache service v2 whose first CreateCacheEntry of each key is answered 429. */
async function throttlingService(): Promise<URL> {
  const throttled = new Set<string>()
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const origin = `http://127.0.0.1:${(server?.address() as AddressInfo).port}`
      if (req.method === 'PUT') return res.writeHead(201).end()
      const { key } = JSON.parse(body) as { key: string }
      if (req.url?.endsWith('/CreateCacheEntry') && !throttled.has(key)) {
        throttled.add(key)
        return res.writeHead(429, { 'retry-after': '0' }).end('{}')
      }
      const answer = req.url?.endsWith('/CreateCacheEntry')
        ? { ok: true, signed_upload_url: `${origin}/blob/${key}` }
        : { ok: true }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>(listening =>
    server?.listen(0, '127.0.0.1', listening)
  )
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
}

it(`writes ${ENTRIES} entries each throttled once, and drops none`, async () => {
  const upstream = await throttlingService()
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
