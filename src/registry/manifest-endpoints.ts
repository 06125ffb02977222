/** A repository's manifests over the registry API, and a digest's referrers. */
import { RegistryError } from './registry-error.js'
import type { RepositoryReference } from '../reference/repository.js'
import type { Image } from '../reference/images.js'
import {
  orMissing,
  pullScope,
  pushScope,
  type RegistryRequest,
  type Transport
} from './transport.js'
import { MAX_PAGES, nextPageUrl } from './link.js'
import { isSha256Digest, isTag, sha256Digest } from '../reference/grammar.js'
import {
  ACCEPT_MANIFESTS,
  checkSha256Digest,
  type Manifest,
  manifestPath,
  mediaTypeOf,
  type OciDescriptor
} from './manifest.js'

export interface PushedManifest {
  digest: string
  /** The `OCI-Subject` header: the subject digest the registry indexed, if it did. */
  subject: string | undefined
  /** An `ifMatch` put refused with 412: the reference holds something else now. */
  conflict: boolean
}

export interface ManifestEndpoints {
  /** The digest a tag or digest resolves to; undefined if there is none. */
  getDigest(image: Image, reference: string): Promise<string | undefined>
  getManifest(image: Image, reference: string): Promise<Manifest | undefined>
  /** Puts the manifest under a tag, or under its own digest; returns the registry's digest. */
  putManifest(image: Image, tag: string, manifest: Manifest): Promise<string>
  /**
   * putManifest that also tells the `OCI-Subject` answer (the registry
   * indexed the manifest's subject) and, with `ifMatch` (an ETag), puts
   * only if the reference still holds that: a 412 is `conflict`.
   */
  pushManifest(
    image: Image,
    reference: string,
    manifest: Manifest,
    ifMatch?: string
  ): Promise<PushedManifest>
  /**
   * The referrers API's list for a digest, all pages; undefined when the registry has no such API
   * (404).
   */
  getReferrers(
    image: Image,
    digest: string
  ): Promise<OciDescriptor[] | undefined>
  /**
   * Deletes a manifest by digest, and with it every tag that points at it (gone already counts as
   * done); throws the registry's refusal.
   */
  deleteManifest(image: Image, digest: string): Promise<void>
}

interface ReferrersPage {
  body: { manifests?: OciDescriptor[] }
  next: string | undefined
}

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

async function getDigest(
  transport: Transport,
  ref: Image,
  reference: string
): Promise<string | undefined> {
  const request = manifestRead('HEAD', ref, reference)
  const digest = await transport.request(
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
  return digest ?? (await getManifest(transport, ref, reference))?.digest
}

async function getManifest(
  transport: Transport,
  ref: Image,
  reference: string
): Promise<Manifest | undefined> {
  const request = manifestRead('GET', ref, reference)
  return await transport.request(
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

async function pushManifest(
  transport: Transport,
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
  return await transport.request(ref, request, async (response, fail) => {
    const conflict = ifMatch !== undefined && response.status === 412
    if (!response.ok && !conflict) throw await fail()
    await response.body?.cancel()
    const digest = response.headers.get('docker-content-digest')
    return {
      digest: digest ?? sha256Digest(manifest.body),
      subject: response.headers.get('oci-subject') ?? undefined,
      conflict
    }
  })
}

/** One page of the referrers API; undefined when the registry has no such API. */
function referrersPage(
  transport: Transport,
  ref: Image,
  path: string
): Promise<ReferrersPage | undefined> {
  const request: RegistryRequest = {
    method: 'GET',
    path,
    headers: { Accept: 'application/vnd.oci.image.index.v1+json' },
    scope: pullScope(ref)
  }
  return transport.request(ref, request, async (response, fail) => {
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
  })
}

async function getReferrers(
  transport: Transport,
  ref: Image,
  digest: string
): Promise<OciDescriptor[] | undefined> {
  checkSha256Digest(ref, digest)
  const referrers: OciDescriptor[] = []
  let path: string | undefined = `/v2/${ref.repository}/referrers/${digest}`
  for (let page = 1; path !== undefined && page <= MAX_PAGES; page++) {
    const result = await referrersPage(transport, ref, path)
    if (result === undefined) return page === 1 ? undefined : referrers
    referrers.push(...(result.body.manifests ?? []))
    path = result.next
  }
  return referrers
}

async function deleteManifest(
  transport: Transport,
  ref: Image,
  digest: string
): Promise<void> {
  const request = {
    method: 'DELETE',
    path: manifestPath(ref, digest),
    scope: `repository:${ref.repository}:delete`
  } as const
  await transport.request(ref, request, async (response, fail) => {
    if (!response.ok && response.status !== 404) throw await fail()
    await response.body?.cancel()
  })
}

export function manifestEndpoints(transport: Transport): ManifestEndpoints {
  return {
    getDigest: (image, reference) => getDigest(transport, image, reference),
    getManifest: (image, reference) => getManifest(transport, image, reference),
    putManifest: async (image, tag, manifest) =>
      (await pushManifest(transport, image, tag, manifest)).digest,
    pushManifest: (image, reference, manifest, ifMatch) =>
      pushManifest(transport, image, reference, manifest, ifMatch),
    getReferrers: (image, digest) => getReferrers(transport, image, digest),
    deleteManifest: (image, digest) => deleteManifest(transport, image, digest)
  }
}
