/**
 * OCI 1.1 referrers as data (image-spec 1.1 `subject`/`artifactType`,
 * distribution-spec 1.1 "Listing Referrers" and its referrers tag schema).
 */
import {
  jsonManifest,
  OCI_INDEX,
  OCI_MANIFEST,
  parseManifestJson,
  type Manifest,
  type OciDescriptor
} from './manifest.js'
import type { Withdrawal } from '../reference/withdrawal.js'

/**
 * BuildKit's artifactType for an attestation manifest in its OCI artifact form
 * (`oci-artifact=true`).
 */
export const ATTESTATION_ARTIFACT =
  'application/vnd.docker.attestation.manifest.v1+json'
/**
 * image-spec 1.1's empty config of an artifact: `{}`, its digest as the spec gives it (written out:
 * hashing it as this module loads would load node:crypto at every start, 5 ms on Node 24).
 */
export const EMPTY_CONFIG_BYTES = new TextEncoder().encode('{}')
export const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest:
    'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30='
}
/** buildx's marks on an attestation manifest in the image index. */
const REFERENCE_TYPE = 'vnd.docker.reference.type'
const REFERENCE_DIGEST = 'vnd.docker.reference.digest'

/**
 * The referrers tag of a digest: the algorithm cut to 32 characters, `-`, the encoded part cut to
 * 64, every character a tag may not hold as `-`.
 */
export function referrersTag(digest: string): string {
  const colon = digest.indexOf(':')
  const clean = (part: string) => part.replace(/[^A-Za-z0-9_.-]/g, '-')
  const algorithm = clean(digest.slice(0, colon).slice(0, 32))
  return `${algorithm}-${clean(digest.slice(colon + 1).slice(0, 64))}`
}

/**
 * The attestation manifests an image index holds, each with the platform manifest it names (its
 * subject).
 */
export function embeddedAttestations(
  index: Manifest
): { attestation: OciDescriptor; subject: OciDescriptor }[] {
  const entries = parseManifestJson(index).manifests ?? []
  return entries.flatMap(attestation => {
    const marks = attestation.annotations ?? {}
    if (marks[REFERENCE_TYPE] !== 'attestation-manifest') return []
    const subject = entries.find(e => e.digest === marks[REFERENCE_DIGEST])
    return subject === undefined ? [] : [{ attestation, subject }]
  })
}

/**
 * The referrer of an attestation manifest: what BuildKit writes with
 * `oci-artifact=true`, the same in-toto layers (so no blob but the empty
 * config is new) with the empty config, the artifactType and the platform
 * manifest as subject. One that already has a subject is kept as it is.
 */
export function attestationReferrer(
  attestation: Manifest,
  subject: OciDescriptor
): Manifest {
  const json = parseManifestJson(attestation)
  if (json.subject !== undefined) return attestation
  const { mediaType, digest, size } = subject
  return jsonManifest(OCI_MANIFEST, {
    artifactType: ATTESTATION_ARTIFACT,
    config: EMPTY_CONFIG,
    layers: json.layers ?? [],
    subject: { mediaType, digest, size }
  })
}

/**
 * The manifests an image's provenance is about: the root, and each platform manifest its index
 * lists (buildx's attestation manifests are not images).
 */
export function attestationSubjects(root: Manifest): OciDescriptor[] {
  const { mediaType, digest, body } = root
  const listed = parseManifestJson(root).manifests ?? []
  const platforms = listed.filter(
    entry => entry.annotations?.[REFERENCE_TYPE] !== 'attestation-manifest'
  )
  return [{ mediaType, digest, size: body.length }, ...platforms]
}

/** A Sigstore bundle's media type (v0.3): the artifactType of its referrer and of its layer. */
const SIGSTORE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json'

const PREDICATE_TYPE = 'dev.sigstore.bundle.predicateType'
/** Ours: the id the attestations API gave the bundle, so a re-run can name it again. */
const ATTESTATION_ID = 'vnd.docker-publish-action.attestation.id'

/** A bundle's attestation, as its referrer describes it. */
export interface BundleAttestation {
  predicateType: string
  /** Its id in GitHub's attestations API, where the writer recorded one. */
  id?: string
}

/**
 * A Sigstore bundle's referrer as actions/attest's push-to-registry writes it (@sigstore/oci): the
 * empty config, the bundle as its one layer, what the bundle holds and its predicate type in
 * annotations; cosign 3's verify-attestation finds it by its artifactType.
 */
