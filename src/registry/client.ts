/**
 * The registry API v2 client: the transport (timeouts, auth, retries), whether a registry answers
 * (its API, with or without credentials, an upload endpoint), and its endpoints: a repository's
 * tags, its manifests and a digest's referrers, its blobs (a blob file's upload: blob-upload.ts).
 */
import { createHash, type Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  parseRegistry,
  type RepositoryReference
} from '../reference/repository.js'
import type { Image } from '../reference/images.js'
import { isSha256Digest, isTag, sha256Digest } from '../reference/grammar.js'
import type { HttpResponse, RegistryResponse } from './http-fetch.js'
import {
  orMissing,
  pullScope,
  pushScope,
  type RegistryRequest,
  Transport,
  type TransportOptions
} from './transport.js'
import {
  type BlobFile,
  type BlobUploadResult,
  BlobUpload,
  DEFAULT_CHUNK_BYTES,
  openUpload,
  type UploadBlobOptions
} from './blob-upload.js'
import {
  ACCEPT_MANIFESTS,
  checkSha256Digest,
  type Manifest,
  manifestPath,
  mediaTypeOf,
  type OciDescriptor
} from './manifest.js'
import { answeredByEndpoint, MAX_PAGES, nextPageUrl } from './origin.js'
import { misreadManifest, RegistryError } from './registry-error.js'

/** The transport's options, and the client's own. */
export interface RegistryClientOptions extends TransportOptions {
  /** Tags per page (`?n=`); default: the registry's own page size. */
  pageSize?: number
  /** Blob uploads: bigger blobs go in PATCH chunks of this size; default 64 MiB. */
  chunkBytes?: number
}

export interface PushedManifest {
  digest: string
  /** The `OCI-Subject` header: the subject digest the registry indexed, if it did. */
  subject: string | undefined
  /** An `ifMatch` put refused with 412: the reference holds something else now. */
  conflict: boolean
}

/**
 * Every request the action makes of a registry's API: the HTTP client's public methods (the
 * executor's tests implement them in memory).
 */
export type RegistryClient = Pick<HttpRegistryClient, keyof HttpRegistryClient>

/** An upload id no registry has handed out (pingUploads asks for it). */
const UPLOAD_PROBE = 'docker-publish-action-liveness-probe'

/** A HEAD or GET of a manifest, in any of the media types we read. */
function manifestRead(
  method: 'HEAD' | 'GET',
  ref: RepositoryReference,
  reference: string
): RegistryRequest {
  return {
    method,
    path: manifestPath(ref, reference),
    headers: { Accept: ACCEPT_MANIFESTS },
    scope: pullScope(ref)
  }
}

function blobRequest(ref: Image, digest: string) {
  checkSha256Digest(ref, digest)
  return {
    method: 'GET',
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scope: pullScope(ref)
  } as const
}

/** A response's body as it comes (our client's), or read whole (another fetch's). */
async function bodyStream(response: RegistryResponse): Promise<Readable> {
  return 'stream' in response
    ? (response as HttpResponse).stream
    : Readable.from([Buffer.from(await response.arrayBuffer())])
}

/** Passes the bytes on as they come, hashing them (and counting them when asked). */
export function tap(hash: Hash, count?: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      count?.(chunk.length)
      done(null, chunk)
    }
  })
}

class HttpRegistryClient {
  private readonly transport: Transport

  constructor(private readonly options: RegistryClientOptions) {
    this.transport = new Transport(options)
  }

  /** Resolves if the registry answers the API (401 counts). */
  ping(registry: string): Promise<void> {
    return this.getV2(registry, false)
  }

  /** Resolves if the registry accepts the credentials it is given (GET /v2/ authenticated). */
  checkCredentials(registry: string): Promise<void> {
    return this.getV2(registry, true)
  }

