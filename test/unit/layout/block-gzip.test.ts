/** Layers gzipped block by block: random-looking blocks stored, the rest compressed, the same bytes however the input is cut. */
import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crc32, gunzipSync } from 'node:zlib'
import {
  BLOCK_BYTES,
  crc32Fallback,
  blockLevel,
  fixedBlocks,
  gzipChunks
} from '../../../src/layout/block-gzip.js'

/** A writable that keeps what it is given. */
function collector() {
  const chunks: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk)
      done()
    }
  })
  return { sink, bytes: () => Buffer.concat(chunks) }
}

/** `data` as a stream cut into pieces of `piece` bytes. */
const cut = (data: Buffer, piece: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / piece) }, (_, i) =>
      data.subarray(i * piece, (i + 1) * piece)
    )
  )

async function gzipped(data: Buffer, piece: number): Promise<Buffer> {
  const out = collector()
  await pipeline(cut(data, piece), gzipChunks, out.sink)
  return out.bytes()
}

const text = (bytes: number) =>
  Buffer.from(
    Array.from({ length: bytes / 16 }, (_, i) =>
      `line ${i % 1000}\n`.padEnd(16)
    )
      .join('')
      .slice(0, bytes)
  )

describe('blockLevel', () => {
  it.each([
    {
      name: 'random bytes are stored',
      block: randomBytes(BLOCK_BYTES),
      level: 0
    },
    { name: 'text is compressed', block: text(BLOCK_BYTES), level: 1 },
    { name: 'zeros are compressed', block: Buffer.alloc(BLOCK_BYTES), level: 1 }
  ])('$name', ({ block, level }) => {
    expect(blockLevel(block)).toBe(level)
  })
})

describe('fixedBlocks', () => {
  it('cuts any stream into blocks of the given size, the last one shorter', async () => {
    const blocks: number[] = []
    for await (const block of fixedBlocks(cut(randomBytes(2500), 333), 1000))
      blocks.push(block.length)
    expect(blocks).toEqual([1000, 1000, 500])
  })
})

describe('gzipBlocks', () => {
  // random, text, random again: the level changes twice
  const mixed = Buffer.concat([
    randomBytes(BLOCK_BYTES),
    text(2 * BLOCK_BYTES),
    randomBytes(BLOCK_BYTES + 12_345)
  ])

  it('writes a gzip that gives the bytes back, the text part compressed', async () => {
    const packed = await gzipped(mixed, 64 * 1024)
    expect(gunzipSync(packed).equals(mixed)).toBe(true)
    expect(packed.length).toBeLessThan(mixed.length - BLOCK_BYTES)
  })

  it.each([
    { name: 'empty', data: Buffer.alloc(0) },
    { name: 'one byte', data: Buffer.from('x') },
    { name: 'one random block exactly', data: randomBytes(BLOCK_BYTES) }
  ])('writes a valid gzip of $name input', async ({ data }) => {
    expect(gunzipSync(await gzipped(data, 4096)).equals(data)).toBe(true)
  })

  it('writes the same bytes however the input is cut (a re-run gives the same digest)', async () => {
    const [a, b] = [await gzipped(mixed, 64 * 1024), await gzipped(mixed, 7777)]
    expect(a.equals(b)).toBe(true)
  })

  it('fails when its input fails', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('docker save broke'))
      }
    })
    await expect(
      pipeline(failing, gzipChunks, collector().sink)
    ).rejects.toThrow('docker save broke')
  })
})

describe('crc32Fallback (Node before 20.15)', () => {
  it('computes what zlib computes, in one go and continued', () => {
    const data = randomBytes(10_000)
    const split = crc32Fallback(
      data.subarray(4000),
      crc32Fallback(data.subarray(0, 4000))
    )
    expect([crc32Fallback(data), split]).toEqual([crc32(data), crc32(data)])
  })
})
