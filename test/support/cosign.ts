/**
 * The real cosign (Debian trixie's 2.5, installed by scripts/stack/stack.sh,
 * and Debian sid's 3.1.1 beside it, scripts/stack/lib/cosign3.sh): key pairs
 * made as a user makes them, `cosign sign` and `cosign verify` run as a user
 * runs them, with the registry's login in its own docker config.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StackRegistry } from './stack-env.js'

export interface CosignResult {
  code: number
  output: string
}

/** Which cosign: 2.5 on PATH, or 3's binary (stackEnv().cosign3). */
type CosignBinary = 'cosign' | (string & {})

function cosign(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
  binary: CosignBinary = 'cosign'
): Promise<CosignResult> {
  return new Promise(resolve => {
    execFile(
      binary,
      args,
      { env: { ...process.env, ...env }, cwd, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({
          code:
            error === null
              ? 0
              : typeof error.code === 'number'
                ? error.code
                : 1,
          output: stdout + stderr
        })
    )
  })
}

export interface KeyPair {
  dir: string
  /** cosign.key's PEM text (encrypted with the password). */
  privateKey: string
  publicKeyFile: string
  /** cosign.pub's PEM text. */
  publicKey: string
  password: string
}

/** `cosign generate-key-pair`, the password from COSIGN_PASSWORD. */
export async function generateKeyPair(password: string): Promise<KeyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-cosign-'))
  const made = await cosign(
    ['generate-key-pair'],
    { COSIGN_PASSWORD: password },
    dir
  )
  if (made.code !== 0)
    throw new Error(`cosign generate-key-pair: ${made.output}`)
  return {
    dir,
    privateKey: readFileSync(join(dir, 'cosign.key'), 'utf8'),
    publicKeyFile: join(dir, 'cosign.pub'),
    publicKey: readFileSync(join(dir, 'cosign.pub'), 'utf8'),
    password
  }
}

/** A docker config that logs cosign in to these registries (none for one without a user). */
function dockerConfig(registries: StackRegistry[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-cosign-config-'))
  const auths = Object.fromEntries(
    registries
      .filter(r => r.username !== '')
      .map(r => [
        r.host,
        { auth: Buffer.from(`${r.username}:${r.password}`).toString('base64') }
      ])
  )
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }))
  return dir
}

/**
 * `cosign verify --key` on a reference; key signatures go to no
 * transparency log, so the tlog check is off, as the action's verify
 * output says.
 */
export function cosignVerify(
  ref: string,
  publicKeyFile: string,
  registries: StackRegistry[],
  binary: CosignBinary = 'cosign'
): Promise<CosignResult> {
  return cosign(
    [
      'verify',
      '--key',
      publicKeyFile,
      '--insecure-ignore-tlog=true',
      '--output',
      'json',
      ref
    ],
    { DOCKER_CONFIG: dockerConfig(registries) },
    undefined,
    binary
  )
}

/**
 * A signing config as `cosign signing-config create` writes it (cosign 3.1.1); with no services
 * (`sigstore` undefined) as the stack is offline: no Rekor entry and no timestamp; the field's
 * default enters the signature in Rekor too, which a key check with the tlog off does not read.
 */
function signingConfig(sigstore?: { fulcioUrl: string; rekorUrl: string }) {
  const file = join(mkdtempSync(join(tmpdir(), 'dpa-cosign3-')), 'signing.json')
  const service = (url: string) => ({
    url,
    majorApiVersion: 1,
    validFor: { start: '2020-01-01T00:00:00Z' },
    operator: 'stand-in'
  })
  const services = sigstore && {
    caUrls: [service(sigstore.fulcioUrl)],
    rekorTlogUrls: [service(sigstore.rekorUrl)]
  }
  writeFileSync(
    file,
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      ...services,
      rekorTlogConfig: sigstore ? { selector: 'ANY' } : {},
      tsaConfig: {}
    })
  )
  return file
}

