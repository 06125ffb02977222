/**
 * The registry API v2 client: the transport (timeouts, auth, retries), whether a registry answers
 * (its API, with or without credentials, an upload endpoint), and its endpoints.
 */
import { parseRegistry } from '../reference/repository.js'
import type { Image } from '../reference/images.js'
import { httpFetch } from './http-fetch.js'
import {
  createTransport,
  DEFAULT_REQUEST_TIMEOUT_MS,
  pushScope,
  type Transport,
  type TransportOptions
} from './transport.js'
import { DEFAULT_CHUNK_BYTES } from './blob-upload.js'
import type { Manifest } from './manifest.js'
import {
  manifestEndpoints,
  type ManifestEndpoints
} from './manifest-endpoints.js'
import { tagList, type TagList } from './tag-list.js'
import { blobEndpoints, type BlobEndpoints } from './blob-endpoints.js'

/** The transport's options, `fetch` (default httpFetch) and the timeout (30 s) optional. */
export interface RegistryClientOptions
  extends
    Omit<TransportOptions, 'fetch' | 'requestTimeoutMs'>,
    Partial<Pick<TransportOptions, 'fetch' | 'requestTimeoutMs'>> {
  /** Tags per page (`?n=`); default: the registry's own page size. */
  pageSize?: number
  /** Blob uploads: bigger blobs go in PATCH chunks of this size; default 64 MiB. */
  chunkBytes?: number
}

/** Every request the action makes of a registry's API. */
export interface RegistryClient
  extends TagList, ManifestEndpoints, BlobEndpoints {
  /** Resolves if the registry answers the API (401 counts). */
  ping(registry: string): Promise<void>
  /** Resolves if the registry accepts the credentials it is given (GET /v2/ authenticated). */
  checkCredentials(registry: string): Promise<void>
  /**
   * Resolves when the registry answers (any status) on the repository's
   * upload endpoint, where a push writes: asks for an upload that does not
   * exist, so nothing is written. Rejects when no answer came in time.
   */
  pingUploads(image: Image): Promise<void>
}

/** An upload id no registry has handed out (pingUploads asks for it). */
const UPLOAD_PROBE = 'docker-publish-action-liveness-probe'

/** GET /v2/: unauthenticated a 401 counts as an answer, authenticated it fails. */
function getV2(
  transport: Transport,
  authenticate: boolean
): (registry: string) => Promise<void> {
  return async registry => {
    const request = { method: 'GET', path: '/v2/', authenticate } as const
    await transport.request(
      parseRegistry(registry),
      request,
      async (response, fail) => {
        if (!response.ok && (authenticate || response.status !== 401))
          throw await fail()
        await response.body?.cancel()
      }
    )
  }
}

async function pingUploads(transport: Transport, ref: Image): Promise<void> {
  const request = {
    method: 'GET',
    path: `/v2/${ref.repository}/blobs/uploads/${UPLOAD_PROBE}`,
    scope: pushScope(ref)
  } as const
  await transport.request(ref, request, async response => {
    await response.body?.cancel()
  })
}

export function createRegistryClient(
  options: RegistryClientOptions
): RegistryClient {
  const transport = createTransport({
    ...options,
    fetch: options.fetch ?? httpFetch,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  })
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES
  return {
    ping: getV2(transport, false),
    checkCredentials: getV2(transport, true),
    pingUploads: image => pingUploads(transport, image),
    ...tagList(transport, options.pageSize),
    ...manifestEndpoints(transport),
    // an upload's retries are the transport's own (its options hold them)
    ...blobEndpoints(transport, { chunkBytes, retry: options })
  }
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
