import type { PublishResult } from './action/outputs.js'
import type { Settings } from './action/settings.js'
import type { PublishPlan } from './plan.js'
import { publishBuild } from './publish/build-mode.js'
import type { PublishEnv } from './publish/context.js'
import { publishDigest } from './publish/digest-mode.js'
import { publishMerge } from './publish/merge-mode.js'
import { publishPromote } from './publish/promote-mode.js'

export type { PublishEnv } from './publish/context.js'

/** Runs the mode's publish; every mode reports progress in env.progress as it goes. */
export function publish(
  settings: Settings,
  plan: PublishPlan,
  env: PublishEnv
): Promise<PublishResult> {
  switch (settings.mode) {
    case 'build':
      return publishBuild(settings, plan, env)
    case 'promote':
      return publishPromote(settings, plan, env)
    case 'digest':
      return publishDigest(settings, plan, env)
    case 'merge':
      return publishMerge(settings, plan, env)
  }
}