  /** GET /v2/: unauthenticated a 401 counts as an answer, authenticated it fails. */
  private async getV2(registry: string, authenticate: boolean): Promise<void> {
    const request = { method: 'GET', path: '/v2/', authenticate } as const
    await this.transport.request(
      parseRegistry(registry),
      request,
      async (response, fail) => {
        if (!response.ok && (authenticate || response.status !== 401))
          throw await fail()
        await response.body?.cancel()
      }
    )
  }

  /**
   * A Bearer token that may only pull these repositories of one registry (a reader's, for the
   * gate), asked afresh of its token server; undefined where the registry takes Basic or nothing.
   */
  async pullToken(refs: RepositoryReference[]): Promise<string | undefined> {
    // the unauthenticated /v2/ tells the scheme (a client that asked nothing yet knows none)
    await this.ping(refs[0].registry)
    return this.transport.freshToken(refs[0], refs.map(pullScope).join(' '))
  }

  /**
   * Resolves when the registry answers (any status) on the repository's
   * upload endpoint, where a push writes: asks for an upload that does not
   * exist, so nothing is written. Rejects when no answer came in time.
   */
  async pingUploads(ref: Image): Promise<void> {
    const request = {
      method: 'GET',
      path: `/v2/${ref.repository}/blobs/uploads/${UPLOAD_PROBE}`,
      scope: pushScope(ref)
    } as const
    await this.transport.request(ref, request, async response => {
      await response.body?.cancel()
    })
  }

  /** Every tag of the repository, all pages; [] if the repository does not exist. */
  async listTags(ref: Image): Promise<string[]> {
    const { pageSize } = this.options
    const query = pageSize === undefined ? '' : `?n=${pageSize}`
    const tags: string[] = []
    let path: string | undefined = `/v2/${ref.repository}/tags/list${query}`
    for (let page = 1; path !== undefined; page++) {
      if (page > MAX_PAGES) {
        throw new RegistryError(
          ref.registry,
          `more than ${MAX_PAGES} pages of tags for ${ref.repository}`
        )
      }
      const request: RegistryRequest = {
        method: 'GET',
        path,
        scope: pullScope(ref)
      }
      const result = await this.transport.request(
        ref,
        request,
        orMissing(async response => ({
          body: (await response.json()) as { tags?: string[] | null },
          next: nextPageUrl(ref, response)
        }))
      )
      tags.push(...(result?.body.tags ?? []))
      path = result?.next
    }
    return tags
  }

  /** The digest a tag or digest resolves to; undefined if there is none. */
  async getDigest(ref: Image, reference: string): Promise<string | undefined> {
    const request = manifestRead('HEAD', ref, reference)
    const digest = await this.transport.request(
      ref,
      request,
      orMissing(response => response.headers.get('docker-content-digest'))
    )
    if (digest === undefined) return undefined
    // Some registries omit the header on HEAD: hash the manifest instead.
    return digest ?? (await this.getManifest(ref, reference))?.digest
  }

  getManifest(ref: Image, reference: string): Promise<Manifest | undefined> {
    const request = manifestRead('GET', ref, reference)
    return this.transport.request(
      ref,
      request,
      orMissing(async response => {
        const body = new Uint8Array(await response.arrayBuffer())
        const digest = response.headers.get('docker-content-digest')
        const etag = response.headers.get('etag')
        return {
          mediaType: mediaTypeOf(response, body),
          digest: digest ?? sha256Digest(body),
          body,
          ...(etag === null ? {} : { etag })
        }
      })
    )
  }

  /** Puts the manifest under a tag, or under its own digest; returns the registry's digest. */
  async putManifest(
    image: Image,
    tag: string,
    manifest: Manifest
  ): Promise<string> {
    return (await this.pushManifest(image, tag, manifest)).digest
  }

