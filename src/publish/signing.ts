/**
 * The supply-chain phases of a run: promote's gate (the source's signature
 * verified with verify-key before any tag moves), then, once the tags are
 * read back, the source's signatures and attestations carried to each image
 * and the run's digest signed, in cosign's tag scheme.
 */
import type { SigningSettings } from '../settings/signing.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import { copyArtifacts, countValidSignatures } from '../registry/signatures.js'
import type { PublishEnv } from './context.js'
import { keySigner, type ImageSigner } from './image-signer.js'
import { keylessImageSigner } from './keyless.js'
import { verifyKeylessSource } from './keyless-gate.js'
import { loadSigner } from '../registry/signing-key.js'
import type { RunValues } from './values.js'

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
