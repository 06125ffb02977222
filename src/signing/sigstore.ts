/**
 * Sigstore's keyless signature as data, as cosign writes it in its `.sig`
 * scheme: the token's claims, Fulcio's and Rekor's requests and answers, and
 * a keyless layer's annotations. Pure: the round trips are in sigstore-client.ts.
 */
import { SIGNATURE_ANNOTATION } from './cosign.js'

export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate'
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain'
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle'

/** The claims of an OIDC token that the certificate is made of. */
interface TokenClaims {
  iss: string
  sub: string
  /** GitHub: OWNER/REPO/.github/workflows/FILE@REF of the workflow the job runs. */
  job_workflow_ref?: string
  email?: string
}

/** The token's claims (its signature is Fulcio's to check); throws on a token that is not a JWT. */
export function tokenClaims(token: string): TokenClaims {
  const parts = token.split('.')
  let claims: Partial<TokenClaims> | undefined
  try {
    if (parts.length === 3)
      claims = JSON.parse(
        Buffer.from(parts[1], 'base64url').toString('utf8')
      ) as Partial<TokenClaims>
  } catch {
    // not JSON: refused below
  }
  if (typeof claims?.iss !== 'string' || typeof claims.sub !== 'string')
    throw new Error(
      'the OIDC token is not a JWT with "iss" and "sub" claims, so Fulcio cannot certify it'
    )
  return claims as TokenClaims
}

/**
 * The identity Fulcio certifies (the certificate's SAN): for a GitHub Actions
 * token the workflow's URL (`https://github.com/OWNER/REPO/.github/workflows/
 * FILE@REF`, as actions/attest signs); otherwise the email, or the subject.
 */
export function certificateIdentity(claims: TokenClaims): string {
  if (claims.job_workflow_ref !== undefined)
    return `https://github.com/${claims.job_workflow_ref}`
  return claims.email ?? claims.sub
}

/**
 * What the proof of possession signs: the identity claim Fulcio reads (sub; email for email
 * tokens).
 */
export function challenge(claims: TokenClaims): string {
  return claims.job_workflow_ref === undefined && claims.email !== undefined
    ? claims.email
    : claims.sub
}

/** Fulcio v2's signingCert request: the token, the ephemeral public key and its proof. */
export function certificateRequest(
  token: string,
  publicKeyPem: string,
  proofOfPossession: string
): object {
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: publicKeyPem },
      proofOfPossession
    }
  }
}

interface ChainAnswer {
  chain?: { certificates?: unknown }
}

/** The PEM certificates of Fulcio's answer, leaf first. */
export function certificateChain(answer: unknown): string[] {
  const body = answer as {
    signedCertificateEmbeddedSct?: ChainAnswer
    signedCertificateDetachedSct?: ChainAnswer
  } | null
  const certificates = (
    body?.signedCertificateEmbeddedSct ?? body?.signedCertificateDetachedSct
  )?.chain?.certificates
  if (
    !Array.isArray(certificates) ||
    certificates.length === 0 ||
    !certificates.every(c => typeof c === 'string' && c.includes('CERTIFICATE'))
  )
    throw new Error(
      'Fulcio answered without a certificate chain ' +
        '(signedCertificateEmbeddedSct.chain.certificates)'
    )
  return (certificates as string[]).map(pem => pem.trim() + '\n')
}

/**
 * Rekor's hashedrekord entry: the payload's SHA-256, the signature and the certificate that
 * verifies it.
 */
export function rekorEntry(
  payloadSha256Hex: string,
  signature: string,
  certificatePem: string
): object {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: payloadSha256Hex } },
      signature: {
        content: signature,
        publicKey: {
          content: Buffer.from(certificatePem, 'utf8').toString('base64')
        }
      }
    }
  }
}

interface LogEntry {
  body?: unknown
  integratedTime?: unknown
  logIndex?: unknown
  logID?: unknown
  verification?: { signedEntryTimestamp?: unknown }
}

/**
 * cosign's bundle annotation from Rekor's answer (`{uuid: entry}`): the entry and its signed
 * timestamp, checked offline.
 */
export function rekorBundle(answer: unknown): string {
  const entries =
    typeof answer === 'object' && answer !== null
      ? Object.values(answer as Record<string, LogEntry>)
      : []
  const entry = entries[0]
  const set = entry?.verification?.signedEntryTimestamp
  if (
    entries.length !== 1 ||
    typeof entry.body !== 'string' ||
    typeof entry.integratedTime !== 'number' ||
    typeof entry.logIndex !== 'number' ||
    typeof entry.logID !== 'string' ||
    typeof set !== 'string'
  )
    throw new Error(
      'Rekor answered without one log entry with its signedEntryTimestamp'
    )
  return JSON.stringify({
    SignedEntryTimestamp: set,
    Payload: {
      body: entry.body,
      integratedTime: entry.integratedTime,
      logIndex: entry.logIndex,
      logID: entry.logID
    }
  })
}

/** The annotations of a keyless signature layer: signature, certificate, chain, Rekor bundle. */
export function keylessAnnotations(
  signature: string,
  chain: string[],
  bundle: string
): Record<string, string> {
  return {
    [SIGNATURE_ANNOTATION]: signature,
    [CERTIFICATE_ANNOTATION]: chain[0],
    [CHAIN_ANNOTATION]: chain.slice(1).join(''),
    [BUNDLE_ANNOTATION]: bundle
  }
}

/** The command a person pastes to check a keyless signature. */
export function keylessVerifyCommand(
  identity: string,
  issuer: string,
  ref: string
): string {
  return (
    `cosign verify --certificate-identity ${identity} --certificate-oidc-issuer ${issuer} ` +
    `${ref}`
  )
}
