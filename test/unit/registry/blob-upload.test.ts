/**
 * Blob uploads by digest against a small registry over real sockets
 * (test/support/upload-registry.ts): what is sent, what the registry ends up
 * with, and how a broken upload carries on.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { randomBytes, createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRegistryClient } from '../../../src/registry/client.js'
import {
  startUploadRegistry,
  type UploadFault,
  type UploadRegistry
} from '../../support/upload-registry.js'

const dir = mkdtempSync(join(tmpdir(), 'dpa-blob-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const CHUNK = 1000

function blobFile(size: number) {
  const bytes = randomBytes(size)
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  const path = join(dir, digest.slice(7))
  writeFileSync(path, bytes)
  return { digest, size, path, bytes }
}

let registry: UploadRegistry | undefined
afterEach(async () => {
  await registry?.close()
  registry = undefined
})

async function setUp(options: { retries?: number; timeoutMs?: number } = {}) {
  registry = await startUploadRegistry()
  const sleeps: number[] = []
  const client = createRegistryClient({
    credentials: () => undefined,
    retries: options.retries ?? 3,
    sleep: ms => {
      sleeps.push(ms)
      return Promise.resolve()
    },
    chunkBytes: CHUNK,
    requestTimeoutMs: options.timeoutMs ?? 10_000
  })
  return {
    registry,
    client,
    sleeps,
    image: parseImageName(`${registry.host}/o/app`)
  }
}

/** A fault for the `nth` (1-based) request of `method` only. */
function once(method: string, nth: number, fault: UploadFault) {
  let seen = 0
  return (m: string) => (m === method && ++seen === nth ? fault : undefined)
}

