/**
 * The spool as BuildKit's blob client meets it over HTTP on loopback: an entry put as blocks, in
 * whatever order they arrive, read back whole in its block list's order.
 */
import { afterEach, beforeEach, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSpool, type CacheSpool } from '../../../src/buildx/cache-spool.js'

const BLOCKS = 12
const BLOCK_BYTES = 64 * 1024

let parent: string
let server: Server
let spool: CacheSpool
let origin: string

beforeEach(async () => {
  parent = mkdtempSync(join(tmpdir(), 'cache-spool-'))
  spool = openSpool(parent)
  server = createServer((req, res) => {
    const n = Number((req.url ?? '/').slice(1).split('?')[0])
    spool.serve(n, req, res).catch(() => res.destroy())
  })
  await new Promise<void>(listening => server.listen(0, '127.0.0.1', listening))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(() => {
  server.close()
  rmSync(parent, { recursive: true, force: true })
})

/** Block `i`'s id as azblob makes them (base64), and its bytes: each block its own fill. */
const blockId = (i: number) => Buffer.from(`block-${i}`).toString('base64')
const blockBytes = (i: number) => Buffer.alloc(BLOCK_BYTES, i + 1)

it(`takes ${BLOCKS} blocks put at once and serves the blob in its list's order, its blocks' files removed`, async () => {
  const n = spool.create('buildkit-blob-1-sha256:abc', 'v1')
  expect(n).toBe(0)
  // all at once, the last first: the order they end in is not the list's
  const puts = await Promise.all(
    [...Array(BLOCKS).keys()].reverse().map(i =>
      fetch(
        `${origin}/0?comp=block&blockid=${encodeURIComponent(blockId(i))}`,
        {
          method: 'PUT',
          body: blockBytes(i)
        }
      )
    )
  )
  expect(puts.map(put => put.status)).toEqual(Array(BLOCKS).fill(201))
  const list = [...Array(BLOCKS).keys()]
    .map(i => `<Latest>${blockId(i)}</Latest>`)
    .join('')
  const commit = await fetch(`${origin}/0?comp=blocklist`, {
    method: 'PUT',
    body: `<?xml version="1.0" encoding="utf-8"?><BlockList>${list}</BlockList>`
  })
  expect(commit.status).toBe(201)
  expect(spool.finalize('buildkit-blob-1-sha256:abc', 'v1')?.size).toBe(
    BLOCKS * BLOCK_BYTES
  )
  // the blocks' files are gone once the blob is whole
  expect(readdirSync(spool.dir)).toEqual(['0.blob'])

  const read = await fetch(`${origin}/0`)
  expect(read.status).toBe(200)
  const body = Buffer.from(await read.arrayBuffer())
  expect(
    body.equals(Buffer.concat([...Array(BLOCKS).keys()].map(blockBytes)))
  ).toBe(true)
})
