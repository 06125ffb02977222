/**
 * The SBOMs BuildKit made for an image, read from the attestation manifests of its index
 * (BuildKit's attestation storage: each layer one in-toto statement, its type in
 * `in-toto.io/predicate-type`), each as the predicate GitHub attests. The predicate follows
 * actions/attest's `sbom-path` rules (its src/sbom.ts): an SPDX document (spdxVersion and SPDXID)
 * is of type https://spdx.dev/Document/v<version>, a CycloneDX one (bomFormat, serialNumber,
 * specVersion) of https://cyclonedx.org/bom, the document itself the predicate, at most 16 MiB.
 */
import type { Predicate } from '@actions/attest'
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import { requireManifest } from '../registry/client.js'
import {
  parseJsonBytes,
  parseManifestJson,
  type Manifest,
  type OciDescriptor
} from '../registry/manifest.js'
import { embeddedAttestations } from '../registry/referrer-index.js'

/** The statement types BuildKit gives an SBOM (its intoto.PredicateSPDX, PredicateCycloneDX). */
const SBOM_TYPES = ['https://spdx.dev/Document', 'https://cyclonedx.org/bom']
const PREDICATE_TYPE = 'in-toto.io/predicate-type'
/** actions/attest's bound on an SBOM. */
const MAX_SBOM_BYTES = 16 * 1024 * 1024

type Document = Record<string, unknown>

/** The predicate GitHub attests for an SBOM document, as actions/attest makes it. */
export function sbomPredicate(document: Document, where: string): Predicate {
  const { spdxVersion, SPDXID, bomFormat, serialNumber, specVersion } = document
  if (typeof spdxVersion === 'string' && SPDXID !== undefined) {
    const version = spdxVersion.split('-')[1]
    return { type: `https://spdx.dev/Document/v${version}`, params: document }
  }
  if (bomFormat && serialNumber && specVersion)
    return { type: 'https://cyclonedx.org/bom', params: document }
  throw new Error(`${where} is neither an SPDX nor a CycloneDX JSON document`)
}

/**
 * The SBOM statements' layers of an attestation manifest: BuildKit's scan of the final stage
 * first, then one per extra root it scanned (the context with BUILDKIT_SBOM_SCAN_CONTEXT, each
 * stage with BUILDKIT_SBOM_SCAN_STAGE).
 */
const sbomLayers = (attestation: Manifest): OciDescriptor[] =>
  (parseManifestJson(attestation).layers ?? []).filter(layer =>
    SBOM_TYPES.includes(layer.annotations?.[PREDICATE_TYPE] ?? '')
  )

/** One SBOM layer's predicate. */
async function sbomOf(
  client: RegistryClient,
  image: Image,
  layer: OciDescriptor,
  subject: OciDescriptor
): Promise<Predicate> {
  const where = `${image.name}@${layer.digest} (an SBOM of ${subject.digest})`
  if (layer.size > MAX_SBOM_BYTES)
    throw new Error(`${where} is over 16 MiB, GitHub's bound on an SBOM`)
  const bytes = await client.getBlob(image, layer.digest)
  if (bytes === undefined) throw new Error(`${where} is not in the registry`)
  const statement = parseJsonBytes<{ predicate?: Document }>(bytes)
  return sbomPredicate(statement.predicate ?? {}, where)
}

/**
 * Each platform manifest's SBOM predicates, by the platform manifest's digest; those `known`
 * already (read from another index that lists the same platform manifest) are not read again.
 */
export async function builtSboms(
  client: RegistryClient,
  image: Image,
  root: Manifest,
  known: ReadonlyMap<string, Predicate[]> = new Map()
): Promise<Map<string, Predicate[]>> {
  const sboms = new Map<string, Predicate[]>()
  for (const { attestation, subject } of embeddedAttestations(root)) {
    if (known.has(subject.digest)) continue
    const manifest = await requireManifest(client, image, attestation.digest)
    const predicates: Predicate[] = []
    for (const layer of sbomLayers(manifest))
      predicates.push(await sbomOf(client, image, layer, subject))
    if (predicates.length > 0) sboms.set(subject.digest, predicates)
  }
  return sboms
}
