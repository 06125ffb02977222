/**
 * The supply-chain phases of a run: promote's gate (the source's signature
 * verified with verify-key before any tag moves), then, once the tags are
 * read back, the source's signatures and attestations carried to each image
 * and the run's digest signed, in cosign's tag scheme.
 */
import { readFileSync } from 'node:fs'
import { InputError } from '../shared/input-error.js'
import type { SigningSettings } from '../settings/signing.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import { countKeylessSignatures } from '../registry/keyless-verify.js'
import {
  openKeylessSigner,
  type KeylessSigner
} from '../registry/keyless-signer.js'
import { writeKeylessSignature } from '../registry/keyless-signatures.js'
import {
  copyArtifacts,
  countValidSignatures,
  writeSignature
} from '../registry/signatures.js'
import { loadSigner, type Signer } from '../registry/signing-key.js'
import { keylessVerifyCommand } from '../registry/sigstore.js'
import { requestIdToken } from '../registry/sigstore-client.js'
import {
  parseTrustedRoot,
  type TrustedRoot
} from '../registry/sigstore-trust.js'
import type { PublishEnv } from './environment.js'
import type { RunValues } from './outcome.js'

/** Signs a digest in an image: the log line, and the command that verifies it. */
export interface ImageSigner {
  sign(
    image: string,
    digest: string,
    env: PublishEnv
  ): Promise<{ line: string; verify: string }>
}

export function keySigner(signer: Signer): ImageSigner {
  return {
    async sign(image, digest, env) {
      const { tag, written } = await writeSignature(
        env.registry,
        image,
        digest,
        signer
      )
      return {
        line: `  ${image}:${tag} ${written ? 'signed' : 'already signed by this key'}`,
        verify: verifyCommand(image, digest)
      }
    }
  }
}

/** The command a person pastes to check the signature (tlog: key signatures go to no Rekor). */
export function verifyCommand(image: string, digest: string): string {
  return `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${image}@${digest}`
}

/** The runner's token request, or an error naming `sign` when the job may not ask for one. */
function tokenRequest(
  choice: string,
  processEnv: NodeJS.ProcessEnv
): { url: string; token: string } {
  const url = processEnv.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
  const token = processEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  if (url === '' || token === '')
    throw new InputError(
      'sign',
      choice,
      'keyless signing needs GitHub\'s OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job "permissions: id-token: write", or sign with "signing-key"'
    )
  return { url, token }
}

async function openSigner(
  signing: SigningSettings,
  request: { url: string; token: string },
  env: PublishEnv
): Promise<KeylessSigner> {
  const limits = {
    timeoutMs: env.registryTimeoutMs,
    retries: env.retry.retries,
    sleep: env.retry.sleep
  }
  const token = await requestIdToken(
    request.url,
    request.token,
    'sigstore',
    limits
  )
  env.log.mask(token)
  const signer = await openKeylessSigner(token, {
    fulcioUrl: signing.fulcioUrl,
    rekorUrl: signing.rekorUrl,
    limits
  })
  env.log.info(
    `  certificate from ${signing.fulcioUrl} for ${signer.identity} (issuer ${signer.issuer})`
  )
  return signer
}

/** The keyless signer of a run; throws now if the job has no OIDC token to ask for. */
export function keylessImageSigner(
  signing: SigningSettings,
  processEnv: NodeJS.ProcessEnv = process.env
): ImageSigner {
  const request = tokenRequest(signing.sign, processEnv)
  let opened: Promise<KeylessSigner> | undefined
  return {
    async sign(image, digest, env) {
      const signer = await (opened ??= openSigner(signing, request, env))
      const { tag, written } = await writeKeylessSignature(
        env.registry,
        image,
        digest,
        signer
      )
      return {
        line: `  ${image}:${tag} ${written ? 'signed' : 'already holds this signature'}, entered in ${signing.rekorUrl}`,
        verify: keylessVerifyCommand(
          signer.identity,
          signer.issuer,
          `${image}@${digest}`
        )
      }
    }
  }
}

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

/**
 * The signer, made before anything runs: a wrong password, or keyless
 * without an OIDC token to ask for, fails the run first.
 */
export function signerFor(signing: SigningSettings): ImageSigner | undefined {
  if (signing.sign === 'key')
    return keySigner(loadSigner(signing.key, signing.password))
  return signing.sign === 'keyless' ? keylessImageSigner(signing) : undefined
}

/** Refuses the promotion unless a signature on the source digest verifies with verify-key (and, keyless, for verify-identity). */
export async function verifySource(
  signing: SigningSettings,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const source = values.source
  if (source === undefined)
    throw new Error('verify ran before the source was read')
  if (signing.verifyIdentity !== '')
    await verifyKeylessSource(signing, source, env)
  if (signing.verifyKey === '') return
  const valid = await countValidSignatures(
    env.registry,
    source.image.name,
    source.digest,
    signing.verifyKey
  )
  const ref = `${source.image.name}@${source.digest}`
  if (valid === 0)
    throw new Error(
      `input "verify-key": no signature on ${ref} verifies with this key, so nothing was promoted`
    )
  env.log.info(`  ${ref}: ${valid} signature(s) verify with verify-key`)
}

/**
 * Copies the source's signatures and attestations. They vouch for the
 * source digest: a single-platform image copied to another registry is
 * wrapped in an index (README, known limits), whose new digest they do not
 * cover; the log says so unless the run signs it.
 */
async function carry(
  step: RequestStep,
  image: string,
  source: { image: { name: string }; digest: string },
  digest: string,
  signs: boolean,
  env: PublishEnv
): Promise<void> {
  const tags = await copyArtifacts(
    env.registry,
    source.image.name,
    source.digest,
    image
  )
  env.log.info(
    tags.length > 0
      ? `${stepLine(step)}\n  ${tags.join(', ')}`
      : notRunLine(step, 'not needed: the source has none')
  )
  if (tags.length > 0 && digest !== source.digest && !signs)
    env.log.warning(
      `${image}: the promoted digest ${digest} wraps the source ${source.digest} in an index, which the carried signatures do not cover: they verify on ${image}@${source.digest}; sign: key or keyless signs the promoted digest too`
    )
}

/**
 * Carries the source's artifacts (promote) and signs each image's digest.
 * Returns the verify command of each image signed.
 */
export async function signPublished(
  steps: RequestStep[],
  signer: ImageSigner | undefined,
  values: RunValues,
  env: PublishEnv
): Promise<string[]> {
  if (steps.length === 0) return []
  return env.log.group('Sign', async () => {
    const commands: string[] = []
    for (const step of steps) {
      const image = step.image.name
      const digest = values.digestOf(image)
      if (step.step === 'carry' && values.source !== undefined)
        await carry(step, image, values.source, digest, !!signer, env)
      if (step.step === 'sign' && signer !== undefined) {
        env.log.info(stepLine(step))
        const { line, verify } = await signer.sign(image, digest, env)
        env.log.info(line)
        commands.push(verify)
      }
    }
    return commands
  })
}
