/**
 * Supply chain: promote's gate before any tag moves; after the read-back, referrers, carried
 * signatures, our signature.
 */
import { readFileSync } from 'node:fs'
import { errorMessage, InputError } from '../errors/input-error.js'
import type { Image } from '../reference/images.js'
import type { SigningSettings } from '../settings/signing.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import { isReferrerStep } from '../plan/sign-steps.js'
import {
  keylessImageSigner,
  keySigner,
  type ImageSigner
} from '../signing/image-signers.js'
import type { KeylessPolicy } from '../signing/keyless-verify.js'
import {
  attachAttestations,
  copyReferrers,
  type AttachedReferrer
} from '../registry/referrers.js'
import { copyArtifacts, countValidSignatures } from '../signing/signatures.js'
import { countValidBundles } from '../signing/bundle-referrer.js'
import { loadSigner } from '../signing/signing-key.js'
import type { PublishEnv } from './run-context.js'
import { isProvenanceReferrer } from '../registry/referrer-index.js'
import { recordStorage, type RecordAccess } from './storage-record.js'
import type { RunValues } from './outcome.js'

/** @sigstore/verify is loaded only for a keyless gate (dist/chunks/keyless-verify.js). */
const keylessVerify = () => import('../signing/keyless-verify.js')

async function readTrust(path: string): Promise<KeylessPolicy['trust']> {
  const { parseTrustedRoot } = await keylessVerify()
  try {
    return parseTrustedRoot(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new InputError(
      'verify-trusted-root',
      path,
      `not a readable Sigstore trusted_root.json (${errorMessage(error)})`
    )
  }
}

/** Made before anything runs: a wrong password, or keyless without an OIDC token, fails first. */
export function signerFor(
  signing: SigningSettings,
  vars: NodeJS.ProcessEnv
): ImageSigner | undefined {
  if (signing.sign === 'key')
    return keySigner(loadSigner(signing.key, signing.password))
  return signing.sign === 'keyless'
    ? keylessImageSigner(signing, vars)
    : undefined
}

/** What verify-identity's check is named in its lines: the evidence it asks of the source. */
const EVIDENCE = {
  signature: 'keyless signature',
  provenance: 'GitHub provenance attestation'
} as const

/**
 * Refuses the promotion unless the source digest carries `evidence` signed by verify-identity's
 * identity (a keyless signature, or GitHub's provenance attestation), checked with
 * @sigstore/verify against verify-trusted-root.
 */
async function verifyIdentity(
  signing: SigningSettings,
  evidence: keyof typeof EVIDENCE,
  source: { image: Image; digest: string },
  env: PublishEnv
): Promise<void> {
  const ref = `${source.image.name}@${source.digest}`
  const trust = await readTrust(signing.verifyTrustedRoot)
  const { countKeylessSignatures, countProvenanceAttestations } =
    await keylessVerify()
  const count =
    evidence === 'provenance'
      ? countProvenanceAttestations
      : countKeylessSignatures
  const { valid, refusals } = await count(
    env.registry,
    source.image,
    source.digest,
    { identity: signing.verifyIdentity, issuer: signing.verifyIssuer, trust }
  )
  const what = EVIDENCE[evidence]
  if (valid === 0)
    throw new Error(
      `input "verify-identity": no ${what} on ${ref} verifies for ` +
        `${signing.verifyIdentity} (issuer ` +
        `${signing.verifyIssuer})${refusals.length > 0 ? `: ${refusals.join('; ')}` : ''}, so ` +
        `nothing was promoted`
    )
  env.log.info(
    `  ${ref}: ${valid} ${what}(s) verify for ${signing.verifyIdentity}`
  )
}

/**
 * Refuses the promotion unless a signature on the source digest verifies with verify-key (and,
 * with verify-identity, the `evidence` it asks for: plan/sign-steps.ts identityEvidence).
 */
export async function verifySource(
  signing: SigningSettings,
  evidence: keyof typeof EVIDENCE,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const { source } = values
  if (!source) throw new Error('verify ran before the source was read')
  const ref = `${source.image.name}@${source.digest}`
  if (signing.verifyIdentity !== '')
    await verifyIdentity(signing, evidence, source, env)
  if (signing.verifyKey === '') return
  const counts = await Promise.all(
    [countValidSignatures, countValidBundles].map(count =>
      count(env.registry, source.image, source.digest, signing.verifyKey)
    )
  )
  const [sigs, bundles] = counts
  if (sigs + bundles === 0)
    throw new Error(
      `input "verify-key": no signature on ${ref} verifies with this key, so nothing was promoted`
    )
  env.log.info(
    `  ${ref}: ${sigs} .sig signature(s) and ${bundles} Sigstore bundle(s) verify with verify-key`
  )
}

/**
 * Copies the source's signatures; they vouch for its digest, not a single-platform copy's index.
 */
async function carry(
  step: RequestStep,
  source: { image: Image; digest: string },
  digest: string,
  signs: boolean,
  env: PublishEnv
): Promise<void> {
  const { image } = step
  const tags = await copyArtifacts(
    env.registry,
    source.image,
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
      `${wrapped(image, digest, source.digest, 'signatures')}; sign: key or keyless signs ` +
        `the promoted digest too`
    )
}

/** What a promotion that wrapped the source in an index carried for the source's digest. */
const wrapped = (image: Image, digest: string, source: string, what: string) =>
  `${image.name}: the promoted digest ${digest} wraps the source ${source} in an index, which ` +
  `the carried ${what} do not cover: they verify on ${image.name}@${source}`

/** Carries the source's artifacts (promote), signs each digest; returns the verify commands. */
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
      const { image } = step
      const digest = values.digestOf(image.name)
      if (step.step === 'carry' && values.source !== undefined)
        await carry(step, values.source, digest, !!signer, env)
      if (step.step === 'sign' && signer !== undefined) {
        env.log.info(stepLine(step))
        const { line, verify } = await signer(image, digest, env)
        env.log.info(line)
        commands.push(verify)
      }
    }
    return commands
  })
}

