import { formatKeyValues } from '../labels.js'
import type { PublishPlan } from '../plan.js'
import type { PlanStep } from '../plan/steps.js'

/** One pushed reference and the digest the registry holds for it. */
export interface Pushed {
  ref: string
  digest: string
}

/** What the registry holds for one of our references after the run ('' for nothing). */
export interface Held {
  ref: string
  digest: string
}

/** One tag that was left alone, and why. */
export interface Skipped {
  ref: string
  reason: string
}

/** What publishing produced; empty on a dry run. */
export interface PublishResult {
  digest: string
  imageid: string
  metadata: Record<string, unknown>
  pushed: Pushed[]
  skipped: Skipped[]
  /** Platforms of what was published, when the run learned them (promote). */
  platforms?: string[]
  /** What the registry holds for our references, read back at the end. */
  held?: Held[]
}

export const EMPTY_RESULT: PublishResult = {
  digest: '',
  imageid: '',
  metadata: {},
  pushed: [],
  skipped: []
}

/** Every output of the action, as the strings the runner stores. */
export function actionOutputs(
  plan: PublishPlan,
  result: PublishResult,
  steps: PlanStep[]
): Record<string, string> {
  const labels = formatKeyValues(plan.labels)
  const annotations = formatKeyValues(plan.annotations)
  const tagNames = plan.tags.map(tag => tag.name)
  return {
    version: plan.version,
    tags: plan.refs.join('\n'),
    'tag-names': tagNames.join('\n'),
    labels: labels.join('\n'),
    annotations: annotations.join('\n'),
    digest: result.digest,
    imageid: result.imageid,
    metadata: JSON.stringify(result.metadata),
    pushed: JSON.stringify(result.pushed),
    skipped: JSON.stringify(result.skipped),
    plan: JSON.stringify(steps),
    json: JSON.stringify({
      version: plan.version,
      tags: plan.refs,
      'tag-names': tagNames,
      labels: plan.labels,
      annotations: plan.annotations,
      digest: result.digest,
      imageid: result.imageid,
      metadata: result.metadata,
      pushed: result.pushed,
      skipped: result.skipped
    })
  }
}
