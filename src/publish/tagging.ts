import type { Before, Pushed, Skipped, Upload } from './result.js'
import type { GuardDecision } from '../guards/decide.js'
import type { ImagePlan } from '../guards/images.js'
import type { Log } from './log.js'
import { stepLine, type RequestStep } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import type { Manifest } from '../registry/manifest.js'

/** What has been done so far: filled as it happens, so a failure can report it. */
export interface Progress {
  pushed: Pushed[]
  skipped: Skipped[]
  /** The build's uploads by the action's own client, one per image. */
  uploads: Upload[]
  /** call: check: the result's one line for the job summary. */
  check?: string
  /** Where our references pointed before the run wrote (the fresh read). */
  before?: Before[]
  /** The build's platforms as the pushed image lists them, when no input named them. */
  platforms?: string[]
  /** How long the build (with its export to disk) took. */
  buildMs?: number
}

export function recordSkipped(
  plans: ImagePlan[],
  progress: Progress,
  log: Log
): void {
  for (const { image, decision } of plans) {
    for (const { tag, reason } of decision.skipped) {
      const ref = `${image.name}:${tag.name}`
      progress.skipped.push({ ref, reason })
      log.info(`${ref} left alone: ${reason}`)
    }
    for (const tag of decision.unchanged)
      log.info(
        `${image.name}:${tag.name} already points at this digest: unchanged`
      )
  }
}

/** The tag steps the guards let through, in two phases: exact tags, then floating ones. */
export function allowedTagSteps(
  steps: RequestStep[],
  plans: ImagePlan[]
): RequestStep[][] {
  const decisionOf = (step: RequestStep) =>
    plans.find(p => p.image.name === step.image.name)?.decision
  const allowed = (pick: (d: GuardDecision) => string[]) =>
    steps.filter(step => {
      const decision = decisionOf(step)
      return decision !== undefined && pick(decision).includes(step.reference)
    })
  return [
    allowed(d => d.exact.map(t => t.name)),
    allowed(d => d.floating.map(t => t.name))
  ]
}

/**
 * Points tags at the manifest already in the image's repository: one
 * manifest PUT per tag, in parallel within a phase; a phase starts only
 * after the one before it succeeded.
 */
export async function pointTags(
  registry: RegistryClient,
  phases: RequestStep[][],
  manifestOf: (image: string) => Manifest,
  progress: Progress,
  log: Log
): Promise<void> {
  for (const phase of phases) {
    await Promise.all(
      phase.map(async step => {
        const manifest = manifestOf(step.image.name)
        log.info(stepLine(step))
        await registry.putManifest(step.image.name, step.reference, manifest)
        progress.pushed.push({
          ref: `${step.image.name}:${step.reference}`,
          digest: manifest.digest
        })
      })
    )
  }
}
