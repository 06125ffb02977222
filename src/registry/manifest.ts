/** Manifests: media types, digests, tag and digest references. */
import type { RegistryResponse } from './http-fetch.js'
import { RegistryError } from './registry-error.js'
import { isDigest, isSha256Digest, isTag } from '../reference/grammar.js'
import type { RepositoryReference } from '../reference/repository.js'

/** Manifest media types we ask for, most specific first. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
] as const

export const ACCEPT_MANIFESTS = MANIFEST_MEDIA_TYPES.join(', ')

export interface Manifest {
  mediaType: string
  digest: string
  body: Uint8Array
  /** The registry's ETag for it (read only), for a conditional put. */
  etag?: string
}

function checkReference(ref: RepositoryReference, reference: string): void {
  if (!isTag(reference) && !isDigest(reference)) {
    throw new RegistryError(
      ref.registry,
      `invalid tag or digest ${JSON.stringify(reference)} for ${ref.repository}`
    )
  }
}

/** Refuses a digest that is not sha256 before it goes into a URL. */
export function checkSha256Digest(
  ref: RepositoryReference,
  digest: string
): void {
  if (!isSha256Digest(digest))
    throw new RegistryError(
      ref.registry,
      `invalid digest ${JSON.stringify(digest)}`
    )
}

/** The manifests path for a validated tag or digest (safe in a URL as is). */
export function manifestPath(
  ref: RepositoryReference,
  reference: string
): string {
  checkReference(ref, reference)
  return `/v2/${ref.repository}/manifests/${reference}`
}

/** The media type of a fetched manifest: Content-Type, else its JSON field. */
export function mediaTypeOf(
  response: RegistryResponse,
  body: Uint8Array
): string {
  const contentType = (response.headers.get('content-type') ?? '')
    .split(';')[0]
    .trim()
  if (
    contentType !== '' &&
    !/^(application\/json|text\/plain)$/.test(contentType)
  ) {
    return contentType
  }
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as {
      mediaType?: unknown
    }
    if (typeof parsed.mediaType === 'string') return parsed.mediaType
  } catch {
    // fall through
  }
  return contentType
}
