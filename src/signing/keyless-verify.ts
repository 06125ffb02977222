/**
 * promote's keyless gate: the keyless signatures on a digest that verify as
 * `cosign verify --certificate-identity --certificate-oidc-issuer` does
 * offline, by @sigstore/verify against a Sigstore trusted_root.json: cosign
 * 2's `.sig` layers and cosign 3's bundles (bundle-referrer.ts).
 */
import { errorMessage } from '../errors/input-error.js'
import type { Image } from '../reference/images.js'
import { createHash, X509Certificate } from 'node:crypto'
import {
  Bundle as BundleMessage,
  HashAlgorithm,
  TrustedRoot
} from '@sigstore/protobuf-specs'
import {
  toSignedEntity,
  toTrustMaterial,
  Verifier,
  type SignedEntity,
  type TrustMaterial
} from '@sigstore/verify'
import type { RegistryClient } from '../registry/client.js'
import {
  artifactTag,
  payloadDigest,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING
} from './cosign.js'
import type { OciDescriptor as Descriptor } from '../registry/manifest.js'
import { SLSA_PROVENANCE } from '../registry/referrer-index.js'
import { BUNDLE_ANNOTATION, CERTIFICATE_ANNOTATION } from './sigstore.js'
import { layersAt } from './signatures.js'
import {
  bundlesOn,
  isKeyless,
  statementRefusal,
  type BundleJson
} from './bundle-referrer.js'

export interface KeylessPolicy {
  identity: string
  issuer: string
  trust: TrustMaterial
}

/** trusted_root.json (what `cosign verify --trusted-root` reads); throws saying what is wrong. */
export function parseTrustedRoot(json: string): TrustMaterial {
  const root = TrustedRoot.fromJSON(JSON.parse(json))
  if (root.certificateAuthorities.length === 0 || root.tlogs.length === 0)
    throw new Error(
      'it names no certificateAuthorities or no tlogs (expected a Sigstore trusted_root.json)'
    )
  return toTrustMaterial(root)
}

type Bundle = Parameters<typeof toSignedEntity>[0]

/** cosign's bundle annotation: Rekor's entry and its signed entry timestamp. */
interface RekorBundle {
  SignedEntryTimestamp: string
  Payload: {
    body: string
    integratedTime: number
    logIndex: number
    logID: string
  }
}

/** A keyless `.sig` layer as the Sigstore bundle @sigstore/verify reads. */
function sigstoreBundle(
  notes: Record<string, string>,
  payload: Uint8Array
): Bundle {
  const certificate = new X509Certificate(notes[CERTIFICATE_ANNOTATION])
  const rekor = JSON.parse(notes[BUNDLE_ANNOTATION]) as RekorBundle
  const { Payload: entry } = rekor
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      content: {
        $case: 'x509CertificateChain',
        x509CertificateChain: { certificates: [{ rawBytes: certificate.raw }] }
      },
      tlogEntries: [
        {
          logIndex: String(entry.logIndex),
          logId: { keyId: Buffer.from(entry.logID, 'hex') },
          kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
          integratedTime: String(entry.integratedTime),
          inclusionPromise: {
            signedEntryTimestamp: Buffer.from(
              rekor.SignedEntryTimestamp,
              'base64'
            )
          },
          inclusionProof: undefined,
          canonicalizedBody: Buffer.from(entry.body, 'base64')
        }
      ],
      timestampVerificationData: undefined
    },
    content: {
      $case: 'messageSignature',
      messageSignature: {
        messageDigest: {
          algorithm: HashAlgorithm.SHA2_256,
          digest: createHash('sha256').update(payload).digest()
        },
        signature: Buffer.from(notes[SIGNATURE_ANNOTATION], 'base64')
      }
    }
  }
}