describe('uploading a blob by digest', () => {
  it('sends nothing when the repository has the blob', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(10)
    registry.blobs('o/app').set(blob.digest, blob.bytes)
    expect(await client.uploadBlob(image, blob)).toEqual({
      outcome: 'present',
      bytesSent: 0
    })
    expect(registry.log).toEqual([`HEAD /v2/o/app/blobs/${blob.digest} 200`])
  })

  it('mounts from a repository of the same registry that has it', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(10)
    registry.blobs('o/base').set(blob.digest, blob.bytes)
    const result = await client.uploadBlob(image, blob, {
      mountFrom: [
        parseImageName(`other.example/o/base`),
        parseImageName(`${registry.host}/o/base`)
      ]
    })
    expect(result).toEqual({ outcome: 'mounted', bytesSent: 0 })
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
    expect(registry.log).toEqual([
      `HEAD /v2/o/app/blobs/${blob.digest} 404`,
      'POST /v2/o/app/blobs/uploads/ 201'
    ])
  })

  it('uploads into the session the registry opened when it could not mount', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(10)
    const result = await client.uploadBlob(image, blob, {
      mountFrom: [parseImageName(`${registry.host}/o/base`)]
    })
    expect(result).toEqual({ outcome: 'uploaded', bytesSent: 10 })
    expect(registry.log.slice(1)).toEqual([
      'POST /v2/o/app/blobs/uploads/ 202',
      'PUT /v2/o/app/blobs/uploads/<id> 201'
    ])
  })

  it('sends a small blob in one PUT, and tells the progress', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(CHUNK)
    const progress: number[] = []
    const result = await client.uploadBlob(image, blob, {
      onProgress: sent => progress.push(sent)
    })
    expect(result).toEqual({ outcome: 'uploaded', bytesSent: CHUNK })
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
    expect(registry.log.slice(1)).toEqual([
      'POST /v2/o/app/blobs/uploads/ 202',
      'PUT /v2/o/app/blobs/uploads/<id> 201'
    ])
    expect(progress.at(-1)).toBe(CHUNK)
  })

  it('sends a big blob in PATCH chunks, then the closing PUT', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(2500)
    expect(await client.uploadBlob(image, blob)).toEqual({
      outcome: 'uploaded',
      bytesSent: 2500
    })
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
    expect(registry.ranges).toEqual(['0-999', '1000-1999', '2000-2499'])
    expect(registry.log.at(-1)).toBe('PUT /v2/o/app/blobs/uploads/<id> 201')
  })

  it('sends each chunk of a blob still being written once it is on disk', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(2500)
    // the file holds 1,200 bytes; the writer adds the rest when asked past them
    writeFileSync(blob.path, blob.bytes.subarray(0, 1200))
    const waited: number[] = []
    const available = (end: number) => {
      waited.push(end)
      if (end >= 1200) writeFileSync(blob.path, blob.bytes)
      return Promise.resolve()
    }
    expect(await client.uploadBlob(image, { ...blob, available })).toEqual({
      outcome: 'uploaded',
      bytesSent: 2500
    })
    expect(waited).toEqual([999, 1999, 2499, 2499])
    expect(registry.ranges).toEqual(['0-999', '1000-1999', '2000-2499'])
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
  })

  it('sends nothing of a blob whose writer gave up', async () => {
    const { registry, client, image } = await setUp({ retries: 0 })
    const blob = blobFile(2500)
    const available = () => Promise.reject(new Error('the export ended'))
    await expect(
      client.uploadBlob(image, { ...blob, available })
    ).rejects.toThrow('the export ended')
    expect(registry.ranges).toEqual([])
    expect(registry.blobs('o/app').get(blob.digest)).toBeUndefined()
  })

  it('asks where the upload is after a reset in the middle of a chunk, and resumes there', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(2500)
    registry.fault = once('PATCH', 2, { kind: 'reset', afterBytes: 300 })
    const result = await client.uploadBlob(image, blob)
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
    expect(registry.ranges).toEqual([
      '0-999',
      '1000-1999',
      '1300-2299',
      '2300-2499'
    ])
    expect(registry.log).toContain('GET /v2/o/app/blobs/uploads/<id> 204')
    expect(result.outcome).toBe('uploaded')
  })

  it.each([
    { name: '503 on a PATCH', method: 'PATCH', nth: 2 },
    { name: '503 on the closing PUT', method: 'PUT', nth: 1 },
    { name: '503 on the POST that opens the upload', method: 'POST', nth: 1 }
  ])('carries on after a $name', async ({ method, nth }) => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(2500)
    registry.fault = once(method, nth, { kind: 'status', status: 503 })
    expect((await client.uploadBlob(image, blob)).outcome).toBe('uploaded')
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
    expect(registry.log).toContain(
      `${method} /v2/o/app/blobs/uploads/${method === 'POST' ? '' : '<id>'} 503`
    )
  })

  it("waits the registry's Retry-After after a 429", async () => {
    const { registry, client, image, sleeps } = await setUp()
    const blob = blobFile(2500)
    registry.fault = once('PATCH', 1, {
      kind: 'status',
      status: 429,
      retryAfter: 7
    })
    await client.uploadBlob(image, blob)
    expect(sleeps).toEqual([7000])
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
  })

  it('a small blob whose one PUT failed before any byte landed is sent again from its first byte', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(500)
    registry.fault = once('PUT', 1, { kind: 'status', status: 503 })
    await client.uploadBlob(image, blob)
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
  })

  it('starts a new upload when the registry forgot the session', async () => {
    const { registry, client, image } = await setUp()
    const blob = blobFile(2500)
    registry.fault = once('PATCH', 2, { kind: 'forget' })
    await client.uploadBlob(image, blob)
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
    expect(registry.log.filter(line => line.startsWith('POST'))).toEqual([
      'POST /v2/o/app/blobs/uploads/ 202',
      'POST /v2/o/app/blobs/uploads/ 202'
    ])
    expect(registry.ranges).toEqual([
      '0-999',
      '0-999',
      '1000-1999',
      '2000-2499'
    ])
  })

  it('gives up on a request that hangs, within the timeout and the retries', async () => {
    const { registry, client, image } = await setUp({
      retries: 1,
      timeoutMs: 500
    })
    const blob = blobFile(2500)
    registry.fault = method =>
      method === 'PATCH' ? { kind: 'hang' } : undefined
    await expect(client.uploadBlob(image, blob)).rejects.toThrow(
      /failed after 2 attempts: no response within 500 ms/
    )
  })

  it('carries on after one hung chunk', async () => {
    const { registry, client, image } = await setUp({ timeoutMs: 500 })
    const blob = blobFile(2500)
    registry.fault = once('PATCH', 2, { kind: 'hang' })
    await client.uploadBlob(image, blob)
    expect(registry.blobs('o/app').get(blob.digest)).toEqual(blob.bytes)
  })

  it('refuses an upload location on another origin', async () => {
    const { registry, client, image } = await setUp()
    registry.locationOrigin = 'http://elsewhere.example'
    await expect(client.uploadBlob(image, blobFile(10))).rejects.toThrow(
      'the upload URL points to another origin (http://elsewhere.example)'
    )
  })

  it('refuses a digest that is no sha256 before any request', async () => {
    const { registry, client, image } = await setUp()
    const blob = { ...blobFile(10), digest: 'sha256:../../x' }
    await expect(client.uploadBlob(image, blob)).rejects.toThrow(
      'invalid digest "sha256:../../x"'
    )
    expect(registry.log).toEqual([])
  })

  it('does not try to mount from the repository it uploads to', async () => {
    const { registry, client, image } = await setUp()
    await client.uploadBlob(image, blobFile(10), { mountFrom: [image] })
    expect(registry.log.slice(1)).toEqual([
      'POST /v2/o/app/blobs/uploads/ 202',
      'PUT /v2/o/app/blobs/uploads/<id> 201'
    ])
  })

  it('fails at once on a refusal that no retry mends', async () => {
    const { registry, client, image } = await setUp()
    registry.fault = once('PUT', 1, {
      kind: 'status',
      status: 400,
      code: 'DIGEST_INVALID'
    })
    await expect(client.uploadBlob(image, blobFile(10))).rejects.toThrow(
      /400 Bad Request: DIGEST_INVALID/
    )
  })
})
