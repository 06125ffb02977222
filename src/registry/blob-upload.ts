/**
 * One blob into one repository: nothing sent when it is there, a mount when
 * another repository of the registry has it, else streamed from the file
 * (one PUT, or PATCH chunks), resumed where the registry says after a failure.
 */
import { createReadStream } from 'node:fs'
import type { RepositoryReference } from '../reference/repository.js'
import type { Image } from '../reference/images.js'
import { TransientError } from './retry.js'
import type { RegistryResponse } from './http-fetch.js'
import { sameOriginUrl } from './origin.js'
import {
  orMissing,
  pullScope,
  pushScope,
  type RegistryRequest,
  type ResponseReader,
  type Transport
} from './transport.js'
import { RegistryError } from './registry-error.js'

export interface BlobFile {
  digest: string
  size: number
  path: string
  /** A file still being written: resolves once byte `end` is in it. */
  available?: (end: number) => Promise<void>
}

export type BlobOutcome = 'present' | 'mounted' | 'uploaded'

export interface BlobUploadResult {
  outcome: BlobOutcome
  /** Bytes sent to the registry, resent ones included. */
  bytesSent: number
}

export interface UploadBlobOptions {
  /** Repositories of the same registry that may have the blob: mounted from, not uploaded. */
  mountFrom?: Image[]
  /** Told the bytes of the blob the registry has so far, as they are sent. */
  onProgress?: (sent: number) => void
  /** PATCH chunks of this size instead of the client's. */
  chunkBytes?: number
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024

/** An upload session: where to send the next bytes, and how many the registry has. */
interface Session {
  location: string
  offset: number
}

/**
 * POST of a new upload, or of a mount of `digest` from `from`: undefined when the registry mounted
 * the blob (201, a mount's only), else where the upload it opened goes (202), on the registry's
 * origin.
 */
export function openUpload(
  transport: Transport,
  ref: RepositoryReference,
  mount?: { digest: string; from: RepositoryReference }
): Promise<string | undefined> {
  const query =
    mount &&
    `?mount=${encodeURIComponent(mount.digest)}` +
      `&from=${encodeURIComponent(mount.from.repository)}`
  const request = {
    method: 'POST',
    path: `/v2/${ref.repository}/blobs/uploads/${query ?? ''}`,
    scope: mount ? `${pushScope(ref)} ${pullScope(mount.from)}` : pushScope(ref)
  } as const
  return transport.request(ref, request, async (response, fail) => {
    await response.body?.cancel()
    if (mount && response.status === 201) return undefined
    if (response.status !== 202) throw await fail()
    return uploadLocation(ref, response)
  })
}

/** Uploads `blob` into `ref` unless it is there or can be mounted (`run`). */
export class BlobUpload {
  private bytesSent = 0

  constructor(
    private readonly transport: Transport,
    private readonly ref: RepositoryReference,
    private readonly blob: BlobFile,
    private readonly options: UploadBlobOptions,
    /** Blobs up to this size go in one PUT; bigger ones in PATCH chunks of it. */
    private readonly chunkBytes: number
  ) {}

  async run(): Promise<BlobUploadResult> {
    if (await this.exists()) return this.result('present')
    // the first repository of this registry to mount from, the blob's own left out
    const from = this.options.mountFrom?.find(
      image =>
        image.registry === this.ref.registry &&
        image.repository !== this.ref.repository
    )
    const mount = from && { digest: this.blob.digest, from }
    // undefined: the registry mounted the blob (a mount answered 202 opened an upload instead)
    const location = await openUpload(this.transport, this.ref, mount)
    if (location === undefined) return this.result('mounted')
    const present = await this.send({ location, offset: 0 })
    return this.result(present ? 'present' : 'uploaded')
  }

  private result(outcome: BlobOutcome): BlobUploadResult {
    if (outcome !== 'uploaded') this.options.onProgress?.(this.blob.size)
    return { outcome, bytesSent: this.bytesSent }
  }

  /** A request on the blob's repository, with the push scope unless it says another. */
  private request<T>(
    request: RegistryRequest,
    read: ResponseReader<T>
  ): Promise<T> {
    const scoped = { scope: pushScope(this.ref), ...request }
    return this.transport.request(this.ref, scoped, read)
  }

  private async exists(): Promise<boolean> {
    const path = `/v2/${this.ref.repository}/blobs/${this.blob.digest}`
    const found = orMissing(() => true)
    return (await this.request({ method: 'HEAD', path }, found)) ?? false
  }

  /**
   * Sends the bytes, each step retried, asking the registry where the upload is after a failed one.
   * True if the registry turned out to have the blob.
   */
  private async send(first: Session): Promise<boolean> {
    let session = first
    let unsure = false
    for (;;) {
      const step = async (): Promise<Session | 'done' | 'present'> => {
        if (unsure) {
          const found = await this.resync(session)
          if (found === 'present') return found
          session = found
        }
        unsure = true
        const next = await this.step(session)
        unsure = false
        return next
      }
      const next = await this.transport.retry(
        step,
        `registry ${this.ref.registry}: upload of ${this.blob.digest} to ` +
          `${this.ref.repository}`
      )
      if (next === 'done') return false
      if (next === 'present') return true
      session = next
    }
  }

