/** A repository's blobs over the registry API (a blob file's upload: blob-upload.ts). */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { HttpResponse, RegistryResponse } from './http-fetch.js'
import { RegistryError } from './registry-error.js'
import type { Image } from '../reference/images.js'
import { orMissing, pullScope, pushScope, type Transport } from './transport.js'
import {
  type BlobFile,
  type BlobUploadResult,
  BlobUpload,
  openUpload,
  type UploadBlobOptions,
  type UploadTuning
} from './blob-upload.js'
import { sha256Digest } from '../reference/grammar.js'
import { checkSha256Digest } from './manifest.js'

export type { UploadBlobOptions }

export interface BlobEndpoints {
  /** Makes a blob of another repository on the same registry available here, uploading nothing. */
  mountBlob(image: Image, digest: string, fromImage: Image): Promise<void>
  /**
   * Puts a blob file into the repository by its digest: nothing sent if it
   * is there, mounted if a `mountFrom` image has it, else uploaded (and
   * resumed after a failure where the registry says it is).
   */
  uploadBlob(
    image: Image,
    blob: BlobFile,
    options?: UploadBlobOptions
  ): Promise<BlobUploadResult>
  /** A blob's bytes (an image config); undefined if the registry has none. */
  getBlob(image: Image, digest: string): Promise<Uint8Array | undefined>
  /** A blob streamed into a file, its digest checked; false if the registry has none. */
  downloadBlob(image: Image, digest: string, path: string): Promise<boolean>
  /** Uploads a small blob in one request (POST an upload, PUT its bytes); returns its digest. */
  putBlob(image: Image, bytes: Uint8Array): Promise<string>
}

function blobRequest(ref: Image, digest: string) {
  checkSha256Digest(ref, digest)
  return {
    method: 'GET',
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scope: pullScope(ref)
  } as const
}

/** The body as it comes (our client's), or read whole (another fetch's). */
async function bodyStream(response: RegistryResponse): Promise<Readable> {
  if ('stream' in response) return (response as HttpResponse).stream
  return Readable.from([Buffer.from(await response.arrayBuffer())])
}

async function mountBlob(
  transport: Transport,
  ref: Image,
  digest: string,
  from: Image
): Promise<void> {
  // a 202: the registry opened an upload instead
  if ((await openUpload(transport, ref, { digest, from })) !== undefined)
    throw new RegistryError(
      ref.registry,
      `did not mount blob ${digest} from ${from.repository} into ${ref.repository} (HTTP 202)`
    )
}

async function downloadBlob(
  transport: Transport,
  ref: Image,
  digest: string,
  path: string
): Promise<boolean> {
  const read = orMissing(async response => {
    const partial = `${path}.partial`
    const hash = createHash('sha256')
    await pipeline(
      await bodyStream(response),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk)
          done(null, chunk)
        }
      }),
      createWriteStream(partial)
    )
    if (`sha256:${hash.digest('hex')}` !== digest)
      throw new RegistryError(
        ref.registry,
        `blob ${digest} of ${ref.repository} does not match its digest`
      )
    await rename(partial, path)
    return true
  })
  const request = blobRequest(ref, digest)
  return (await transport.request(ref, request, read)) ?? false
}

async function putBlob(
  transport: Transport,
  ref: Image,
  bytes: Uint8Array
): Promise<string> {
  const digest = sha256Digest(bytes)
  const location = new URL((await openUpload(transport, ref)) ?? '')
  location.searchParams.set('digest', digest)
  const put = {
    method: 'PUT',
    path: location.toString(),
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
    scope: pushScope(ref)
  } as const
  await transport.request(ref, put, async (response, fail) => {
    await response.body?.cancel()
    if (response.status !== 201) throw await fail()
  })
  return digest
}

export function blobEndpoints(
  transport: Transport,
  tuning: UploadTuning
): BlobEndpoints {
  return {
    mountBlob: (image, digest, from) =>
      mountBlob(transport, image, digest, from),
    uploadBlob: async (image, blob, options = {}) => {
      checkSha256Digest(image, blob.digest)
      return await new BlobUpload(transport, image, blob, options, tuning).run()
    },
    getBlob: (image, digest) =>
      transport.request(
        image,
        blobRequest(image, digest),
        orMissing(
          async response => new Uint8Array(await response.arrayBuffer())
        )
      ),
    downloadBlob: (image, digest, path) =>
      downloadBlob(transport, image, digest, path),
    putBlob: (image, bytes) => putBlob(transport, image, bytes)
  }
}
