/**
 * A small Docker Registry HTTP API v2 client: the reads the guards need
 * (tags, digests, manifests) and the one write that points a tag at a
 * manifest already in the repository.
 */
import {
  httpFetch,
  type RegistryFetch,
  type RegistryResponse
} from './http-fetch.js'
import type { CredentialsLookup } from './auth.js'
import { RegistryError } from './registry-error.js'
import {
  parseRegistry,
  parseRepository,
  type RepositoryReference
} from '../reference/repository.js'
import {
  createTransport,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RegistryRequest,
  type ResponseReader,
  type Transport
} from './transport.js'
import { nextPageUrl, sameOriginUrl } from './link.js'
import {
  type BlobFile,
  type BlobUploadResult,
  DEFAULT_CHUNK_BYTES,
  uploadBlob,
  type UploadTuning
} from './blob-upload.js'
import { isSha256Digest, isTag, sha256Digest } from '../reference/grammar.js'
import {
  ACCEPT_MANIFESTS,
  type Manifest,
  manifestPath,
  mediaTypeOf
} from './manifest.js'
import type { OciDescriptor } from './referrer-index.js'

const MAX_PAGES = 10_000
/** An upload id no registry has handed out (pingUploads asks for it). */
const UPLOAD_PROBE = 'docker-publish-action-liveness-probe'

export interface RegistryClientOptions {
  /** Credentials per registry ("docker.io", "ghcr.io", "127.0.0.1:5001"). */
  credentials: CredentialsLookup
  /** Retries of a transient failure: at most retries + 1 attempts. */
  retries: number
  /** Wait between attempts; default: a real timer. */
  sleep?: (ms: number) => Promise<void>
  /** Default: the global fetch. */
  fetch?: RegistryFetch
  /** Per HTTP request, body included; default 30 s. */
  requestTimeoutMs?: number
  /** Tags per page (`?n=`); default: the registry's own page size. */
  pageSize?: number
  /** Backoff tuning; defaults in retry.ts. */
  baseDelayMs?: number
  maxDelayMs?: number
  /** Told each HTTP round trip (method, URL, status), for a debug log. */
  debug?: (message: string) => void
  /** Blob uploads: bigger blobs go in PATCH chunks of this size; default 64 MiB. */
  chunkBytes?: number
}

export interface UploadBlobOptions {
  /** Images of the same registry that may have the blob: mounted from, not uploaded. */
  mountFrom?: string[]
  /** Told the bytes of the blob the registry has so far, as they are sent. */
  onProgress?: (sent: number) => void
  /** PATCH chunks of this size instead of the client's. */
  chunkBytes?: number
}

export interface PushedManifest {
  digest: string
  /** The `OCI-Subject` header: the subject digest the registry indexed, if it did. */
  subject: string | undefined
  /** An `ifMatch` put refused with 412: the reference holds something else now. */
  conflict: boolean
}

interface ReferrersPage {
  body: { manifests?: OciDescriptor[] }
  next: string | undefined
}

interface TagsPage {
  tags: string[]
  /** Path of the next page, if the registry linked one. */
  next: string | undefined
}

export interface RegistryClient {
  /** Resolves if the registry answers the API (401 counts). */
  ping(registry: string): Promise<void>
  /** Resolves if the registry accepts the credentials it is given (GET /v2/ authenticated). */
  checkCredentials(registry: string): Promise<void>
  /** Every tag of the repository, all pages; [] if the repository does not exist. */
  listTags(image: string): Promise<string[]>
  /** The digest a tag or digest resolves to; undefined if there is none. */
  getDigest(image: string, reference: string): Promise<string | undefined>
  getManifest(image: string, reference: string): Promise<Manifest | undefined>
  /** Puts the manifest under a tag, or under its own digest; returns the registry's digest. */
  putManifest(image: string, tag: string, manifest: Manifest): Promise<string>
  /**
   * putManifest that also tells the `OCI-Subject` answer (the registry
   * indexed the manifest's subject) and, with `ifMatch` (an ETag), puts
   * only if the reference still holds that: a 412 is `conflict`.
   */
  pushManifest(
    image: string,
    reference: string,
    manifest: Manifest,
    ifMatch?: string
  ): Promise<PushedManifest>
  /** The referrers API's list for a digest, all pages; undefined when the registry has no such API (404). */
  getReferrers(
    image: string,
    digest: string
  ): Promise<OciDescriptor[] | undefined>
  /**
   * Deletes a manifest by digest, and with it every tag that points at it
   * (gone already counts as done); throws the registry's refusal.
   */
  deleteManifest(image: string, digest: string): Promise<void>
  /** Makes a blob of another repository on the same registry available here, uploading nothing. */
  mountBlob(image: string, digest: string, fromImage: string): Promise<void>
  /**
   * Puts a blob file into the repository by its digest: nothing sent if it
   * is there, mounted if a `mountFrom` image has it, else uploaded (and
   * resumed after a failure where the registry says it is).
   */
  uploadBlob(
    image: string,
    blob: BlobFile,
    options?: UploadBlobOptions
  ): Promise<BlobUploadResult>
  /** A blob's bytes (an image config); undefined if the registry has none. */
  getBlob(image: string, digest: string): Promise<Uint8Array | undefined>
  /** Uploads a small blob in one request (POST an upload, PUT its bytes); returns its digest. */
  putBlob(image: string, bytes: Uint8Array): Promise<string>
  /**
   * Resolves when the registry answers (any status) on the repository's
   * upload endpoint, where a push writes: asks for an upload that does not
   * exist, so nothing is written. Rejects when no answer came in time.
   */
  pingUploads(image: string): Promise<void>
}

