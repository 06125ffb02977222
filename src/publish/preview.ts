import type { Settings } from '../action/settings.js'
import { errorMessage } from '../errors.js'
import { describeDecision } from '../guards.js'
import { parseImageReference } from '../images.js'
import type { PublishPlan } from '../plan.js'
import type { RegistryClient } from '../registry/client.js'
import { plannedCommands } from '../docker/commands.js'
import { planText } from '../plan-text.js'
import { createRegistry } from './env.js'
import { decideForImages } from './registry-state.js'

/** The digest a run would publish, when it is known before building. */
async function knownDigest(
  settings: Settings,
  registry: RegistryClient
): Promise<string> {
  if (settings.mode !== 'promote') return ''
  const source = parseImageReference(settings.source, 'source')
  return (await registry.getDigest(source.image.name, source.reference)) ?? ''
}

/**
 * What the guards would decide, for the dry-run plan: read-only registry
 * calls; when a registry cannot be read, says so instead of guessing.
 */
export async function previewGuards(
  settings: Settings,
  plan: PublishPlan,
  registry: RegistryClient
): Promise<string[]> {
  const pushes = settings.mode !== 'build' || settings.build.push
  if (!pushes || plan.images.length === 0) return []
  try {
    const digest = await knownDigest(settings, registry)
    const plans = await decideForImages(
      registry,
      plan.images,
      plan.tags,
      () => digest,
      settings
    )
    return plans.flatMap(({ image, decision }) =>
      describeDecision(decision, image.name)
    )
  } catch (error) {
    return [
      `the registries could not be read, so the guards' decisions are unknown: ${errorMessage(error)}`
    ]
  }
}

/** The plan as printed before a run; a dry run adds the guards' decisions. */
export async function describePlan(
  settings: Settings,
  plan: PublishPlan
): Promise<string> {
  const guards = settings.dryRun
    ? await previewGuards(settings, plan, createRegistry(settings))
    : []
  return planText(
    plan,
    plannedCommands(settings, plan, '<metadata-file>'),
    guards
  )
}
