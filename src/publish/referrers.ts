/**
 * The OCI 1.1 referrer phase of a run, once its tags are read back: the
 * source's referrers carried to each promoted image, and (referrers: true)
 * the attestations buildx put in the published index attached to their
 * platform manifests, by the referrers API or the referrers tag scheme.
 */
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import { isReferrerStep } from '../plan/referrer-steps.js'
import {
  attachAttestations,
  copyReferrers,
  type AttachedReferrer
} from '../registry/referrers.js'
import type { PublishEnv } from './context.js'
import type { RunValues } from './values.js'

/** One line per referrer: where it is listed, and whether this run wrote it. */
function referrerLines(image: string, attached: AttachedReferrer[]): string {
  return attached
    .map(
      r =>
        `  ${image}@${r.digest} -> ${r.subject}: ${r.scheme === 'api' ? 'referrers API' : `referrers tag ${r.tag ?? ''}`}${r.written ? '' : ' (already there)'}`
    )
    .join('\n')
}

async function runReferrerStep(
  step: RequestStep,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const image = step.image.name
  const source = values.source
  const attached =
    step.step === 'attest'
      ? await attachAttestations(env.registry, image, values.digestOf(image))
      : source === undefined
        ? []
        : await copyReferrers(
            env.registry,
            source.image.name,
            source.digest,
            image
          )
  env.log.info(
    attached.length > 0
      ? `${stepLine(step)}\n${referrerLines(image, attached)}`
      : notRunLine(
          step,
          step.step === 'attest'
            ? 'not needed: the image carries no attestation'
            : 'not needed: the source has no referrers'
        )
  )
}

/**
 * Runs the referrer steps among the supply-chain steps; returns the others
 * (signing's), in their order.
 */
export async function attachReferrers(
  steps: RequestStep[],
  values: RunValues,
  env: PublishEnv
): Promise<RequestStep[]> {
  const ours = steps.filter(isReferrerStep)
  const rest = steps.filter(step => !isReferrerStep(step))
  if (ours.length === 0) return rest
  await env.log.group('Attach referrers', async () => {
    for (const step of ours) await runReferrerStep(step, values, env)
  })
  return rest
}
