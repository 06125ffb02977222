/**
 * promote's keyless gate: the keyless signatures on a digest that verify as
 * `cosign verify --certificate-identity --certificate-oidc-issuer` does
 * offline: the certificate chains to a trusted Fulcio, names the identity
 * and the issuer, its key signed the payload, which vouches for the digest,
 * and Rekor's signed entry timestamp covers this very signature and
 * certificate, logged while the certificate was valid. The SCT is not
 * checked here (cosign verify checks it).
 */
import {
  createHash,
  createPublicKey,
  verify,
  X509Certificate
} from 'node:crypto'
import type { RegistryClient } from './client.js'
import {
  artifactTag,
  parseArtifact,
  payloadDigest,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING,
  type Descriptor
} from './cosign.js'
import { BUNDLE_ANNOTATION, CERTIFICATE_ANNOTATION } from './sigstore.js'
import {
  certificateIssuer,
  signedEntryPayload,
  subjectAltNames,
  type RekorEntry,
  type TrustedRoot
} from './sigstore-trust.js'

export interface KeylessPolicy {
  identity: string
  issuer: string
  trust: TrustedRoot
}

interface Bundle {
  SignedEntryTimestamp: string
  Payload: RekorEntry
}

const der = (bytes: Uint8Array) =>
  createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' })

/** Whether the leaf chains to one of the trusted Fulcio chains. */
function chainsToTrust(leaf: X509Certificate, trust: TrustedRoot): boolean {
  return trust.authorities.some(chain => {
    const certificates = chain.map(
      bytes => new X509Certificate(Buffer.from(bytes))
    )
    let child = leaf
    for (const parent of certificates) {
      if (!child.checkIssued(parent) || !child.verify(parent.publicKey))
        return false
      child = parent
    }
    return child.verify(child.publicKey)
  })
}

/** Whether Rekor's bundle signs this signature and certificate, within the certificate's life. */
function loggedInTime(
  bundle: Bundle,
  leaf: X509Certificate,
  signature: string,
  payload: Uint8Array,
  trust: TrustedRoot
): boolean {
  const key = trust.logs.get(bundle.Payload.logID)
  if (key === undefined) return false
  const set = Buffer.from(bundle.SignedEntryTimestamp, 'base64')
  if (!verify('sha256', signedEntryPayload(bundle.Payload), der(key), set))
    return false
  const body = JSON.parse(
    Buffer.from(bundle.Payload.body, 'base64').toString('utf8')
  ) as {
    spec?: {
      data?: { hash?: { value?: string } }
      signature?: { content?: string; publicKey?: { content?: string } }
    }
  }
  const logged = Buffer.from(
    body.spec?.signature?.publicKey?.content ?? '',
    'base64'
  ).toString('utf8')
  const time = bundle.Payload.integratedTime * 1000
  return (
    body.spec?.signature?.content === signature &&
    body.spec.data?.hash?.value ===
      createHash('sha256').update(payload).digest('hex') &&
    new X509Certificate(logged).raw.equals(leaf.raw) &&
    time >= Date.parse(leaf.validFrom) &&
    time <= Date.parse(leaf.validTo)
  )
}

/** Whether one `.sig` layer is a keyless signature on `digest` the policy accepts. */
function verifiesKeyless(
  layer: Descriptor,
  payload: Uint8Array,
  digest: string,
  policy: KeylessPolicy
): boolean {
  const notes = layer.annotations ?? {}
  const signature = notes[SIGNATURE_ANNOTATION]
  const certificate = notes[CERTIFICATE_ANNOTATION]
  const bundle = notes[BUNDLE_ANNOTATION]
  if (!signature || !certificate || !bundle) return false
  try {
    const leaf = new X509Certificate(certificate)
    return (
      payloadDigest(payload) === digest &&
      subjectAltNames(leaf.subjectAltName).includes(policy.identity) &&
      certificateIssuer(leaf.raw) === policy.issuer &&
      chainsToTrust(leaf, policy.trust) &&
      verify(
        'sha256',
        payload,
        leaf.publicKey,
        Buffer.from(signature, 'base64')
      ) &&
      loggedInTime(
        JSON.parse(bundle) as Bundle,
        leaf,
        signature,
        payload,
        policy.trust
      )
    )
  } catch {
    return false
  }
}

/** How many keyless signatures on `digest` in `image` the policy accepts. */
export async function countKeylessSignatures(
  client: RegistryClient,
  image: string,
  digest: string,
  policy: KeylessPolicy
): Promise<number> {
  const manifest = await client.getManifest(image, artifactTag(digest, 'sig'))
  if (manifest === undefined) return 0
  const layers = parseArtifact(manifest).layers.filter(
    layer =>
      layer.mediaType === SIMPLE_SIGNING &&
      layer.annotations?.[CERTIFICATE_ANNOTATION] !== undefined
  )
  let valid = 0
  for (const layer of layers) {
    const payload = await client.getBlob(image, layer.digest)
    if (
      payload !== undefined &&
      verifiesKeyless(layer, payload, digest, policy)
    )
      valid++
  }
  return valid
}