/** Why the entity is not signed as the policy asks ('' when it is). */
function policyRefusal(
  entity: () => SignedEntity,
  policy: KeylessPolicy
): string {
  try {
    const { identity } = new Verifier(policy.trust).verify(entity())
    const names = identity?.subjectAlternativeName
    const issuer = identity?.extensions?.issuer
    if (names !== policy.identity)
      return `the certificate names ${names ?? 'no identity'}`
    return issuer === policy.issuer
      ? ''
      : `the certificate's issuer is ${issuer ?? 'not named'}`
  } catch (error) {
    const message = errorMessage(error)
    return /SCT/.test(message)
      ? `the certificate has no valid SCT from a trusted CT log (${message})`
      : message
  }
}

/**
 * Why one `.sig` layer is not a keyless signature on `digest` the policy accepts ('' when it is).
 */
function refusal(
  layer: Descriptor,
  payload: Uint8Array,
  digest: string,
  policy: KeylessPolicy
): string {
  const notes = layer.annotations ?? {}
  if (!notes[SIGNATURE_ANNOTATION] || !notes[BUNDLE_ANNOTATION])
    return 'a layer has no signature or no Rekor bundle'
  if (payloadDigest(payload) !== digest)
    return `a payload vouches for another digest than ${digest}`
  const entity = () =>
    toSignedEntity(sigstoreBundle(notes, payload), Buffer.from(payload))
  return policyRefusal(entity, policy)
}

/**
 * Why one bundle is not a keyless signature on `digest` the policy accepts (cosign 3's), or with
 * `predicate` another keyless statement of it (GitHub's provenance).
 */
function bundleRefusal(
  bundle: BundleJson,
  digest: string,
  policy: KeylessPolicy,
  predicate?: string
): string {
  const statement = statementRefusal(bundle, digest, predicate)
  if (statement !== '') return statement
  // a DSSE envelope carries its payload: no artifact to give
  const entity = () => toSignedEntity(BundleMessage.fromJSON(bundle) as Bundle)
  return policyRefusal(entity, policy)
}

/**
 * How many keyless signatures on `digest` in `image` the policy accepts (`.sig` layers and cosign
 * 3's bundles), and why the others are not.
 */
export async function countKeylessSignatures(
  client: RegistryClient,
  image: Image,
  digest: string,
  policy: KeylessPolicy
): Promise<{ valid: number; refusals: string[] }> {
  const tag = artifactTag(digest, 'sig')
  const layers = (await layersAt(client, image, tag)).filter(
    layer =>
      layer.mediaType === SIMPLE_SIGNING &&
      layer.annotations?.[CERTIFICATE_ANNOTATION] !== undefined
  )
  const reasons: string[] = []
  for (const layer of layers) {
    const payload = await client.getBlob(image, layer.digest)
    reasons.push(
      payload === undefined
        ? `the payload ${layer.digest} is missing`
        : refusal(layer, payload, digest, policy)
    )
  }
  for (const bundle of await bundlesOn(client, image, digest))
    if (isKeyless(bundle)) reasons.push(bundleRefusal(bundle, digest, policy))
  return tally(reasons)
}

/** How many of the checks passed (''), and the distinct reasons of the others. */
function tally(reasons: string[]): { valid: number; refusals: string[] } {
  const refusals = new Set(reasons.filter(why => why !== ''))
  return {
    valid: reasons.filter(why => why === '').length,
    refusals: [...refusals]
  }
}

/**
 * How many GitHub provenance attestations of `digest` in `image` the policy accepts (the bundles
 * actions/attest and github-attestations attach), and why the others are not.
 */
export async function countProvenanceAttestations(
  client: RegistryClient,
  image: Image,
  digest: string,
  policy: KeylessPolicy
): Promise<{ valid: number; refusals: string[] }> {
  const bundles = (await bundlesOn(client, image, digest)).filter(isKeyless)
  return tally(
    bundles.map(bundle =>
      bundleRefusal(bundle, digest, policy, SLSA_PROVENANCE)
    )
  )
}