/** A reader for a GET that may find nothing: a 404 is undefined, other failures throw. */
function orMissing<T>(
  read: (response: RegistryResponse) => Promise<T>
): ResponseReader<T | undefined> {
  return async (response, fail) => {
    if (response.status === 404) {
      await response.body?.cancel()
      return undefined
    }
    if (!response.ok) throw await fail()
    return read(response)
  }
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms))

const pullScope = (ref: RepositoryReference): string =>
  `repository:${ref.repository}:pull`
const pushScope = (ref: RepositoryReference): string =>
  `repository:${ref.repository}:pull,push`

export function createRegistryClient(
  options: RegistryClientOptions
): RegistryClient {
  return new HttpRegistryClient(options)
}

class HttpRegistryClient implements RegistryClient {
  private readonly transport: Transport
  private readonly pageSize: number | undefined
  private readonly tuning: UploadTuning

  constructor(options: RegistryClientOptions) {
    this.pageSize = options.pageSize
    this.tuning = {
      chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      retry: {
        retries: options.retries,
        sleep: options.sleep ?? defaultSleep,
        baseDelayMs: options.baseDelayMs,
        maxDelayMs: options.maxDelayMs
      }
    }
    this.transport = createTransport({
      credentials: options.credentials,
      retries: options.retries,
      sleep: options.sleep ?? defaultSleep,
      fetch: options.fetch ?? httpFetch,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      debug: options.debug
    })
  }

  async ping(registry: string): Promise<void> {
    const endpoint = parseRegistry(registry)
    await this.transport.request(
      endpoint,
      { method: 'GET', path: '/v2/', authenticate: false },
      async (response, fail) => {
        if (!response.ok && response.status !== 401) throw await fail()
        await response.body?.cancel()
      }
    )
  }

  async checkCredentials(registry: string): Promise<void> {
    const endpoint = parseRegistry(registry)
    await this.transport.request(
      endpoint,
      { method: 'GET', path: '/v2/' },
      async (response, fail) => {
        if (!response.ok) throw await fail()
        await response.body?.cancel()
      }
    )
  }

  async listTags(image: string): Promise<string[]> {
    const ref = parseRepository(image)
    const query = this.pageSize === undefined ? '' : `?n=${this.pageSize}`
    const tags: string[] = []
    let path: string | undefined = `/v2/${ref.repository}/tags/list${query}`
    for (let page = 1; path !== undefined; page++) {
      if (page > MAX_PAGES) {
        throw new RegistryError(
          ref.registry,
          `more than ${MAX_PAGES} pages of tags for ${ref.repository}`
        )
      }
      const result = await this.tagsPage(ref, path)
      tags.push(...result.tags)
      path = result.next
    }
    return tags
  }

  async getDigest(
    image: string,
    reference: string
  ): Promise<string | undefined> {
    const ref = parseRepository(image)
    const request = {
      method: 'HEAD',
      path: manifestPath(ref, reference),
      headers: { Accept: ACCEPT_MANIFESTS },
      scope: pullScope(ref)
    } as const
    const digest = await this.transport.request(
      ref,
      request,
      async (response, fail) => {
        if (response.status === 404) return null
        if (!response.ok) throw await fail()
        return response.headers.get('docker-content-digest') ?? undefined
      }
    )
    if (digest === null) return undefined
    // Some registries omit the header on HEAD: hash the manifest instead.
    return digest ?? (await this.getManifest(image, reference))?.digest
  }