  /** One request: the whole blob, the next chunk, or the closing PUT. */
  private async step(session: Session): Promise<Session | 'done'> {
    const { size } = this.blob
    const whole = session.offset === 0 && size <= this.chunkBytes
    if (whole || session.offset >= size) {
      await this.put(session, whole)
      return 'done'
    }
    return this.patch(session)
  }

  private async patch(session: Session): Promise<Session> {
    const start = session.offset
    const end = Math.min(start + this.chunkBytes, this.blob.size) - 1
    await this.blob.available?.(end)
    const request = {
      method: 'PATCH',
      path: session.location,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${start}-${end}`
      },
      body: this.stream(start, end),
      retry: false
    } as const
    return this.request(request, async (response, fail) => {
      await response.body?.cancel()
      if (response.status !== 202) throw await this.lost(response, fail)
      const offset = rangeEnd(response.headers.get('range')) ?? end + 1
      // a registry that keeps none of a chunk would have us send it for ever
      if (offset <= start)
        throw new RegistryError(
          this.ref.registry,
          `the upload of ${this.blob.digest} took none of bytes ${start}-${end}`
        )
      return { location: uploadLocation(this.ref, response), offset }
    })
  }

  /** The closing PUT `?digest=`, with the whole blob as its body or none. */
  private async put(session: Session, whole: boolean): Promise<void> {
    await this.blob.available?.(this.blob.size - 1)
    const separator = session.location.includes('?') ? '&' : '?'
    const request = {
      method: 'PUT',
      path: `${session.location}${separator}digest=${encodeURIComponent(this.blob.digest)}`,
      headers: { 'Content-Type': 'application/octet-stream' },
      body:
        whole && this.blob.size > 0
          ? this.stream(0, this.blob.size - 1)
          : new Uint8Array(),
      retry: false
    } as const
    await this.request(request, async (response, fail) => {
      await response.body?.cancel()
      if (response.status !== 201) throw await this.lost(response, fail)
    })
  }

  /**
   * Where the upload is after a failed step: the registry's offset, a new
   * upload if it forgot this one, or 'present' if the blob got in after all
   * (the closing PUT's answer was lost).
   */
  private async resync(session: Session): Promise<Session | 'present'> {
    const request = { method: 'GET', path: session.location } as const
    const found = await this.request(request, async (response, fail) => {
      await response.body?.cancel()
      if (response.status === 404) return undefined
      if (!response.ok) throw await fail()
      const range = response.headers.get('range')
      // distribution 2.8 says 0-0 for no byte as for one: start over
      if (/^\s*(?:bytes=)?0-0\s*$/.test(range ?? '')) return undefined
      const offset = rangeEnd(range) ?? 0
      return { location: uploadLocation(this.ref, response), offset }
    })
    if (found !== undefined) return found
    if (await this.exists()) return 'present'
    return {
      location: (await openUpload(this.transport, this.ref)) ?? '',
      offset: 0
    }
  }

  /**
   * Transient: a forgotten or broken upload (404, 400 BLOB_UPLOAD_INVALID), an unexpected range
   * (416).
   */
  private async lost(
    response: RegistryResponse,
    fail: () => Promise<Error>
  ): Promise<Error> {
    const error = await fail()
    const mendable =
      response.status === 404 ||
      response.status === 416 ||
      (response.status === 400 && /BLOB_UPLOAD_INVALID/.test(error.message))
    return mendable
      ? new TransientError(`the upload session broke: ${error.message}`)
      : error
  }

  /** A part of the blob file as a request body, its bytes counted. */
  private stream(start: number, end: number) {
    const size = end - start + 1
    let counted = 0
    return {
      size,
      open: () => {
        counted = 0
        return createReadStream(this.blob.path, { start, end })
      },
      onBytes: (sent: number) => {
        this.bytesSent += sent - counted
        counted = sent
        this.options.onProgress?.(start + sent)
      }
    }
  }
}

/** The upload's next URL, from the Location header, on the registry's origin. */
function uploadLocation(
  ref: RepositoryReference,
  response: RegistryResponse
): string {
  const location = response.headers.get('location')
  if (location === null) throw new TransientError('no Location header')
  return sameOriginUrl(ref, location, response.url, 'the upload URL')
}

/** The offset after a `Range: 0-N` header (N + 1); distribution says 0--1 for none. */
function rangeEnd(range: string | null): number | undefined {
  const match = /^\s*(?:bytes=)?0-(-?\d+)\s*$/.exec(range ?? '')
  return match === null ? undefined : Number(match[1]) + 1
}
