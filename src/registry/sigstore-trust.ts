/**
 * What a keyless signature is checked against, read from Sigstore's
 * trusted_root.json (the file `cosign verify --trusted-root` reads): the
 * Fulcio certificate chains and the Rekor keys by log id; and the pieces of
 * a Fulcio certificate the policy names, read from its DER: node:crypto's
 * X509Certificate gives the SAN but not Fulcio's issuer extension.
 */

export interface TrustedRoot {
  /** Each Fulcio's chain, DER, its issuing certificate first. */
  authorities: Uint8Array[][]
  /** Rekor's public keys (DER SPKI) by log id (hex of their SHA-256). */
  logs: Map<string, Uint8Array>
}

interface RawKey {
  publicKey?: { rawBytes?: unknown }
  logId?: { keyId?: unknown }
}

const fromBase64 = (text: unknown): Uint8Array => {
  if (typeof text !== 'string' || text === '')
    throw new Error('a key or certificate is not base64 text')
  return new Uint8Array(Buffer.from(text, 'base64'))
}

/** Parses trusted_root.json; throws saying what is missing. */
export function parseTrustedRoot(json: string): TrustedRoot {
  const root = JSON.parse(json) as {
    certificateAuthorities?: { certChain?: { certificates?: unknown } }[]
    tlogs?: RawKey[]
  }
  const authorities = (root.certificateAuthorities ?? []).map(ca => {
    const certificates = ca.certChain?.certificates
    if (!Array.isArray(certificates))
      throw new Error('a certificateAuthority has no certChain.certificates')
    return certificates.map(c =>
      fromBase64((c as { rawBytes?: unknown }).rawBytes)
    )
  })
  const logs = new Map(
    (root.tlogs ?? []).map(log => [
      Buffer.from(fromBase64(log.logId?.keyId)).toString('hex'),
      fromBase64(log.publicKey?.rawBytes)
    ])
  )
  if (authorities.length === 0 || logs.size === 0)
    throw new Error(
      'it names no certificateAuthorities or no tlogs (expected a Sigstore trusted_root.json)'
    )
  return { authorities, logs }
}

/** The DER OID of Fulcio's issuer extensions: v2 (UTF8String) and v1 (raw bytes). */
const ISSUER_V2 = [0x2b, 6, 1, 4, 1, 0x83, 0xbf, 0x30, 1, 8]
const ISSUER_V1 = [0x2b, 6, 1, 4, 1, 0x83, 0xbf, 0x30, 1, 1]

/** One DER element at `at`: its tag, where its content starts, and where it ends. */
function element(
  der: Uint8Array,
  at: number
): { tag: number; start: number; end: number } {
  const tag = der[at]
  let length = der[at + 1]
  let start = at + 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]
    start += bytes
  }
  return { tag, start, end: start + length }
}

function findOid(der: Uint8Array, oid: number[]): number {
  const needle = [0x06, oid.length, ...oid]
  outer: for (let i = 0; i + needle.length <= der.length; i++) {
    for (let j = 0; j < needle.length; j++)
      if (der[i + j] !== needle[j]) continue outer
    return i + needle.length
  }
  return -1
}

/** An extension's value after its OID: skips `critical`, opens the OCTET STRING. */
function extensionValue(der: Uint8Array, after: number): Uint8Array {
  let next = element(der, after)
  if (next.tag === 0x01) next = element(der, next.end)
  if (next.tag !== 0x04) return new Uint8Array()
  return der.subarray(next.start, next.end)
}

/** The OIDC issuer Fulcio wrote into the certificate ('' when it has none). */
export function certificateIssuer(der: Uint8Array): string {
  const v2 = findOid(der, ISSUER_V2)
  if (v2 >= 0) {
    const value = extensionValue(der, v2)
    const text = value.length > 0 ? element(value, 0) : undefined
    if (text?.tag === 0x0c)
      return Buffer.from(value.subarray(text.start, text.end)).toString('utf8')
  }
  const v1 = findOid(der, ISSUER_V1)
  return v1 < 0 ? '' : Buffer.from(extensionValue(der, v1)).toString('utf8')
}

/** The URIs and emails of node's `subjectAltName` text ("URI:a, email:b"). */
export function subjectAltNames(text: string | undefined): string[] {
  return (text ?? '')
    .split(/, (?=[A-Za-z ]+:)/)
    .filter(name => /^(URI|email):/.test(name))
    .map(name => name.slice(name.indexOf(':') + 1))
}

/** A Rekor entry as its bundle carries it. */
export interface RekorEntry {
  body: string
  integratedTime: number
  logIndex: number
  logID: string
}

/** What Rekor's signed entry timestamp signs: the entry as canonical JSON (keys sorted). */
export function signedEntryPayload(entry: RekorEntry): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      body: entry.body,
      integratedTime: entry.integratedTime,
      logID: entry.logID,
      logIndex: entry.logIndex
    })
  )
}
