/**
 * UUIDs for @actions/core's delimiters from /dev/urandom: node:crypto costs a dry run ~7 ms to
 * load.
 */
import { randomUUID as cryptoUUID } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'

const UUID_BYTES = 16
/** Bytes read at a time: the outputs and exports of one run. */
const POOL_BYTES = UUID_BYTES * 64

let pool: Buffer = Buffer.alloc(0)

/** POOL_BYTES from /dev/urandom; undefined where it cannot be read whole. */
function readRandom(): Buffer | undefined {
  let fd: number | undefined
  try {
    fd = openSync('/dev/urandom', 'r')
    const bytes = Buffer.alloc(POOL_BYTES)
    return readSync(fd, bytes, 0, POOL_BYTES, null) === POOL_BYTES
      ? bytes
      : undefined
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** A version 4 UUID (RFC 9562) of 16 random bytes, in its text form. */
export function uuidOf(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, UUID_BYTES))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  return b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')
}

/** A random version 4 UUID, as node:crypto's randomUUID gives. */
export function randomUUID(): string {
  if (pool.length < UUID_BYTES) {
    const read = readRandom()
    if (read === undefined) return cryptoUUID()
    pool = read
  }
  const uuid = uuidOf(pool)
  // used bytes are not kept: each is handed out once
  pool.fill(0, 0, UUID_BYTES)
  pool = pool.subarray(UUID_BYTES)
  return uuid
}
