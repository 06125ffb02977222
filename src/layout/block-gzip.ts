/**
 * A layer gzipped in fixed 1 MiB blocks, two at a time on zlib's threads: a
 * random-looking block stored (deflate gains under 1% for ~4x the CPU), the
 * others deflated each alone (a 32 KiB window loses little). Blocks and choice
 * depend on the bytes alone: a re-run gives the same digest. zlib can neither
 * change level between blocks nor deflate them apart: hence our own framing.
 */
import { promisify } from 'node:util'
// a namespace: a named import of crc32 fails to link where Node lacks it
import * as zlib from 'node:zlib'

export const BLOCK_BYTES = 1024 * 1024
/**
 * The gzip level. Measured here: level 1 costs half the CPU of level 6 on compressible layers for
 * ~10% more bytes, and the same on random data.
 */
const GZIP_LEVEL = 1
/** Blocks deflated at once (zlib runs on libuv's worker threads). */
const IN_FLIGHT = 2
/** Every SAMPLE_STEP-th byte is counted; enough for the entropy of a block. */
const SAMPLE_STEP = 8
/** Bits per byte above which deflate gains under ~1% (random data: 8). */
const RANDOM_BITS = 7.9
/** A stored deflate block holds at most this many bytes. */
const STORED_MAX = 65_535

const deflateBlock = promisify(zlib.deflateRaw)

let crcTable: Uint32Array | undefined

/** CRC-32 as zlib computes it, in plain code: zlib.crc32 came with Node 20.15. */
export function crc32Fallback(data: Uint8Array, value = 0): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  let crc = ~value >>> 0
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return ~crc >>> 0
}

const crc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Fallback

/** The sampled byte entropy of `block`, in bits per byte (0 to 8). */
function sampledEntropy(block: Uint8Array): number {
  const counts = new Uint32Array(256)
  let samples = 0
  for (let i = 0; i < block.length; i += SAMPLE_STEP) {
    counts[block[i]]++
    samples++
  }
  let bits = 0
  for (const count of counts) {
    if (count === 0) continue
    const p = count / samples
    bits -= p * Math.log2(p)
  }
  return bits
}

/** The level a block is gzipped at: stored (0) when it looks random. */
export function blockLevel(block: Uint8Array): number {
  return sampledEntropy(block) > RANDOM_BITS ? 0 : GZIP_LEVEL
}

/** `source` cut into blocks of `size` bytes (the last one shorter). */
export async function* fixedBlocks(
  source: AsyncIterable<Uint8Array>,
  size = BLOCK_BYTES
): AsyncGenerator<Buffer> {
  let parts: Uint8Array[] = []
  let held = 0
  for await (const chunk of source) {
    let offset = 0
    while (offset < chunk.length) {
      const take = Math.min(size - held, chunk.length - offset)
      parts.push(chunk.subarray(offset, offset + take))
      held += take
      offset += take
      if (held === size) {
        yield Buffer.concat(parts, size)
        parts = []
        held = 0
      }
    }
  }
  if (held > 0) yield Buffer.concat(parts, held)
}

/** Non-final stored blocks holding `block` as it is. */
function stored(block: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < block.length; at += STORED_MAX) {
    const part = block.subarray(at, at + STORED_MAX)
    const header = Buffer.alloc(5)
    header.writeUInt16LE(part.length, 1)
    header.writeUInt16LE(~part.length & 0xffff, 3)
    out.push(header, part)
  }
  return out
}

/** One block's deflate data, ending on a byte boundary and not final. */
async function packBlock(block: Buffer): Promise<Buffer[]> {
  const chosen = blockLevel(block)
  if (chosen === 0) return stored(block)
  // a sync flush ends the data on a byte boundary without a final block
  return [
    await deflateBlock(block, {
      level: chosen,
      finishFlush: zlib.constants.Z_SYNC_FLUSH
    })
  ]
}

/** gzip's header as zlib writes it: no name, no time, Unix; XFL 4 for the fastest level (1). */
const HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3]

/** The gzip member of `source`, chunk by chunk (a pipeline step). */
export async function* gzipChunks(
  source: AsyncIterable<Uint8Array>
): AsyncGenerator<Buffer> {
  yield Buffer.from(HEADER)
  let crc = 0
  let size = 0
  const pending: Promise<Buffer[]>[] = []
  for await (const block of fixedBlocks(source)) {
    crc = crc32(block, crc)
    size += block.length
    const packed = packBlock(block)
    // one that fails while an earlier one is awaited is not unhandled
    packed.catch(() => undefined)
    pending.push(packed)
    if (pending.length >= IN_FLIGHT) yield* await (pending.shift() ?? [])
  }
  for (const packed of pending) yield* await packed
  const trailer = Buffer.alloc(13)
  trailer[0] = 1 // the final block: empty, stored
  trailer.writeUInt16LE(0xffff, 3)
  trailer.writeUInt32LE(crc >>> 0, 5)
  trailer.writeUInt32LE(size % 2 ** 32, 9)
  yield trailer
}
