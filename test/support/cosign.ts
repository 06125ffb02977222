/**
 * The real cosign (Debian trixie's 2.5, installed by scripts/stack/stack.sh):
 * key pairs made as a user makes them, and `cosign verify` run as a user
 * runs it, with the registry's login in its own docker config.
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

function cosign(
  args: string[],
  env: Record<string, string>,
  cwd?: string
): Promise<CosignResult> {
  return new Promise(resolve => {
    execFile(
      'cosign',
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

/** A docker config that logs cosign in to these registries. */
function dockerConfig(registries: StackRegistry[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-cosign-config-'))
  const auths = Object.fromEntries(
    registries.map(r => [
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
  registries: StackRegistry[]
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
    { DOCKER_CONFIG: dockerConfig(registries) }
  )
}

/**
 * `cosign verify` of a keyless signature: the certificate's identity and
 * issuer, checked against the trust roots in `trustEnv` (SIGSTORE_ROOT_FILE,
 * SIGSTORE_REKOR_PUBLIC_KEY, SIGSTORE_CT_LOG_PUBLIC_KEY_FILE) instead of
 * Sigstore's TUF root; the Rekor entry is checked offline from its bundle.
 */
export function cosignVerifyKeyless(
  ref: string,
  identity: { identity: string; issuer: string },
  trustEnv: Record<string, string>,
  registries: StackRegistry[]
): Promise<CosignResult> {
  return cosign(
    [
      'verify',
      '--certificate-identity',
      identity.identity,
      '--certificate-oidc-issuer',
      identity.issuer,
      '--output',
      'json',
      ref
    ],
    { DOCKER_CONFIG: dockerConfig(registries), ...trustEnv }
  )
}
