/** Manifests: media types, JSON bodies, digests, tag and digest references. */
import type { RegistryResponse } from './http-fetch.js'
import { RegistryError } from './registry-error.js'
import {
  isDigest,
  isSha256Digest,
  isTag,
  sha256Digest
} from '../reference/grammar.js'
import type { RepositoryReference } from '../reference/repository.js'

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_LIST])
export const MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST])

/** Uncompressed layer media types and their gzipped counterparts. */
export const GZIPPED_LAYERS: Record<string, string> = {
  'application/vnd.oci.image.layer.v1.tar':
    'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar':
    'application/vnd.docker.image.rootfs.diff.tar.gzip'
}

/** Manifest media types we ask for, most specific first. */
export const ACCEPT_MANIFESTS = [
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_LIST,
  DOCKER_MANIFEST
].join(', ')

export interface Manifest {
  mediaType: string
  digest: string
  body: Uint8Array
  /** The registry's ETag for it (read only), for a conditional put. */
  etag?: string
}

export interface OciDescriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  platform?: { os: string; architecture: string; variant?: string }
}

/** The fields of a manifest's or an index's JSON that the client reads. */
export interface ManifestJson {
  mediaType?: string
  artifactType?: string
  config?: OciDescriptor
  layers?: OciDescriptor[]
  manifests?: OciDescriptor[]
  subject?: OciDescriptor
  annotations?: Record<string, string>
}

/** The JSON of a manifest or blob, of the shape the caller reads (not checked). */
export function parseJsonBytes<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes)) as T
}

/** A value as JSON bytes (a manifest's body, a config blob). */
export const jsonBytes = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value))

export const parseManifestJson = (manifest: Manifest) =>
  parseJsonBytes<ManifestJson>(manifest.body)

/** The images an index lists: its entries but buildx's attestations (platform unknown/unknown). */
export const imageEntries = (json: ManifestJson) =>
  (json.manifests ?? []).filter(entry => entry.platform?.os !== 'unknown')

/** The blobs a manifest names (config and layers; none for an index). */
export function manifestBlobs(manifest: Manifest): OciDescriptor[] {
  const json = parseManifestJson(manifest)
  return [json.config, ...(json.layers ?? [])].flatMap(d => (d ? [d] : []))
}

/** The manifests an index lists ([] for a manifest). */
export function childDigests(manifest: Manifest): string[] {
  return (parseManifestJson(manifest).manifests ?? []).map(m => m.digest)
}

/** A manifest whose JSON body is schemaVersion 2, `mediaType`, then `fields`. */
export function jsonManifest(mediaType: string, fields: object): Manifest {
  const body = jsonBytes({ schemaVersion: 2, mediaType, ...fields })
  return { mediaType, digest: sha256Digest(body), body }
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
  if (!isTag(reference) && !isDigest(reference))
    throw new RegistryError(
      ref.registry,
      `invalid tag or digest ${JSON.stringify(reference)} for ${ref.repository}`
    )
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
    const { mediaType } = parseJsonBytes<{ mediaType?: unknown }>(body)
    if (typeof mediaType === 'string') return mediaType
  } catch {
    // not JSON: the Content-Type it came with
  }
  return contentType
}
