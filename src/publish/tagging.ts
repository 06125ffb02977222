/** The tag phase: the fresh read, the guards' decision, then the tags they allow, exact first. */
import {
  refuseConflicts,
  type ImageDecision
} from '../guards/image-decisions.js'
import { guardText } from '../plan/text.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import type { Manifest } from '../registry/manifest.js'
import type { PublishEnv, RunContext } from './run-context.js'
import { readAndDecide, recordFootprint } from './registry-read.js'

const decisionOf = (plans: ImageDecision[], step: RequestStep) =>
  plans.find(p => p.image.name === step.image.name)?.decision

/** The tag steps the guards let through, in two phases: exact tags, then floating ones. */
function allowedTagSteps(
  steps: RequestStep[],
  plans: ImageDecision[]
): RequestStep[][] {
  return (['exact', 'floating'] as const).map(phase =>
    steps.filter(step =>
      decisionOf(plans, step)?.[phase].some(t => t.name === step.reference)
    )
  )
}

/** Logs the tag steps the guards hold back, with why. */
function logHeldTags(
  steps: RequestStep[],
  allowed: RequestStep[][],
  plans: ImageDecision[],
  env: PublishEnv
): void {
  const running = new Set(allowed.flat())
  for (const step of steps) {
    if (running.has(step)) continue
    const held = decisionOf(plans, step)?.skipped.find(
      s => s.tag.name === step.reference
    )
    env.log.info(
      notRunLine(
        step,
        held
          ? `held back: ${held.reason}`
          : 'not needed: already points at this digest'
      )
    )
  }
}

/** One manifest PUT per tag, in parallel within a phase; a phase waits for the one before. */
async function pointTags(
  phases: RequestStep[][],
  manifestOf: (image: string) => Manifest,
  env: PublishEnv
): Promise<void> {
  for (const phase of phases)
    await Promise.all(
      phase.map(async step => {
        const manifest = manifestOf(step.image.name)
        env.log.info(stepLine(step))
        await env.registry.putManifest(step.image, step.reference, manifest)
        env.result.pushed.push({
          ref: `${step.image.name}:${step.reference}`,
          digest: manifest.digest
        })
      })
    )
}

/** Reads fresh, adopts a re-run's release, decides, points the tags the guards allow. */
export async function tag(run: RunContext): Promise<void> {
  const { settings, publication, pipeline, values, env } = run
  const ours = new Map(
    publication.images.map(i => [i.name, values.digestOf(i.name)])
  )
  const { states, decisions } = await env.log.group(
    'Read the registry',
    async () => {
      const outcome = await readAndDecide(
        pipeline.read,
        settings,
        publication,
        values,
        { registry: env.registry, logStep: line => env.log.info(line) }
      )
      env.log.info(guardText(outcome.lines).join('\n'))
      for (const [image, digest] of ours)
        if (values.digestOf(image) !== digest)
          env.log.info(`${image}: this run's build (${digest}) is not used`)
      return outcome
    }
  )
  refuseConflicts(decisions)
  for (const { image, decision } of decisions)
    for (const { tag, reason } of decision.skipped)
      env.result.skipped.push({ ref: `${image.name}:${tag.name}`, reason })
  const manifestOf = (image: string) => {
    const manifest = states.find(s => s.image.name === image)?.manifest
    if (manifest === undefined) throw new Error(`no manifest read for ${image}`)
    return manifest
  }
  const allowed = allowedTagSteps(pipeline.tag, decisions)
  const footprint = recordFootprint(
    env.registry,
    states,
    values,
    env.result,
    settings.build.platforms.length > 0
  )
  await env.log.group('Tag', async () => {
    logHeldTags(pipeline.tag, allowed, decisions, env)
    await pointTags(allowed, manifestOf, env)
  })
  await footprint
}