  /**
   * putManifest that also tells the `OCI-Subject` answer (the registry
   * indexed the manifest's subject) and, with `ifMatch` (an ETag), puts
   * only if the reference still holds that: a 412 is `conflict`.
   */
  async pushManifest(
    ref: Image,
    reference: string,
    manifest: Manifest,
    ifMatch?: string
  ): Promise<PushedManifest> {
    if (!isTag(reference) && !isSha256Digest(reference))
      throw new RegistryError(
        ref.registry,
        `invalid tag ${JSON.stringify(reference)}`
      )
    const request = {
      method: 'PUT',
      path: manifestPath(ref, reference),
      headers: {
        'Content-Type': manifest.mediaType,
        ...(ifMatch === undefined ? {} : { 'If-Match': ifMatch })
      },
      body: manifest.body,
      scope: pushScope(ref)
    } as const
    return await this.transport.request(
      ref,
      request,
      async (response, fail) => {
        const conflict = ifMatch !== undefined && response.status === 412
        if (!response.ok && !conflict)
          throw misreadManifest(await fail(), manifest.body, reference)
        await response.body?.cancel()
        const digest = response.headers.get('docker-content-digest')
        return {
          digest: digest ?? sha256Digest(manifest.body),
          subject: response.headers.get('oci-subject') ?? undefined,
          conflict
        }
      }
    )
  }

  /**
   * The referrers API's list for a digest, all pages; undefined when the registry has no such API
   * (404).
   */
  async getReferrers(
    ref: Image,
    digest: string
  ): Promise<OciDescriptor[] | undefined> {
    checkSha256Digest(ref, digest)
    const referrers: OciDescriptor[] = []
    let path: string | undefined = `/v2/${ref.repository}/referrers/${digest}`
    for (let page = 1; path !== undefined && page <= MAX_PAGES; page++) {
      const request: RegistryRequest = {
        method: 'GET',
        path,
        headers: { Accept: 'application/vnd.oci.image.index.v1+json' },
        scope: pullScope(ref)
      }
      const result = await this.transport.request(
        ref,
        request,
        async (response, fail) => {
          // 404 says no API (the spec); some registries answer an unknown route 400 or 405; GHCR
          // has redirected it to github.com's web pages (artifacthub/hub#4785), no API either
          const away = !answeredByEndpoint(ref, response.url)
          if (away || [400, 404, 405].includes(response.status)) {
            await response.body?.cancel()
            return undefined
          }
          if (!response.ok) throw await fail()
          return {
            body: (await response.json()) as { manifests?: OciDescriptor[] },
            next: nextPageUrl(ref, response)
          }
        }
      )
      // no such API: none on the first page, what the pages before said after it
      if (result === undefined) return page === 1 ? undefined : referrers
      referrers.push(...(result.body.manifests ?? []))
      path = result.next
    }
    return referrers
  }

  /**
   * Deletes a manifest by digest, and with it every tag that points at it (gone already counts as
   * done); throws the registry's refusal.
   */
  async deleteManifest(ref: Image, digest: string): Promise<void> {
    const request = {
      method: 'DELETE',
      path: manifestPath(ref, digest),
      scope: `repository:${ref.repository}:delete`
    } as const
    await this.transport.request(ref, request, async (response, fail) => {
      if (!response.ok && response.status !== 404) throw await fail()
      await response.body?.cancel()
    })
  }

  /** Makes a blob of another repository on the same registry available here, uploading nothing. */
  async mountBlob(ref: Image, digest: string, from: Image): Promise<void> {
    // a 202: the registry opened an upload instead
    const mount = { digest, from }
    if ((await openUpload(this.transport, ref, mount)) !== undefined)
      throw new RegistryError(
        ref.registry,
        `did not mount blob ${digest} from ${from.repository} into ${ref.repository} (HTTP 202)`
      )
  }

  /**
   * Puts a blob file into the repository by its digest: nothing sent if it
   * is there, mounted if a `mountFrom` image has it, else uploaded (and
   * resumed after a failure where the registry says it is).
   */
  async uploadBlob(
    image: Image,
    blob: BlobFile,
    options: UploadBlobOptions = {}
  ): Promise<BlobUploadResult> {
    checkSha256Digest(image, blob.digest)
    const chunkBytes =
      options.chunkBytes ?? this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES
    const upload = new BlobUpload(
      this.transport,
      image,
      blob,
      options,
      chunkBytes
    )
    return await upload.run()
  }