/**
 * `cosign sign --key` by cosign 3 with its defaults but the offline signing config: a Sigstore
 * bundle attached as a referrer (the referrers API, else the referrers tag).
 */
export function cosign3Sign(
  binary: string,
  ref: string,
  keys: KeyPair,
  registries: StackRegistry[]
): Promise<CosignResult> {
  return cosign(
    [
      'sign',
      '--key',
      join(keys.dir, 'cosign.key'),
      '--signing-config',
      signingConfig(),
      '--yes',
      ref
    ],
    { DOCKER_CONFIG: dockerConfig(registries), COSIGN_PASSWORD: keys.password },
    undefined,
    binary
  )
}

/**
 * `cosign verify` of a keyless signature: the certificate's identity and
 * issuer, checked against the trust roots in `trustEnv` (SIGSTORE_ROOT_FILE,
 * SIGSTORE_REKOR_PUBLIC_KEY, SIGSTORE_CT_LOG_PUBLIC_KEY_FILE) instead of
 * Sigstore's TUF root; the Rekor entry is checked offline from its bundle.
 * cosign 3 (`cosign3`) is given the same trust as a trusted_root.json,
 * `--trusted-root`, which it reads without TUF.
 */
export function cosignVerifyKeyless(
  ref: string,
  identity: { identity: string; issuer: string },
  trustEnv: Record<string, string>,
  registries: StackRegistry[],
  cosign3?: { binary: string; trustedRoot: string }
): Promise<CosignResult> {
  return cosign(
    [
      'verify',
      '--certificate-identity',
      identity.identity,
      '--certificate-oidc-issuer',
      identity.issuer,
      ...(cosign3 ? ['--trusted-root', cosign3.trustedRoot] : []),
      '--output',
      'json',
      ref
    ],
    { DOCKER_CONFIG: dockerConfig(registries), ...(cosign3 ? {} : trustEnv) },
    undefined,
    cosign3?.binary
  )
}

/**
 * `cosign sign` keyless by cosign 3 against the Sigstore stand-ins: their Fulcio and Rekor in its
 * signing config, their trust as `--trusted-root`, the OIDC token from a file (never on the
 * command line).
 */
export async function cosign3SignKeyless(
  binary: string,
  ref: string,
  sigstore: { fulcioUrl: string; rekorUrl: string; trustedRootFile: string },
  token: string,
  registries: StackRegistry[]
): Promise<CosignResult> {
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'dpa-cosign3-')), 'token')
  writeFileSync(tokenFile, token, { mode: 0o600 })
  return cosign(
    [
      'sign',
      '--identity-token',
      tokenFile,
      '--signing-config',
      signingConfig(sigstore),
      '--trusted-root',
      sigstore.trustedRootFile,
      '--yes',
      ref
    ],
    { DOCKER_CONFIG: dockerConfig(registries) },
    undefined,
    binary
  )
}

/**
 * `cosign verify-attestation` by cosign 3 of a keyless attestation attached as a Sigstore bundle
 * referrer (`--new-bundle-format`): the certificate's identity and issuer, the statement's predicate
 * type (by default `slsaprovenance1`: https://slsa.dev/provenance/v1; cosign takes a type's URI
 * too), against the stand-ins' trusted root.
 */
export function cosign3VerifyAttestation(
  binary: string,
  ref: string,
  identity: { identity: string; issuer: string },
  trustedRoot: string,
  registries: StackRegistry[],
  type = 'slsaprovenance1'
): Promise<CosignResult> {
  return cosign(
    [
      'verify-attestation',
      '--new-bundle-format',
      '--type',
      type,
      '--certificate-identity',
      identity.identity,
      '--certificate-oidc-issuer',
      identity.issuer,
      '--trusted-root',
      trustedRoot,
      '--output',
      'json',
      ref
    ],
    { DOCKER_CONFIG: dockerConfig(registries) },
    undefined,
    binary
  )
}