  async getManifest(
    image: string,
    reference: string
  ): Promise<Manifest | undefined> {
    const ref = parseRepository(image)
    const request = {
      method: 'GET',
      path: manifestPath(ref, reference),
      headers: { Accept: ACCEPT_MANIFESTS },
      scope: pullScope(ref)
    } as const
    return await this.transport.request(
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

  async deleteManifest(image: string, digest: string): Promise<void> {
    const ref = parseRepository(image)
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

  async putManifest(
    image: string,
    tag: string,
    manifest: Manifest
  ): Promise<string> {
    return (await this.pushManifest(image, tag, manifest)).digest
  }

  async pushManifest(
    image: string,
    reference: string,
    manifest: Manifest,
    ifMatch?: string
  ): Promise<PushedManifest> {
    const ref = parseRepository(image)
    if (!isTag(reference) && !isSha256Digest(reference)) {
      throw new RegistryError(
        ref.registry,
        `invalid tag ${JSON.stringify(reference)}`
      )
    }
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
        if (!response.ok && !conflict) throw await fail()
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

  async getReferrers(
    image: string,
    digest: string
  ): Promise<OciDescriptor[] | undefined> {
    const ref = parseRepository(image)
    if (!isSha256Digest(digest))
      throw new RegistryError(
        ref.registry,
        `invalid digest ${JSON.stringify(digest)}`
      )
    const referrers: OciDescriptor[] = []
    let path: string | undefined = `/v2/${ref.repository}/referrers/${digest}`
    for (let page = 1; path !== undefined && page <= MAX_PAGES; page++) {
      const request: RegistryRequest = {
        method: 'GET',
        path,
        headers: { Accept: 'application/vnd.oci.image.index.v1+json' },
        scope: pullScope(ref)
      }
      const result: ReferrersPage | undefined = await this.transport.request(
        ref,
        request,
        async (response, fail) => {
          // 404 says no API (the spec); some registries answer an unknown route 400 or 405
          if ([400, 404, 405].includes(response.status)) {
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
      if (result === undefined) return page === 1 ? undefined : referrers
      referrers.push(...(result.body.manifests ?? []))
      path = result.next
    }
    return referrers
  }

  async mountBlob(
    image: string,
    digest: string,
    fromImage: string
  ): Promise<void> {
    const ref = parseRepository(image)
    const from = parseRepository(fromImage)
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}`
    const request = {
      method: 'POST',
      path: `/v2/${ref.repository}/blobs/uploads/?${query}`,
      scope: `${pushScope(ref)} ${pullScope(from)}`
    } as const
    await this.transport.request(ref, request, async (response, fail) => {
      await response.body?.cancel()
      if (response.status === 201) return
      if (!response.ok) throw await fail()
      throw new RegistryError(
        ref.registry,
        `did not mount blob ${digest} from ${from.repository} into ${ref.repository} (HTTP ${response.status})`
      )
    })
  }

  async uploadBlob(
    image: string,
    blob: BlobFile,
    options: UploadBlobOptions = {}
  ): Promise<BlobUploadResult> {
    const ref = parseRepository(image)
    if (!isSha256Digest(blob.digest))
      throw new RegistryError(
        ref.registry,
        `invalid digest ${JSON.stringify(blob.digest)}`
      )
    const mountFrom = (options.mountFrom ?? []).map(parseRepository)
    return await uploadBlob(
      this.transport,
      ref,
      blob,
      { mountFrom, onProgress: options.onProgress },
      {
        ...this.tuning,
        chunkBytes: options.chunkBytes ?? this.tuning.chunkBytes
      }
    )
  }

  async getBlob(
    image: string,
    digest: string
  ): Promise<Uint8Array | undefined> {
    const ref = parseRepository(image)
    if (!isSha256Digest(digest))
      throw new RegistryError(
        ref.registry,
        `invalid digest ${JSON.stringify(digest)}`
      )
    const request = {
      method: 'GET',
      path: `/v2/${ref.repository}/blobs/${digest}`,
      scope: pullScope(ref)
    } as const
    return await this.transport.request(
      ref,
      request,
      orMissing(async response => new Uint8Array(await response.arrayBuffer()))
    )
  }

  async putBlob(image: string, bytes: Uint8Array): Promise<string> {
    const ref = parseRepository(image)
    const digest = sha256Digest(bytes)
    const start = {
      method: 'POST',
      path: `/v2/${ref.repository}/blobs/uploads/`,
      scope: pushScope(ref)
    } as const
    const location = await this.transport.request(
      ref,
      start,
      async (response, fail) => {
        await response.body?.cancel()
        if (response.status !== 202) throw await fail()
        const at = response.headers.get('location')
        if (at === null)
          throw new RegistryError(ref.registry, 'upload without a Location')
        return new URL(sameOriginUrl(ref, at, response.url, 'the upload URL'))
      }
    )
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

  async pingUploads(image: string): Promise<void> {
    const ref = parseRepository(image)
    const request = {
      method: 'GET',
      path: `/v2/${ref.repository}/blobs/uploads/${UPLOAD_PROBE}`,
      scope: pushScope(ref)
    } as const
    await this.transport.request(ref, request, async response => {
      await response.body?.cancel()
    })
  }

  private tagsPage(ref: RepositoryReference, path: string): Promise<TagsPage> {
    const request = { method: 'GET', path, scope: pullScope(ref) } as const
    return this.transport.request(ref, request, async (response, fail) => {
      if (response.status === 404) {
        await response.body?.cancel()
        return { tags: [], next: undefined }
      }
      if (!response.ok) throw await fail()
      const body = (await response.json()) as { tags?: string[] | null }
      return { tags: body.tags ?? [], next: nextPageUrl(ref, response) }
    })
  }
}

/** The manifest at image:reference; its absence is an error that says why it must be there. */
export async function requireManifest(
  registry: Pick<RegistryClient, 'getManifest'>,
  image: string,
  reference: string,
  missing: string
): Promise<Manifest> {
  const manifest = await registry.getManifest(image, reference)
  if (manifest === undefined) throw new Error(missing)
  return manifest
}
