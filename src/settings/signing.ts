/** The signing inputs: `sign`, the key that signs, the key promote verifies with. */
import { InputError } from '../errors/input-error.js'
import { parseChoice, parseValue, type InputSource } from './parse.js'

/** github-builder's `sign: true|false`, with the two ways to sign named. */
const SIGN_CHOICES = ['false', 'true', 'key', 'keyless'] as const

/** Sigstore's public-good instances, the defaults of fulcio-url and rekor-url. */
const PUBLIC_FULCIO = 'https://fulcio.sigstore.dev'
const PUBLIC_REKOR = 'https://rekor.sigstore.dev'

const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]+\r?\n-----END \1-----\s*$/

export interface SigningSettings {
  /** How the published digest is signed: not at all, with the key, or keyless (OIDC). */
  sign: 'off' | 'key' | 'keyless'
  /** The PEM private key (PKCS#8, SEC1 or cosign's own); a secret. */
  key: string
  /** The key's password; a secret, never on a command line. */
  password: string
  /** promote: the PEM public key the source's signature must verify with. */
  verifyKey: string
  /** keyless: the Fulcio that certifies the OIDC identity, the Rekor that logs the signature. */
  fulcioUrl: string
  rekorUrl: string
  /**
   * promote: the certificate identity a keyless signature on the source must name ('' = no keyless
   * gate).
   */
  verifyIdentity: string
  /** promote: the OIDC issuer that identity must come from. */
  verifyIssuer: string
  /** promote: the path of the Sigstore trusted_root.json the keyless gate trusts. */
  verifyTrustedRoot: string
}

/** The issuer of GitHub Actions' OIDC tokens, verify-issuer's default. */
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

/** An http(s) URL input, its default when empty. */
function readUrl(source: InputSource, name: string, fallback: string): string {
  const url = parseValue(
    source,
    name,
    value => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(value),
    `expected an http(s) URL, e.g. ${fallback} (the default)`
  )
  return url || fallback
}

/** A PEM block, or '' when the input is empty; the value is never quoted (a key is a secret). */
function readPem(source: InputSource, name: string): string {
  const value = source(name).trim()
  if (value === '' || PEM.test(value)) return value
  throw new InputError(
    name,
    '***',
    'expected a PEM key (-----BEGIN … KEY----- … -----END … KEY-----), e.g. the contents of ' +
      'cosign.key from a secret'
  )
}

/** `true` signs with the key when one is given (the user's explicit choice), keyless otherwise. */
function signWith(choice: (typeof SIGN_CHOICES)[number], key: string) {
  if (choice === 'false') return 'off'
  if (choice === 'true') return key === '' ? 'keyless' : 'key'
  return choice
}

export function parseSigning(source: InputSource): SigningSettings {
  const choice = parseChoice(source, 'sign', SIGN_CHOICES, 'false')
  const key = readPem(source, 'signing-key')
  const settings: SigningSettings = {
    sign: signWith(choice, key),
    key,
    password: source('signing-password'),
    verifyKey: readPem(source, 'verify-key'),
    fulcioUrl: readUrl(source, 'fulcio-url', PUBLIC_FULCIO),
    rekorUrl: readUrl(source, 'rekor-url', PUBLIC_REKOR),
    verifyIdentity: source('verify-identity').trim(),
    verifyIssuer: readUrl(source, 'verify-issuer', GITHUB_ISSUER),
    verifyTrustedRoot: source('verify-trusted-root').trim()
  }
  if (settings.sign === 'key' && key === '')
    throw new InputError(
      'sign',
      choice,
      'signing with a key needs input "signing-key" (a PEM private key from a secret)'
    )
  return settings
}

/** Signing needs a digest this run publishes; verify-key and verify-identity gate a promotion. */
export function checkSigning(
  signing: SigningSettings,
  mode: string,
  pushes: boolean
): void {
  const publishesNot = mode === 'digest' || mode === 'gate'
  if (signing.sign !== 'off' && (publishesNot || !pushes))
    throw new InputError(
      'sign',
      signing.sign,
      publishesNot
        ? `mode "${mode}" publishes no index: sign in the mode "merge" job, which publishes it`
        : 'signing needs the image pushed (push: true)'
    )
  const { verifyKey, verifyIdentity, verifyTrustedRoot } = signing
  const verifies = mode === 'promote' || mode === 'rollback'
  const onlyThere =
    'only modes "promote" and "rollback" verify their source before any tag moves'
  if (verifyKey !== '' && !verifies)
    throw new InputError('verify-key', '***', onlyThere)
  if (verifyIdentity !== '' && !verifies)
    throw new InputError('verify-identity', verifyIdentity, onlyThere)
  // the keyless gate needs the trust it checks the certificate against
  if (verifyIdentity !== '' && verifyTrustedRoot === '')
    throw new InputError(
      'verify-trusted-root',
      '',
      'verify-identity needs the path of a Sigstore trusted_root.json (what cosign verify ' +
        '--trusted-root reads) to check the certificate against'
    )
  if (verifyIdentity === '' && verifyTrustedRoot !== '')
    throw new InputError(
      'verify-trusted-root',
      verifyTrustedRoot,
      'it is read only with verify-identity'
    )
}
