import type { Settings } from '../action/settings.js'
import { errorMessage } from '../errors.js'
import { describeDecision } from '../guards.js'
import { parseImageReference } from '../images.js'
import type { PublishPlan } from '../plan.js'
import { plannedCommands } from '../docker/commands.js'
import { planText } from '../plan-text.js'

type RegistryClient = import('../registry/client.js').RegistryClient

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
 * What the guards would decide, for the dry-run plan: read-only calls to
 * the registries this run has credentials for (a dry run without them stays
 * offline); when a registry cannot be read, says so instead of guessing.
 */
async function previewGuards(
  settings: Settings,
  plan: PublishPlan
): Promise<string[]> {
  const pushes = settings.mode !== 'build' || settings.build.push
  const readable = new Set(settings.logins.map(l => l.registry))
  const images = plan.images.filter(i => readable.has(i.registry))
  const unread = plan.images.filter(i => !readable.has(i.registry))
  const notes = unread.map(
    i =>
      `${i.name}: not read (no credentials for ${i.registry}), so the guards' decisions are unknown`
  )
  if (!pushes || images.length === 0) return pushes ? notes : []
  try {
    // loaded only here: a dry run without registry reads never parses them
    const { createRegistry } = await import('./env.js')
    const { decideForImages } = await import('./registry-state.js')
    const registry = createRegistry(settings)
    const digest = await knownDigest(settings, registry)
    const plans = await decideForImages(
      registry,
      images,
      plan.tags,
      () => digest,
      settings
    )
    return [
      ...plans.flatMap(({ image, decision }) =>
        describeDecision(decision, image.name)
      ),
      ...notes
    ]
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
  const guards = settings.dryRun ? await previewGuards(settings, plan) : []
  return planText(
    plan,
    plannedCommands(settings, plan, '<metadata-file>'),
    guards
  )
}
