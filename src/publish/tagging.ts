/**
 * The tag phase: the fresh read, the guards' decision, the release tags read again, then the tags
 * the guards allow, exact first.
 */
import { existsSync } from 'node:fs'
import {
  refuseConflicts,
  type ImageDecision
} from '../guards/image-decisions.js'
import { guardText } from '../plan/text.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import type { Manifest } from '../registry/manifest.js'
import type { PublishEnv, RunContext } from './run-context.js'
import {
  readAndDecide,
  recordFootprint,
  type ImageState
} from './registry-read.js'

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

/** The fresh read and the guards' decision on it (the dry run's too), in a log group. */
async function readGroup(run: RunContext, title: string) {
  const { settings, publication, pipeline, values, env } = run
  const ours = new Map(
    publication.images.map(i => [i.name, values.digestOf(i.name)])
  )
  return env.log.group(title, async () => {
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
  })
}

/** A release tag that another run wrote after this run's read: where it points now. */
interface Moved {
  ref: string
  digest: string | undefined
}

const movedLine = ({ ref, digest }: Moved) =>
  `${ref} was written by another run after this run read it: it now holds ${digest ?? 'nothing'}`

/**
 * The release tags this run would write, read again right before any tag moves: those another run
 * wrote since the read (the registry has no conditional write; this leaves one round trip open).
 */
async function recheck(
  steps: RequestStep[],
  states: ImageState[],
  plans: ImageDecision[],
  { settings, env }: RunContext
): Promise<Moved[]> {
  const moved: Moved[] = []
  await Promise.all(
    steps.map(async step => {
      const state = states.find(s => s.image.name === step.image.name)
      const writes = decisionOf(plans, step)?.exact.some(
        tag => tag.name === step.reference
      )
      if (state === undefined || writes !== true)
        return env.log.info(
          notRunLine(step, 'not needed: this run does not write it')
        )
      if (settings.immutableTags === 'overwrite')
        return env.log.info(
          notRunLine(step, 'not needed: immutable-tags: overwrite')
        )
      env.log.info(stepLine(step))
      const digest = await env.registry.getDigest(step.image, step.reference)
      if (digest !== state.existingDigests[step.reference])
        moved.push({ ref: `${step.image.name}:${step.reference}`, digest })
    })
  )
  return moved
}

/** Points the tags the guards allow, exact first, with the footprint read beside them. */
async function pointAllowed(
  run: RunContext,
  puts: RequestStep[],
  { states, decisions }: Awaited<ReturnType<typeof readAndDecide>>
): Promise<void> {
  const { settings, values, env } = run
  for (const { image, decision } of decisions)
    for (const { tag, reason } of decision.skipped)
      env.result.skipped.push({ ref: `${image.name}:${tag.name}`, reason })
  const manifestOf = (image: string) => {
    const manifest = states.find(s => s.image.name === image)?.manifest
    if (manifest === undefined) throw new Error(`no manifest read for ${image}`)
    return manifest
  }
  const allowed = allowedTagSteps(puts, decisions)
  const footprint = recordFootprint(
    env.registry,
    states,
    values,
    env.result,
    settings.build.platforms.length > 0
  )
  logHeldTags(puts, allowed, decisions, env)
  await pointTags(allowed, manifestOf, env)
  await footprint
}

/**
 * DPA_TEST_HOLD_TAGS, a test seam (test/e2e/races.test.ts), not for workflows: a file the run
 * waits for between its read and its first write, so a test lets a twin run write in between.
 */
async function testHold({ vars, log }: PublishEnv): Promise<void> {
  const file = vars.DPA_TEST_HOLD_TAGS
  if (!file) return
  log.info(`DPA_TEST_HOLD_TAGS: read; held until ${file} exists`)
  for (let waited = 0; !existsSync(file); waited += 50) {
    if (waited >= 300_000) throw new Error(`DPA_TEST_HOLD_TAGS: no ${file}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** The reads before any tag moves: the first, and one more where a release tag moved meanwhile. */
const READS = 2

/**
 * Reads fresh, adopts a re-run's release, decides; `afterRead` (once, after the first read, before
 * any tag moves: the digests are those the tags will point at); reads and decides again when a
 * release tag moved meanwhile; points the tags the guards allow.
 */
export async function tag(
  run: RunContext,
  afterRead: () => Promise<void>
): Promise<void> {
  const { pipeline, env } = run
  const rechecks = pipeline.tag.filter(step => step.step === 'recheck')
  const puts = pipeline.tag.filter(step => step.step === 'tag')
  let moved: Moved[] = []
  for (let read = 1; ; read++) {
    const title = read === 1 ? 'Read the registry' : 'Read the registry again'
    const decided = await readGroup(run, title)
    refuseConflicts(decided.decisions, moved.map(movedLine))
    if (read === 1) {
      await afterRead()
      await testHold(env)
    }
    moved = await env.log.group('Tag', async () => {
      const found = await recheck(
        rechecks,
        decided.states,
        decided.decisions,
        run
      )
      if (found.length === 0) await pointAllowed(run, puts, decided)
      return found
    })
    if (moved.length === 0) return
    const lines = moved.map(movedLine)
    if (read === READS)
      throw new Error(
        `another run is writing the same release at the same time, so nothing was pushed (the ` +
          `registry has no conditional write; see the README's concurrency: setting):\n` +
          lines.join('\n')
      )
    env.log.info(
      `${lines.join('\n')}\nso the registry is read again before any tag moves`
    )
  }
}
