/**
 * cosign's classic signature scheme: the signatures of sha256:X under the
 * tag `sha256-X.sig` of the same repository, one layer per signature (the
 * simple-signing payload, annotated with the signature over it);
 * attestations likewise under `sha256-X.att`.
 */
import {
  jsonBytes,
  jsonManifest,
  OCI_MANIFEST,
  parseJsonBytes,
  type Manifest,
  type OciDescriptor as Descriptor
} from '../registry/manifest.js'
import { sha256Digest } from '../reference/grammar.js'
import type { RepositoryReference } from '../reference/repository.js'

const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json'
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature'

/** The artifacts cosign's scheme keeps beside an image: signatures, attestations. */
export const ARTIFACT_SUFFIXES = ['sig', 'att'] as const
type ArtifactSuffix = (typeof ARTIFACT_SUFFIXES)[number]

/** `sha256-<hex>.sig`: where cosign looks for the signatures of a digest. */
export function artifactTag(digest: string, suffix: ArtifactSuffix): string {
  return `${digest.replace(':', '-')}.${suffix}`
}

/**
 * The simple-signing payload: the repository (registry/path) and the digest a signature vouches
 * for.
 */
export function simpleSigningPayload(
  image: RepositoryReference,
  digest: string
): Uint8Array {
  return jsonBytes({
    critical: {
      identity: {
        'docker-reference': `${image.registry}/${image.repository}`
      },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature'
    },
    optional: null
  })
}

/** The digest a payload vouches for ('' if it is not a simple-signing payload). */
export function payloadDigest(payload: Uint8Array): string {
  try {
    const digest = parseJsonBytes<{
      critical?: { image?: { 'docker-manifest-digest'?: unknown } }
    }>(payload).critical?.image?.['docker-manifest-digest']
    return typeof digest === 'string' ? digest : ''
  } catch {
    return ''
  }
}

/** The config blob cosign writes: its layers as the root filesystem, no dates. */
export function artifactConfig(layers: Descriptor[]): Uint8Array {
  const epoch = '0001-01-01T00:00:00Z'
  return jsonBytes({
    architecture: '',
    created: epoch,
    history: [{ created: epoch }],
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map(l => l.digest) },
    config: {}
  })
}

export function descriptor(
  mediaType: string,
  bytes: Uint8Array,
  annotations?: Record<string, string>
): Descriptor {
  // an undefined annotations is left out of the manifest's JSON
  return {
    mediaType,
    size: bytes.length,
    digest: sha256Digest(bytes),
    annotations
  }
}

/** The manifest of a signature or attestation tag holding these layers. */
export function artifactManifest(
  config: Uint8Array,
  layers: Descriptor[]
): Manifest {
  return jsonManifest(OCI_MANIFEST, {
    config: descriptor(OCI_CONFIG, config),
    layers
  })
}

/** The layers of an artifact tag's manifest ([] when the tag has none). */
export const artifactLayers = (manifest: Manifest | undefined) =>
  manifest === undefined
    ? []
    : parseJsonBytes<{ layers: Descriptor[] }>(manifest.body).layers

/** Layers of `extra` that `layers` lacks (same blob and annotations = same signature). */
export function newLayers(
  layers: Descriptor[],
  extra: Descriptor[]
): Descriptor[] {
  const key = (d: Descriptor) =>
    `${d.digest} ${JSON.stringify(d.annotations ?? {})}`
  const known = new Set(layers.map(key))
  return extra.filter(layer => !known.has(key(layer)))
}
