/**
 * The supply-chain phases of a run: promote's gate (the source's signature
 * verified with verify-key before any tag moves), then, once the tags are
 * read back, the source's signatures and attestations carried to each image
 * and the run's digest signed, in cosign's tag scheme.
 */
import type { SigningSettings } from '../settings/signing.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import { loadSigner, type Signer } from '../registry/signing-key.js'
import {
  copyArtifacts,
  countValidSignatures,
  writeSignature
} from '../registry/signatures.js'
import type { PublishEnv } from './environment.js'
import type { RunValues } from './outcome.js'

/** The key opened before anything runs: a wrong password fails the run first. */
export function signerFor(signing: SigningSettings): Signer | undefined {
  return signing.sign === 'key'
    ? loadSigner(signing.key, signing.password)
    : undefined
}

/** The command a person pastes to check the signature (tlog: key signatures go to no Rekor). */
export function verifyCommand(image: string, digest: string): string {
  return `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${image}@${digest}`
}

/** Refuses the promotion unless a signature on the source digest verifies with verify-key. */
export async function verifySource(
  signing: SigningSettings,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const source = values.source
  if (source === undefined)
    throw new Error('verify ran before the source was read')
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
      `${image}: the promoted digest ${digest} wraps the source ${source.digest} in an index, which the carried signatures do not cover: they verify on ${image}@${source.digest}; sign: key signs the promoted digest too`
    )
}

/**
 * Carries the source's artifacts (promote) and signs each image's digest.
 * Returns the verify command of each image signed.
 */
export async function signPublished(
  steps: RequestStep[],
  signer: Signer | undefined,
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
        const { tag, written } = await writeSignature(
          env.registry,
          image,
          digest,
          signer
        )
        env.log.info(
          `  ${image}:${tag} ${written ? 'signed' : 'already signed by this key'}`
        )
        commands.push(verifyCommand(image, digest))
      }
    }
    return commands
  })
}
