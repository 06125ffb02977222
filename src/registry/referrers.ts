/**
 * OCI 1.1 referrers in a registry: a manifest with a `subject` is put by
 * digest; a registry with the referrers API answers `OCI-Subject` and lists
 * it. Where it does not (distribution 2.8, GHCR), the client keeps the list
 * itself, as cosign and @sigstore/oci do: an OCI index under the referrers
 * tag `sha256-<hex>`.
 */
import type { Image } from '../reference/images.js'
import {
  requireManifest,
  TAG_ROUNDS,
  updateTag,
  type RegistryClient
} from './client.js'
import {
  childDigests,
  jsonManifest,
  manifestBlobs,
  OCI_INDEX,
  type Manifest,
  type OciDescriptor
} from './manifest.js'
import {
  attestationReferrer,
  bundleReferrer,
  EMPTY_CONFIG_BYTES,
  embeddedAttestations,
  referrerDescriptor,
  referrersOf,
  referrersTag,
  subjectOf,
  withdrawnReferrer,
  type BundleAttestation
} from './referrer-index.js'
import type { Withdrawal } from '../reference/withdrawal.js'
import { RegistryError } from './registry-error.js'

/** How a referrer is listed: by the registry's API, or in the referrers tag we keep. */
type ReferrerScheme = 'api' | 'tag'

export interface AttachedReferrer {
  digest: string
  subject: string
  scheme: ReferrerScheme
  /** The referrers tag, in the tag scheme. */
  tag?: string
  /** false: it was listed already (a re-run writes nothing). */
  written: boolean
  /** The referrer's annotations (a bundle's predicate type among them). */
  annotations?: Record<string, string>
}

interface FoundReferrers {
  scheme: ReferrerScheme
  referrers: OciDescriptor[]
}

/** `tags`: the repository's tag list when just read (no referrers tag in it: none to read). */
async function findReferrers(
  client: RegistryClient,
  image: Image,
  digest: string,
  tags?: string[]
): Promise<FoundReferrers> {
  const listed = await client.getReferrers(image, digest)
  if (listed !== undefined) return { scheme: 'api', referrers: listed }
  const tag = referrersTag(digest)
  if (tags !== undefined && !tags.includes(tag))
    return { scheme: 'tag', referrers: [] }
  const held = await client.getManifest(image, tag)
  return { scheme: 'tag', referrers: (held && referrersOf(held)) ?? [] }
}

/**
 * The referrers of `digest` in `image`: the API's list, else the referrers tag's ([] when neither
 * has any); `tags`, a tag list just read, spares reading a referrers tag it does not name.
 */
export async function listReferrers(
  client: RegistryClient,
  image: Image,
  digest: string,
  tags?: string[]
): Promise<OciDescriptor[]> {
  return (await findReferrers(client, image, digest, tags)).referrers
}

/**
 * Puts a referrer (its blobs must be in `image`) and sees it listed, by the API or in the referrers
 * tag.
 */
async function attachReferrer(
  client: RegistryClient,
  image: Image,
  referrer: Manifest
): Promise<AttachedReferrer> {
  const subject = subjectOf(referrer)
  if (subject === '')
    throw new Error(
      `${image.name}@${referrer.digest} has no subject to refer to`
    )
  const { digest } = referrer
  const added = referrerDescriptor(referrer)
  const about = {
    digest,
    subject,
    ...(added.annotations && { annotations: added.annotations })
  }
  const listed = await client.getReferrers(image, subject)
  if (listed?.some(d => d.digest === digest))
    return { ...about, scheme: 'api', written: false }
  const pushed = await client.pushManifest(image, digest, referrer)
  if (pushed.subject === subject)
    return { ...about, scheme: 'api', written: true }
  const tag = referrersTag(subject)
  const written = await addToReferrersTag(client, image, tag, added)
  return { ...about, scheme: 'tag', tag, written }
}

/**
 * The referrers tag with `added` in it. A tag that holds something other than an OCI index is
 * refused, as the spec asks. Whether it was written.
 */
function addToReferrersTag(
  client: RegistryClient,
  image: Image,
  tag: string,
  added: OciDescriptor
): Promise<boolean> {
  const next = (held: Manifest | undefined) => {
    const listed = held === undefined ? [] : referrersOf(held)
    if (listed === undefined)
      throw new RegistryError(
        image.registry,
        `${image.name}:${tag} is the referrers tag of a digest but holds ` +
          `${held?.mediaType ?? 'something else'}, not an OCI index: it is left as it is`
      )
    if (listed.some(d => d.digest === added.digest)) return undefined
    // the referrers list: an OCI index of their descriptors
    return jsonManifest(OCI_INDEX, { manifests: [...listed, added] })
  }
  const raced = () =>
    new RegistryError(
      image.registry,
      `${image.name}:${tag} kept changing under ${TAG_ROUNDS} writes: another writer updates ` +
        `the same referrers list`
    )
  return updateTag(client, image, tag, next, raced)
}

