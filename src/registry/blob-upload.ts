/**
 * One blob into one repository: nothing sent when it is there, a mount when
 * another repository of the registry has it, else streamed from the file
 * (one PUT, or PATCH chunks), resumed where the registry says after a failure.
 */
import { createReadStream } from 'node:fs'
import type { RepositoryReference } from '../reference/repository.js'
import type { Image } from '../reference/images.js'
import { TransientError, withRetry, type RetryOptions } from './retry.js'
import type { RegistryResponse } from './http-fetch.js'
import { sameOriginUrl } from './link.js'
import {
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

export interface UploadTuning {
  /** Blobs up to this size go in one PUT; bigger ones in PATCH chunks of it. */
  chunkBytes: number
  retry: Omit<RetryOptions, 'describe'>
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024

/** An upload session: where to send the next bytes, and how many the registry has. */
interface Session {
  location: string
  offset: number
}

/** Uploads `blob` into `ref` unless it is there or can be mounted. */
export async function uploadBlob(
  transport: Transport,
  ref: RepositoryReference,
  blob: BlobFile,
  options: UploadBlobOptions,
  tuning: UploadTuning
): Promise<BlobUploadResult> {
  const uploads = `/v2/${ref.repository}/blobs/uploads/`
  const chunkBytes = options.chunkBytes ?? tuning.chunkBytes
  let bytesSent = 0

  const result = (outcome: BlobOutcome): BlobUploadResult => {
    if (outcome !== 'uploaded') options.onProgress?.(blob.size)
    return { outcome, bytesSent }
  }

  /** A request on the blob's repository, with the push scope unless it says another. */
  const request = <T>(req: RegistryRequest, read: ResponseReader<T>) =>
    transport.request(ref, { scope: pushScope(ref), ...req }, read)

  const exists = (): Promise<boolean> => {
    const path = `/v2/${ref.repository}/blobs/${blob.digest}`
    return request({ method: 'HEAD', path }, async (response, fail) => {
      if (response.status === 404) return false
      if (!response.ok) throw await fail()
      return true
    })
  }

  /** The upload's next URL, from the Location header, on the registry's origin. */
  const location = (response: RegistryResponse): string => {
    const at = response.headers.get('location')
    if (at === null) throw new TransientError('no Location header')
    return sameOriginUrl(ref, at, response.url, 'the upload URL')
  }

  /** undefined when mounted; the upload the registry opened instead otherwise. */
  const mount = (from: RepositoryReference): Promise<Session | undefined> => {
    const query = `mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from.repository)}`
    const post = {
      method: 'POST',
      path: `${uploads}?${query}`,
      scope: `${pushScope(ref)} repository:${from.repository}:pull`
    } as const
    return request(post, async (response, fail) => {
      await response.body?.cancel()
      if (response.status === 201) return undefined
      if (response.status !== 202) throw await fail()
      return { location: location(response), offset: 0 }
    })
  }

  const open = (): Promise<Session> =>
    request({ method: 'POST', path: uploads }, async (response, fail) => {
      await response.body?.cancel()
      if (response.status !== 202) throw await fail()
      return { location: location(response), offset: 0 }
    })

  /** A part of the blob file as a request body, its bytes counted. */
  const stream = (start: number, end: number) => {
    let counted = 0
    return {
      size: end - start + 1,
      open: () => {
        counted = 0
        return createReadStream(blob.path, { start, end })
      },
      onBytes: (sent: number) => {
        bytesSent += sent - counted
        counted = sent
        options.onProgress?.(start + sent)
      }
    }
  }

  /** Transient: a forgotten or broken upload (404, 400 BLOB_UPLOAD_INVALID), an unexpected range (416). */
  const lost = async (
    response: RegistryResponse,
    fail: () => Promise<Error>
  ): Promise<Error> => {
    const error = await fail()
    const mendable =
      response.status === 404 ||
      response.status === 416 ||
      (response.status === 400 && /BLOB_UPLOAD_INVALID/.test(error.message))
    return mendable
      ? new TransientError(`the upload session broke: ${error.message}`)
      : error
  }

  const patch = async (session: Session): Promise<Session> => {
    const start = session.offset
    const end = Math.min(start + chunkBytes, blob.size) - 1
    await blob.available?.(end)
    const chunk = {
      method: 'PATCH',
      path: session.location,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${start}-${end}`
      },
      body: stream(start, end),
      retry: false
    } as const
    return request(chunk, async (response, fail) => {
      await response.body?.cancel()
      if (response.status !== 202) throw await lost(response, fail)
      const offset = rangeEnd(response.headers.get('range')) ?? end + 1
      // a registry that keeps none of a chunk would have us send it for ever
      if (offset <= start)
        throw new RegistryError(
          ref.registry,
          `the upload of ${blob.digest} took none of bytes ${start}-${end}`
        )
      return { location: location(response), offset }
    })
  }

  /** The closing PUT `?digest=`, with the whole blob as its body or none. */
  const put = async (session: Session, whole: boolean): Promise<void> => {
    await blob.available?.(blob.size - 1)
    const separator = session.location.includes('?') ? '&' : '?'
    const close = {
      method: 'PUT',
      path: `${session.location}${separator}digest=${encodeURIComponent(blob.digest)}`,
      headers: { 'Content-Type': 'application/octet-stream' },
      body:
        whole && blob.size > 0 ? stream(0, blob.size - 1) : new Uint8Array(),
      retry: false
    } as const
    await request(close, async (response, fail) => {
      await response.body?.cancel()
      if (response.status !== 201) throw await lost(response, fail)
    })
  }

  /** One request: the whole blob, the next chunk, or the closing PUT. */
  const step = async (session: Session): Promise<Session | 'done'> => {
    const whole = session.offset === 0 && blob.size <= chunkBytes
    if (whole || session.offset >= blob.size) {
      await put(session, whole)
      return 'done'
    }
    return patch(session)
  }

  /**
   * Where the upload is after a failed step: the registry's offset, a new
   * upload if it forgot this one, or 'present' if the blob got in after all
   * (the closing PUT's answer was lost).
   */
  const resync = async (session: Session): Promise<Session | 'present'> => {
    const get = { method: 'GET', path: session.location } as const
    const found = await request(get, async (response, fail) => {
      await response.body?.cancel()
      if (response.status === 404) return undefined
      if (!response.ok) throw await fail()
      const range = response.headers.get('range')
      // distribution 2.8 says 0-0 for no byte as for one: start over
      if (/^\s*(?:bytes=)?0-0\s*$/.test(range ?? '')) return undefined
      const offset = rangeEnd(range) ?? 0
      return { location: location(response), offset }
    })
    if (found !== undefined) return found
    if (await exists()) return 'present'
    return open()
  }

  /**
   * Sends the bytes, each step retried, asking the registry where the upload
   * is after a failed one. True if the registry turned out to have the blob.
   */
  const send = async (first: Session): Promise<boolean> => {
    let session = first
    let unsure = false
    for (;;) {
      const attempt = async (): Promise<Session | 'done' | 'present'> => {
        if (unsure) {
          const found = await resync(session)
          if (found === 'present') return found
          session = found
        }
        unsure = true
        const next = await step(session)
        unsure = false
        return next
      }
      const next = await withRetry(attempt, {
        ...tuning.retry,
        describe: `registry ${ref.registry}: upload of ${blob.digest} to ${ref.repository}`
      })
      if (next === 'done') return false
      if (next === 'present') return true
      session = next
    }
  }

  if (await exists()) return result('present')
  let session: Session | undefined
  for (const from of options.mountFrom ?? []) {
    const elsewhere =
      from.registry !== ref.registry || from.repository === ref.repository
    if (elsewhere) continue
    session = await mount(from)
    if (session === undefined) return result('mounted')
    break // a 202: the registry opened an upload instead
  }
  session ??= await open()
  return result((await send(session)) ? 'present' : 'uploaded')
}

/** The offset after a `Range: 0-N` header (N + 1); distribution says 0--1 for none. */
function rangeEnd(range: string | null): number | undefined {
  const match = /^\s*(?:bytes=)?0-(-?\d+)\s*$/.exec(range ?? '')
  return match === null ? undefined : Number(match[1]) + 1
}
