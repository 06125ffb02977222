/** The dry run: the steps a real run would take, and what the guards would decide. */
import type { Settings } from '../settings/settings.js'
import { userConfigDir } from '../docker/config.js'
import { createDockerRunner, DockerMissingError } from '../docker/runner.js'
import { errorMessage } from '../errors.js'
import { describeDecision } from '../guards/decide.js'
import { parseImageReference } from '../reference/images.js'
import type { Log } from './log.js'
import type { PublishPlan } from '../plan/plan.js'
import { pipelineFor } from '../plan/pipeline.js'
import { decideImages } from '../guards/images.js'
import { DIGEST, type Pipeline } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import { splitSecret } from '../secrets.js'
import { createRegistry, credentialsLookup } from './env.js'
import { readStates } from './registry-state.js'
import { builderFor } from './start.js'
import type { Builder } from '../plan/builder.js'

/** The steps of a real run of these settings (`docker buildx inspect` is read-only). */
export async function dryRunPipeline(
  settings: Settings,
  plan: PublishPlan,
  log: Log
): Promise<Pipeline> {
  const builder: Builder = await builderFor(
    settings,
    createDockerRunner(),
    log
  ).catch((error: unknown): Builder => {
    if (!(error instanceof DockerMissingError)) throw error
    log.warning(
      `${error.message}; the steps shown are those of buildx's docker driver`
    )
    return { name: 'default', driver: 'docker', store: 'containerd' }
  })
  const files = {
    metadata: '<metadata-file>',
    iid: '<iid-file>',
    layout: '<layout-dir>',
    secretSpecs: settings.build.secrets.map(
      (line, index) => `id=${splitSecret(line, index).id},src=<file>`
    )
  }
  return pipelineFor({
    settings,
    plan,
    builder,
    files,
    userConfig: userConfigDir()
  })
}

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
 * What the guards would decide: the pipeline's own read steps, run for the
 * registries there are credentials for (a dry run without any stays
 * offline); a registry that cannot be read is said so, never guessed.
 */
export async function previewGuards(
  settings: Settings,
  plan: PublishPlan,
  pipeline: Pipeline,
  log: Log
): Promise<string[]> {
  if (pipeline.read.length === 0) return []
  const lookup = credentialsLookup(settings, log.mask)
  const readable = new Set<string>()
  for (const image of plan.images)
    if ((await lookup(image.registry)) !== undefined)
      readable.add(image.registry)
  const notes = plan.images
    .filter(i => !readable.has(i.registry))
    .map(
      i =>
        `${i.name}: not read (no credentials for ${i.registry}), so the guards' decisions are unknown`
    )
  const steps = pipeline.read.filter(
    s => readable.has(s.image.registry) && s.reference !== DIGEST
  )
  if (steps.length === 0) return notes
  try {
    const registry = createRegistry(settings, log.mask, log.debug)
    const digest = await knownDigest(settings, registry)
    const states = await readStates(registry, steps, () => digest, plan.tags)
    const plans = decideImages(states, plan.tags, () => digest, settings)
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