export function bundleReferrer(
  subject: OciDescriptor,
  bundle: Pick<OciDescriptor, 'digest' | 'size'>,
  { predicateType, id }: BundleAttestation
): Manifest {
  const layer = { mediaType: SIGSTORE_BUNDLE, ...bundle }
  return artifactReferrer(subject, SIGSTORE_BUNDLE, layer, {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    [PREDICATE_TYPE]: predicateType,
    ...(id !== undefined && { [ATTESTATION_ID]: id })
  })
}

/** The SLSA provenance predicate, GitHub's build provenance (actions/attest's and ours). */
export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1'

/** Whether a referrer's annotations say it is a bundle of SLSA provenance. */
export const isProvenanceReferrer = (
  annotations: Record<string, string> | undefined
): boolean => annotations?.[PREDICATE_TYPE] === SLSA_PROVENANCE

/** The attestations API's id of a bundle, as its referrer records it (ours do). */
export const attestationIdOf = (referrer: OciDescriptor): string | undefined =>
  referrer.annotations?.[ATTESTATION_ID]

/** An artifact of the empty config and one layer, referring to `subject`. */
function artifactReferrer(
  subject: OciDescriptor,
  artifactType: string,
  layer: OciDescriptor,
  annotations: Record<string, string>
): Manifest {
  const { mediaType, digest, size } = subject
  return jsonManifest(OCI_MANIFEST, {
    artifactType,
    config: EMPTY_CONFIG,
    layers: [layer],
    subject: { mediaType, digest, size },
    annotations
  })
}

/** The digest a referrer names as its subject ('' when it has none). */
export function subjectOf(manifest: Manifest): string {
  return parseManifestJson(manifest).subject?.digest ?? ''
}

/**
 * The descriptor a referrers list holds for a referrer: its artifactType (else its config's media
 * type, for a manifest) and its annotations.
 */
export function referrerDescriptor(manifest: Manifest): OciDescriptor {
  const json = parseManifestJson(manifest)
  const artifactType =
    json.artifactType ??
    (json.manifests === undefined ? json.config?.mediaType : undefined)
  // put in a referrers list as JSON, which leaves out the fields that are undefined
  return {
    mediaType: json.mediaType ?? manifest.mediaType,
    digest: manifest.digest,
    size: manifest.body.length,
    artifactType,
    annotations: json.annotations
  }
}

/** The descriptors of a referrers list; undefined when the manifest is no OCI index. */
export function referrersOf(list: Manifest): OciDescriptor[] | undefined {
  try {
    const json = parseManifestJson(list)
    const mediaType = json.mediaType ?? list.mediaType
    return mediaType === OCI_INDEX ? (json.manifests ?? []) : undefined
  } catch {
    return undefined
  }
}

/** mode rollback's mark on the release the tags left (docs/safety.md "Rollback"). */
export const WITHDRAWN_ARTIFACT =
  'application/vnd.docker-publish-action.withdrawn.v1+json'
/** Where the mark keeps each field: annotations, which a referrers list repeats. */
const WITHDRAWN_KEYS: Record<keyof Withdrawal, string> = {
  reason: 'vnd.docker-publish-action.withdrawn.reason',
  actor: 'vnd.docker-publish-action.withdrawn.actor',
  run: 'vnd.docker-publish-action.withdrawn.run',
  time: 'org.opencontainers.image.created'
}

/** The withdrawn mark of `subject`: an artifact of the empty config and one empty layer. */
export function withdrawnReferrer(
  subject: OciDescriptor,
  withdrawal: Withdrawal
): Manifest {
  const annotations = Object.fromEntries(
    Object.entries(WITHDRAWN_KEYS).map(([field, key]) => [
      key,
      withdrawal[field as keyof Withdrawal]
    ])
  )
  return artifactReferrer(
    subject,
    WITHDRAWN_ARTIFACT,
    EMPTY_CONFIG,
    annotations
  )
}

/** The withdrawn mark among a digest's referrers (the earliest), read from the list alone. */
export function withdrawalOf(
  referrers: OciDescriptor[]
): Withdrawal | undefined {
  const marks = referrers.filter(r => r.artifactType === WITHDRAWN_ARTIFACT)
  const read = marks.map(({ annotations = {} }) => ({
    reason: annotations[WITHDRAWN_KEYS.reason] ?? '',
    actor: annotations[WITHDRAWN_KEYS.actor] ?? '',
    run: annotations[WITHDRAWN_KEYS.run] ?? '',
    time: annotations[WITHDRAWN_KEYS.time] ?? ''
  }))
  return read.sort((a, b) => a.time.localeCompare(b.time))[0]
}
