/**
 * A keyless signer: an ephemeral P-256 key for one run, certified by Fulcio
 * for the OIDC token's identity; each signature is entered in Rekor.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import {
  certificateChain,
  certificateIdentity,
  certificateRequest,
  challenge,
  keylessAnnotations,
  rekorBundle,
  rekorEntry,
  tokenClaims
} from './sigstore.js'
import {
  requestCertificate,
  uploadEntry,
  type ExchangeLimits
} from './sigstore-client.js'

export interface KeylessEndpoints {
  fulcioUrl: string
  rekorUrl: string
  limits: ExchangeLimits
}

export interface KeylessSigner {
  /** The certificate's identity (SAN), what `--certificate-identity` expects. */
  identity: string
  /** The token's issuer, what `--certificate-oidc-issuer` expects. */
  issuer: string
  /** Signs the payload, enters it in Rekor; the layer's annotations. */
  annotate(payload: Uint8Array): Promise<Record<string, string>>
}

/** Certifies a fresh key for the token's identity (one Fulcio round trip). */
export async function openKeylessSigner(
  token: string,
  endpoints: KeylessEndpoints
): Promise<KeylessSigner> {
  const claims = tokenClaims(token)
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256'
  })
  const signBytes = (bytes: Uint8Array) =>
    sign('sha256', bytes, privateKey).toString('base64')
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const proof = signBytes(Buffer.from(challenge(claims), 'utf8'))
  const chain = certificateChain(
    await requestCertificate(
      endpoints.fulcioUrl,
      certificateRequest(token, publicPem, proof),
      endpoints.limits
    )
  )
  return {
    identity: certificateIdentity(claims),
    issuer: claims.iss,
    async annotate(payload) {
      const signature = signBytes(payload)
      const digest = createHash('sha256').update(payload).digest('hex')
      const answer = await uploadEntry(
        endpoints.rekorUrl,
        rekorEntry(digest, signature, chain[0]),
        endpoints.limits
      )
      return keylessAnnotations(signature, chain, rekorBundle(answer))
    }
  }
}
