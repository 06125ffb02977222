/**
 * The signing key: a PEM private key as openssl writes it (PKCS#8, SEC1,
 * encrypted or not) or as `cosign generate-key-pair` does (scrypt and NaCl
 * secretbox around PKCS#8), and the signatures cosign verifies with its
 * public key: ECDSA or RSA over SHA-256, Ed25519 as is.
 */
import {
  createPrivateKey,
  createPublicKey,
  scryptSync,
  sign,
  verify,
  type KeyObject
} from 'node:crypto'
import { errorMessage, InputError } from '../errors/input-error.js'
// node:crypto has no XSalsa20-Poly1305, which cosign's key files use
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js'

export interface Signer {
  /** The base64 signature over the payload, as cosign's annotation holds it. */
  sign(payload: Uint8Array): string
  /** The public key (PEM, SPKI): what `cosign verify --key` is given. */
  publicKey: string
}

const COSIGN_KEY = /^-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/

interface CosignKeyFile {
  kdf: {
    name: string
    params: { N: number; r: number; p: number }
    salt: string
  }
  cipher: { name: string; nonce: string }
  ciphertext: string
}

const base64 = (text: string) => Buffer.from(text, 'base64')

/** The PKCS#8 key inside a cosign key file; a wrong password fails the secretbox. */
function openCosignKey(pem: string, password: string): KeyObject {
  const body = pem
    .split(/\r?\n/)
    .filter(line => !line.startsWith('-----'))
    .join('')
  const file = JSON.parse(base64(body).toString('utf8')) as CosignKeyFile
  if (file.kdf.name !== 'scrypt' || file.cipher.name !== 'nacl/secretbox')
    throw new InputError(
      'signing-key',
      '***',
      `a cosign key with ${file.kdf.name} and ${file.cipher.name}; expected scrypt and ` +
        `nacl/secretbox`
    )
  const { N, r, p } = file.kdf.params
  const secret = scryptSync(password, base64(file.kdf.salt), 32, {
    N,
    r,
    p,
    maxmem: 256 * N * r
  })
  let der: Uint8Array
  try {
    der = xsalsa20poly1305(secret, base64(file.cipher.nonce)).decrypt(
      base64(file.ciphertext)
    )
  } catch {
    throw new InputError(
      'signing-password',
      '***',
      'it does not open the cosign key in "signing-key"'
    )
  }
  return createPrivateKey({
    key: Buffer.from(der),
    format: 'der',
    type: 'pkcs8'
  })
}

function privateKey(pem: string, password: string): KeyObject {
  if (COSIGN_KEY.test(pem)) return openCosignKey(pem, password)
  try {
    return createPrivateKey({ key: pem, passphrase: password })
  } catch (error) {
    const reason = errorMessage(error)
    throw new InputError(
      'signing-key',
      '***',
      `not a private key that "signing-password" opens (${reason})`
    )
  }
}

/** The hash cosign verifies with for this kind of key (Ed25519 signs the message itself). */
const hashFor = (key: KeyObject) =>
  key.asymmetricKeyType === 'ed25519' ? null : 'sha256'

export function loadSigner(pem: string, password: string): Signer {
  const key = privateKey(pem, password)
  const publicKey = createPublicKey(key)
    .export({ type: 'spki', format: 'pem' })
    .toString()
  return {
    publicKey,
    sign: payload => sign(hashFor(key), payload, key).toString('base64')
  }
}

/** Whether the base64 signature over the payload verifies with the PEM public key. */
export function verifies(
  publicKeyPem: string,
  payload: Uint8Array,
  signature: string
): boolean {
  const key = createPublicKey(publicKeyPem)
  try {
    return verify(hashFor(key), payload, key, base64(signature))
  } catch {
    return false
  }
}