/** One line per referrer: where it is listed, and whether this run wrote it. */
export function referrerLines(
  image: string,
  attached: AttachedReferrer[]
): string {
  return attached
    .map(r => {
      const where =
        r.scheme === 'api' ? 'referrers API' : `referrers tag ${r.tag ?? ''}`
      const written = r.written ? '' : ' (already there)'
      return `  ${image}@${r.digest} -> ${r.subject}: ${where}${written}`
    })
    .join('\n')
}

/**
 * promote's storage record of the image's digest, where this run copied the source's GitHub
 * provenance of it there (a re-run copies none, so records none); undefined once refused.
 */
async function recordPromoted(
  step: RequestStep,
  copied: AttachedReferrer[],
  access: RecordAccess | undefined,
  values: RunValues,
  env: PublishEnv
): Promise<RecordAccess | undefined> {
  const digest = values.digestOf(step.image.name)
  const arrived = copied.some(
    r =>
      r.written && r.subject === digest && isProvenanceReferrer(r.annotations)
  )
  if (access === undefined || !arrived) {
    const why =
      access === undefined
        ? 'a storage record was refused already'
        : "not needed: no GitHub provenance of the digest arrived with the source's referrers"
    env.log.info(notRunLine(step, why))
    return access
  }
  env.log.info(stepLine(step))
  return (await recordStorage(access, step.image, digest, env))
    ? access
    : undefined
}

async function runReferrerStep(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<AttachedReferrer[]> {
  const { image } = step
  const source = values.source
  const attached =
    step.step === 'attest'
      ? await attachAttestations(
          env.registry,
          image,
          values.digestOf(image.name)
        )
      : source === undefined
        ? []
        : await copyReferrers(env.registry, source.image, source.digest, image)
  env.log.info(
    attached.length > 0
      ? `${stepLine(step)}\n${referrerLines(image.name, attached)}`
      : notRunLine(
          step,
          step.step === 'attest'
            ? 'not needed: the image carries no attestation'
            : 'not needed: the source has no referrers'
        )
  )
  // a cosign 3 signature of the source names its digest, which a wrapping index is not
  const digest = values.digestOf(image.name)
  const ofSource = attached.some(r => r.subject === source?.digest)
  if (source && digest !== source.digest && ofSource)
    env.log.warning(wrapped(image, digest, source.digest, 'referrers'))
  return attached
}

/**
 * Runs the referrer steps among the supply-chain steps (promote's storage records after its
 * copies, with `records`); returns the others, in order.
 */
export async function attachReferrers(
  steps: RequestStep[],
  values: RunValues,
  env: PublishEnv,
  records?: RecordAccess
): Promise<RequestStep[]> {
  const ours = steps.filter(isReferrerStep)
  const rest = steps.filter(step => !isReferrerStep(step))
  if (ours.length === 0) return rest
  await env.log.group('Attach referrers', async () => {
    const copied = new Map<string, AttachedReferrer[]>()
    let access = records
    for (const step of ours) {
      const { name } = step.image
      if (step.step === 'record')
        access = await recordPromoted(
          step,
          copied.get(name) ?? [],
          access,
          values,
          env
        )
      else copied.set(name, await runReferrerStep(step, values, env))
    }
  })
  return rest
}
