/** The registry API v2 client: the transport (timeouts, auth, retries) and its endpoints. */
import type { Image } from '../reference/images.js'
import { httpFetch } from './http-fetch.js'
import {
  createTransport,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type TransportOptions
} from './transport.js'
import { DEFAULT_CHUNK_BYTES } from './blob-upload.js'
import type { Manifest } from './manifest.js'
import { registryProbes, type RegistryProbes } from './registry-probes.js'
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
  extends RegistryProbes, TagList, ManifestEndpoints, BlobEndpoints {}

export function createRegistryClient(
  options: RegistryClientOptions
): RegistryClient {
  const { retries, sleep, baseDelayMs, maxDelayMs } = options
  const retry = { retries, sleep, baseDelayMs, maxDelayMs }
  const transport = createTransport({
    ...options,
    fetch: options.fetch ?? httpFetch,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  })
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES
  return {
    ...registryProbes(transport),
    ...tagList(transport, options.pageSize),
    ...manifestEndpoints(transport),
    ...blobEndpoints(transport, { chunkBytes, retry })
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