  /**
   * A manifest or blob read as BuildKit asked it (a relayed cache import): `answer` is given the
   * registry's response whatever its status, and its body as it streams; one attempt, since the
   * answer may be half passed on.
   */
  relayRead<T>(
    ref: RepositoryReference,
    read: {
      method: 'GET' | 'HEAD'
      path: string
      accept?: string
      signal: AbortSignal
    },
    answer: (response: RegistryResponse, body: Readable) => Promise<T>
  ): Promise<T> {
    const request: RegistryRequest = {
      method: read.method,
      path: read.path,
      headers: read.accept === undefined ? {} : { Accept: read.accept },
      scope: pullScope(ref),
      retry: false,
      signal: read.signal
    }
    return this.transport.request(ref, request, async response =>
      answer(response, await bodyStream(response))
    )
  }

  /** A blob's bytes (an image config); undefined if the registry has none. */
  getBlob(ref: Image, digest: string): Promise<Uint8Array | undefined> {
    return this.transport.request(
      ref,
      blobRequest(ref, digest),
      orMissing(async response => new Uint8Array(await response.arrayBuffer()))
    )
  }

  /** A blob streamed into a file, its digest checked; false if the registry has none. */
  async downloadBlob(
    ref: Image,
    digest: string,
    path: string
  ): Promise<boolean> {
    const read = orMissing(async response => {
      const partial = `${path}.partial`
      const hash = createHash('sha256')
      await pipeline(
        await bodyStream(response),
        tap(hash),
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
    return (await this.transport.request(ref, request, read)) ?? false
  }

  /** Uploads a small blob in one request (POST an upload, PUT its bytes); returns its digest. */
  async putBlob(ref: Image, bytes: Uint8Array): Promise<string> {
    const digest = sha256Digest(bytes)
    const location = new URL((await openUpload(this.transport, ref)) ?? '')
    location.searchParams.set('digest', digest)
    const put = {
      method: 'PUT',
      path: location.toString(),
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
      scope: pushScope(ref)
    } as const
    await this.transport.request(ref, put, async (response, fail) => {
      await response.body?.cancel()
      if (response.status !== 201) throw await fail()
    })
    return digest
  }
}

export function createRegistryClient(
  options: RegistryClientOptions
): RegistryClient {
  return new HttpRegistryClient(options)
}

/** The manifest at image:reference; its absence is an error that says why it must be there. */
export async function requireManifest(
  registry: Pick<RegistryClient, 'getManifest'>,
  image: Image,
  reference: string,
  missing = `${image.name}@${reference} is not in the registry`
): Promise<Manifest> {
  const manifest = await registry.getManifest(image, reference)
  if (manifest === undefined) throw new Error(missing)
  return manifest
}

/** Read-modify-write rounds of a tag another writer keeps changing. */
export const TAG_ROUNDS = 5

/**
 * Puts at `tag` what `next` makes of what it holds, with If-Match, until
 * `next` has nothing to add (undefined); `raced` after TAG_ROUNDS rounds.
 * Whether the tag was written.
 */
export async function updateTag(
  client: Pick<RegistryClient, 'getManifest' | 'pushManifest'>,
  image: Image,
  tag: string,
  next: (
    held: Manifest | undefined
  ) => Manifest | undefined | Promise<Manifest | undefined>,
  raced: () => Error
): Promise<boolean> {
  let written = false
  for (let round = 0; round < TAG_ROUNDS; round++) {
    const held = await client.getManifest(image, tag)
    const put = await next(held)
    if (put === undefined) return written
    const pushed = await client.pushManifest(image, tag, put, held?.etag)
    written ||= !pushed.conflict
  }
  throw raced()
}
