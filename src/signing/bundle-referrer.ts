/**
 * cosign 3's image signatures: a Sigstore bundle (v0.3) attached as an OCI 1.1 referrer of the
 * image (artifactType application/vnd.dev.sigstore.bundle.v0.3+json, the empty config, one layer
 * holding the bundle), listed by the referrers API or, where the registry has none, in the
 * referrers tag `sha256-<hex>`. The bundle's DSSE envelope wraps an in-toto statement whose
 * subject is the image's digest and whose predicate type is cosign's signature's. Observed with
 * Debian sid's cosign 3.1.1 (test/fixtures/cosign3/README.md).
 */
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import {
  parseJsonBytes,
  parseManifestJson,
  type Manifest,
  type OciDescriptor
} from '../registry/manifest.js'
import { listReferrers } from '../registry/referrers.js'
import { verifies } from './signing-key.js'

/** cosign 3 writes v0.3; the older media types of the bundle start the same way. */
const BUNDLE_TYPE = /^application\/vnd\.dev\.sigstore\.bundle[.+]/
/** How cosign 3 lists its bundle in a referrers tag: by the empty config's type. */
const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json'
const SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1'
const IN_TOTO = 'application/vnd.in-toto+json'

interface DsseEnvelope {
  payload: string
  payloadType: string
  signatures?: { sig: string }[]
}

/** The fields of a Sigstore bundle's JSON read here (@sigstore/verify reads the rest). */
export interface BundleJson {
  mediaType?: string
  verificationMaterial?: {
    publicKey?: unknown
    certificate?: unknown
    x509CertificateChain?: unknown
  }
  dsseEnvelope?: DsseEnvelope
}

/** Whether a referrers list's entry may be a bundle (others, as buildx's attestations, are not). */
const mayBeBundle = (listed: OciDescriptor) =>
  listed.artifactType === undefined ||
  listed.artifactType === EMPTY_TYPE ||
  BUNDLE_TYPE.test(listed.artifactType)

/** The layer holding the bundle of a referrer of `digest` (undefined: no bundle on it). */
function bundleLayer(
  referrer: Manifest,
  digest: string
): OciDescriptor | undefined {
  const json = parseManifestJson(referrer)
  if (json.subject?.digest !== digest) return undefined
  return json.layers?.find(layer => BUNDLE_TYPE.test(layer.mediaType))
}

/** Whether the bundle was signed keyless (a certificate) rather than by a key. */
export const isKeyless = (bundle: BundleJson) =>
  bundle.verificationMaterial?.certificate !== undefined ||
  bundle.verificationMaterial?.x509CertificateChain !== undefined

const base64 = (text: string) => Buffer.from(text, 'base64')

/** The fields of an in-toto statement read here. */
export interface InTotoStatement {
  predicateType?: unknown
  subject?: { digest?: Record<string, unknown> }[]
  predicate?: unknown
}

/** The in-toto statement of a DSSE envelope; undefined when its payload is no JSON. */
export function statementOf(
  envelope: DsseEnvelope
): InTotoStatement | undefined {
  if (envelope.payloadType !== IN_TOTO) return undefined
  try {
    return parseJsonBytes<InTotoStatement>(base64(envelope.payload))
  } catch {
    return undefined
  }
}

/** Whether a statement names `digest` among its subjects. */
export function namesSubject(statement: InTotoStatement, digest: string) {
  const [algorithm, hex] = digest.split(':')
  return statement.subject?.some(s => s.digest?.[algorithm] === hex) ?? false
}

/**
 * Why a bundle is not cosign's signature of `digest` ('' when it is one), or with `predicate`
 * another statement of it (GitHub's provenance): what its statement vouches for, not yet who
 * signed it.
 */
export function statementRefusal(
  bundle: BundleJson,
  digest: string,
  predicate = SIGN_PREDICATE
): string {
  const envelope = bundle.dsseEnvelope
  if (envelope === undefined) return 'a bundle holds no DSSE envelope'
  if (envelope.payloadType !== IN_TOTO)
    return `a bundle's payload is ${envelope.payloadType}, not an in-toto statement`
  const statement = statementOf(envelope)
  if (statement === undefined) return "a bundle's statement is not JSON"
  const stated = String(statement.predicateType)
  if (stated !== predicate)
    return predicate === SIGN_PREDICATE
      ? `a bundle is an attestation (${stated}), not a signature`
      : `a bundle states ${stated}, not ${predicate}`
  return namesSubject(statement, digest)
    ? ''
    : `a bundle vouches for another digest than ${digest}`
}

/** DSSE's pre-authentication encoding of a payload: the bytes its signatures sign. */
export function preAuthEncoding(
  payloadType: string,
  payload: Uint8Array
): Uint8Array {
  const type = Buffer.from(payloadType)
  const head = `DSSEv1 ${type.length} ${payloadType} ${payload.length} `
  return Buffer.concat([Buffer.from(head), payload])
}

/** Whether a signature in the bundle's envelope verifies with the PEM public key. */
function envelopeVerifies(bundle: BundleJson, publicKeyPem: string): boolean {
  const envelope = bundle.dsseEnvelope
  if (envelope === undefined) return false
  const signed = preAuthEncoding(envelope.payloadType, base64(envelope.payload))
  return (envelope.signatures ?? []).some(({ sig }) =>
    verifies(publicKeyPem, signed, sig)
  )
}

/** A bundle attached to a digest, with its entry in the digest's referrers list. */
export interface ReferredBundle {
  listed: OciDescriptor
  bundle: BundleJson
}

/** The bundles attached to `digest` in `image` (by the referrers API or tag), as JSON. */
export async function referredBundles(
  client: RegistryClient,
  image: Image,
  digest: string
): Promise<ReferredBundle[]> {
  const bundles: ReferredBundle[] = []
  for (const listed of await listReferrers(client, image, digest)) {
    if (!mayBeBundle(listed)) continue
    const referrer = await client.getManifest(image, listed.digest)
    const layer = referrer && bundleLayer(referrer, digest)
    if (layer === undefined) continue
    const bytes = await client.getBlob(image, layer.digest)
    if (bytes === undefined)
      throw new Error(
        `${image.name}@${listed.digest} names bundle ${layer.digest}, which the registry lacks`
      )
    try {
      bundles.push({ listed, bundle: parseJsonBytes<BundleJson>(bytes) })
    } catch {
      // not JSON: a bundle that holds nothing to verify
      bundles.push({ listed, bundle: {} })
    }
  }
  return bundles
}

/** The bundles attached to `digest` in `image`, as JSON. */
export const bundlesOn = async (
  client: RegistryClient,
  image: Image,
  digest: string
): Promise<BundleJson[]> =>
  (await referredBundles(client, image, digest)).map(held => held.bundle)

/** How many cosign 3 signatures on `digest` in `image` verify with the PEM public key. */
export async function countValidBundles(
  client: RegistryClient,
  image: Image,
  digest: string,
  publicKey: string
): Promise<number> {
  const bundles = await bundlesOn(client, image, digest)
  return bundles.filter(
    bundle =>
      statementRefusal(bundle, digest) === '' &&
      envelopeVerifies(bundle, publicKey)
  ).length
}
