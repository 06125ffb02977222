/**
 * Re-runs: a release tag that already holds an image built from this very
 * commit (its revision and source labels are this run's) is this release,
 * not a conflict. Its tags converge on that image; this run's build is not
 * used. `immutable-tags: overwrite` asks for the new build instead.
 */
import type { Settings } from '../settings/settings.js'
import type { PublishPlan } from '../plan/plan.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import { imageLabels } from '../registry/image-labels.js'
import type { RegistryClient } from '../registry/client.js'
import type { Manifest } from '../registry/manifest.js'
import type { PublishEnv } from './context.js'
import type { ImageState } from './registry-state.js'
import type { RunValues } from './values.js'

export const REVISION = 'org.opencontainers.image.revision'
const SOURCE = 'org.opencontainers.image.source'

/** What a release tag holds that is not this run's build. */
export interface HeldBuild {
  manifest: Manifest
  /** Built from this run's commit (revision and source labels): a re-run's. */
  thisCommit: boolean
  /** The commit its revision label names, when it has one. */
  revision: string | undefined
}

/**
 * The re-run rule, the one decision of both the read before the writes and
 * the read-back after them: a run may take another build's digest as its
 * release only when that build is of this very commit.
 */
export async function heldBuild(
  registry: RegistryClient,
  image: string,
  digest: string,
  plan: PublishPlan
): Promise<HeldBuild | undefined> {
  const found = await imageLabels(registry, image, digest)
  if (found === undefined) return undefined
  const { labels } = found
  const thisCommit =
    labels[REVISION] !== undefined &&
    labels[REVISION] === plan.labels[REVISION] &&
    labels[SOURCE] === plan.labels[SOURCE]
  return { manifest: found.manifest, thisCommit, revision: labels[REVISION] }
}

async function checkRevision(
  step: RequestStep,
  state: ImageState,
  plan: PublishPlan,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const image = step.image.name
  const existing = state.existingDigests[step.reference]
  const ours = values.digestOf(image)
  if (existing === undefined || existing === ours) {
    const why = existing ? 'it holds this run’s digest' : 'it does not exist'
    env.log.info(notRunLine(step, `not needed: ${why}`))
    return
  }
  env.log.info(stepLine(step))
  const found = await heldBuild(env.registry, image, existing, plan)
  if (found === undefined || !found.thisCommit) return
  env.log.info(
    `${image}:${step.reference} already holds a build of this commit (${plan.labels[REVISION]}): this is a re-run, so its tags converge on ${existing} and this run's build (${ours}) is not used`
  )
  values.setDigest(image, existing)
  state.manifest = found.manifest
}

/** Runs the revision steps; an image whose release is this commit's takes that digest. */
export async function adoptReruns(
  steps: RequestStep[],
  states: ImageState[],
  settings: Pick<Settings, 'immutableTags'>,
  plan: PublishPlan,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  for (const step of steps) {
    if (settings.immutableTags === 'overwrite') {
      env.log.info(notRunLine(step, 'not needed: immutable-tags: overwrite'))
      continue
    }
    const state = states.find(s => s.image.name === step.image.name)
    if (state !== undefined) await checkRevision(step, state, plan, values, env)
  }
}
