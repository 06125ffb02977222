/**
 * promote's keyless gate: a signature on the source digest must verify for
 * verify-identity and verify-issuer against verify-trusted-root, or nothing
 * is promoted.
 */
import { readFileSync } from 'node:fs'
import { InputError } from '../errors.js'
import type { SigningSettings } from '../settings/signing.js'
import { countKeylessSignatures } from '../registry/keyless-verify.js'
import {
  parseTrustedRoot,
  type TrustedRoot
} from '../registry/sigstore-trust.js'
import type { PublishEnv } from './context.js'

function readTrust(path: string): TrustedRoot {
  try {
    return parseTrustedRoot(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new InputError(
      'verify-trusted-root',
      path,
      `not a readable Sigstore trusted_root.json (${error instanceof Error ? error.message : String(error)})`
    )
  }
}

/** Throws unless a keyless signature on the source verifies for the expected identity. */
export async function verifyKeylessSource(
  signing: SigningSettings,
  source: { image: { name: string }; digest: string },
  env: PublishEnv
): Promise<void> {
  const trust = readTrust(signing.verifyTrustedRoot)
  const ref = `${source.image.name}@${source.digest}`
  const valid = await countKeylessSignatures(
    env.registry,
    source.image.name,
    source.digest,
    {
      identity: signing.verifyIdentity,
      issuer: signing.verifyIssuer,
      trust
    }
  )
  if (valid === 0)
    throw new Error(
      `input "verify-identity": no keyless signature on ${ref} verifies for ${signing.verifyIdentity} (issuer ${signing.verifyIssuer}), so nothing was promoted`
    )
  env.log.info(
    `  ${ref}: ${valid} keyless signature(s) verify for ${signing.verifyIdentity}`
  )
}