/**
 * The attestation manifests buildx put in the image's index, each attached
 * as a referrer of the platform manifest it describes; the index keeps them
 * (docker buildx imagetools inspect reads them there).
 */
export async function attachAttestations(
  client: RegistryClient,
  image: Image,
  digest: string
): Promise<AttachedReferrer[]> {
  const index = await requireManifest(client, image, digest)
  const embedded = embeddedAttestations(index)
  if (embedded.length > 0) await client.putBlob(image, EMPTY_CONFIG_BYTES)
  const attached: AttachedReferrer[] = []
  for (const { attestation, subject } of embedded) {
    const manifest = await requireManifest(
      client,
      image,
      attestation.digest,
      `${image.name}@${digest} lists attestation ${attestation.digest}, which the registry lacks`
    )
    const referrer = attestationReferrer(manifest, subject)
    attached.push(await attachReferrer(client, image, referrer))
  }
  return attached
}

/**
 * Attaches a Sigstore bundle (its JSON `bundle`) as a referrer of `subject` in `image`: a re-run
 * that made the same bytes writes nothing.
 */
export async function attachBundle(
  client: RegistryClient,
  image: Image,
  subject: OciDescriptor,
  bundle: Uint8Array,
  attestation: BundleAttestation
): Promise<AttachedReferrer> {
  await client.putBlob(image, EMPTY_CONFIG_BYTES)
  const digest = await client.putBlob(image, bundle)
  const layer = { digest, size: bundle.length }
  const referrer = bundleReferrer(subject, layer, attestation)
  return attachReferrer(client, image, referrer)
}

/**
 * Copies the referrers of `digest` and of the manifests its index lists to
 * another repository, on any registry: blobs mounted within one registry,
 * else read and put (they are small). Referrers that are indexes are left out.
 */
export async function copyReferrers(
  client: RegistryClient,
  fromImage: Image,
  digest: string,
  toImage: Image
): Promise<AttachedReferrer[]> {
  const root = await requireManifest(client, fromImage, digest)
  const copied: AttachedReferrer[] = []
  // the manifests an index lists: their referrers go along
  for (const subject of [digest, ...childDigests(root)]) {
    const target = await findReferrers(client, toImage, subject)
    const held = new Set(target.referrers.map(d => d.digest))
    for (const listed of await listReferrers(client, fromImage, subject)) {
      if (held.has(listed.digest)) {
        const { scheme } = target
        const tag = scheme === 'tag' ? { tag: referrersTag(subject) } : {}
        copied.push({
          digest: listed.digest,
          subject,
          scheme,
          ...tag,
          written: false
        })
        continue
      }
      const referrer = await client.getManifest(fromImage, listed.digest)
      if (referrer === undefined || subjectOf(referrer) !== subject) continue
      if (childDigests(referrer).length > 0) continue
      await copyBlobs(client, fromImage, referrer, toImage)
      copied.push(await attachReferrer(client, toImage, referrer))
    }
  }
  return copied
}

async function copyBlobs(
  client: RegistryClient,
  fromImage: Image,
  referrer: Manifest,
  toImage: Image
): Promise<void> {
  const sameRegistry = fromImage.registry === toImage.registry
  for (const blob of manifestBlobs(referrer)) {
    if (sameRegistry) {
      await client.mountBlob(toImage, blob.digest, fromImage)
      continue
    }
    const bytes = await client.getBlob(fromImage, blob.digest)
    if (bytes === undefined)
      throw new Error(
        `${fromImage.name}@${referrer.digest} names blob ${blob.digest}, which the registry lacks`
      )
    await client.putBlob(toImage, bytes)
  }
}

/**
 * Marks `digest` withdrawn (mode rollback): its referrer put beside it, listed by the API or the
 * referrers tag; a digest already marked by this same mark is left as it is.
 */
export async function attachWithdrawal(
  client: RegistryClient,
  image: Image,
  digest: string,
  withdrawal: Withdrawal
): Promise<AttachedReferrer> {
  const subject = await requireManifest(client, image, digest)
  await client.putBlob(image, EMPTY_CONFIG_BYTES)
  const referrer = withdrawnReferrer(
    { mediaType: subject.mediaType, digest, size: subject.body.length },
    withdrawal
  )
  return attachReferrer(client, image, referrer)
}
