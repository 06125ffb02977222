/**
 * The read-back (the registry has no conditional write): a floating tag off its line is repaired, a
 * lost release tag fails.
 */
import { followedRelease } from '../guards/channels.js'
import type { Publication } from '../plan/publication.js'
import { notRunLine, stepLine, type RequestStep } from '../plan/steps.js'
import type { PublishEnv, RunContext } from './run-context.js'
import type { Held, Pushed } from './outcome.js'
import { heldBuild, REVISION } from './registry-read.js'

type Digests = Map<string, string | undefined>

const refOf = (step: RequestStep) => `${step.image.name}:${step.reference}`

const heldBy = (step: RequestStep, digest: string | undefined): Held => ({
  ref: refOf(step),
  digest: digest ?? '',
  image: step.image.name
})

async function readAll(steps: RequestStep[], env: PublishEnv) {
  const lists = new Map<string, string[]>()
  const digests: Digests = new Map()
  await Promise.all(
    steps.map(async step => {
      env.log.info(stepLine(step))
      const { image } = step
      if (step.reference === '')
        lists.set(image.name, await env.registry.listTags(image))
      else
        digests.set(
          refOf(step),
          await env.registry.getDigest(image, step.reference)
        )
    })
  )
  return { lists, digests }
}

async function repair(
  step: RequestStep,
  publication: Publication,
  written: Set<string>,
  fresh: Awaited<ReturnType<typeof readAll>>,
  env: PublishEnv
): Promise<void> {
  const ref = refOf(step)
  const { image } = step
  const target =
    step.tag &&
    followedRelease(
      step.tag,
      publication.tags,
      fresh.lists.get(image.name) ?? []
    )
  if (!written.has(ref) || target === undefined) {
    env.log.info(notRunLine(step, 'not needed: this run did not move it'))
    return
  }
  const targetRef = `${image.name}:${target}`
  const digest = fresh.digests.has(targetRef)
    ? fresh.digests.get(targetRef)
    : await env.registry.getDigest(image, target)
  if (digest === undefined || digest === fresh.digests.get(ref)) {
    env.log.info(notRunLine(step, `not needed: it is on ${target}`))
    return
  }
  env.log.info(stepLine(step))
  const manifest = await env.registry.getManifest(image, digest)
  if (manifest === undefined) return
  await env.registry.putManifest(image, step.reference, manifest)
  fresh.digests.set(ref, digest)
  env.log.warning(
    `${ref} repaired: ${target} is the newest release of its line (another run published or ` +
      `moved it meanwhile), so ${ref} now points at ${digest}`
  )
}

/**
 * Release tags this run wrote that a racing run replaced: this commit's build is adopted, else
 * lost.
 */
async function settleReleases(
  steps: RequestStep[],
  written: Set<string>,
  digests: Digests,
  { publication, values, env }: RunContext
): Promise<string[]> {
  const lost: string[] = []
  for (const step of steps) {
    const ref = refOf(step)
    const image = step.image.name
    const held = digests.get(ref)
    const ours = values.digestOf(image)
    if (step.tag?.kind !== 'version' || !written.has(ref) || held === ours)
      continue
    const build =
      held === undefined
        ? undefined
        : await heldBuild(env.registry, step.image, held, publication)
    if (build?.thisCommit === true && held !== undefined) {
      env.log.info(
        `${ref} now holds ${held}, another build of this commit ` +
          `(${publication.labels[REVISION]}) written meanwhile (a re-run racing this one): it ` +
          `is this release, so this run's build (${ours}) is not used`
      )
      values.setDigest(image, held)
      continue
    }
    const whose =
      build === undefined
        ? ''
        : `, the build of another commit (${build.revision ?? 'no revision label'})`
    lost.push(
      `${ref} now holds ${held ?? 'nothing'}${whose}, not ${ours} which this run wrote`
    )
  }
  return lost
}

/** Reads back, repairs, and returns what the registry holds for our tags. */
export async function readBackAndConverge(run: RunContext): Promise<Held[]> {
  const { publication, env } = run
  const steps = run.pipeline.readBack
  const { floatingGuard } = run.settings
  const written = new Set(env.result.pushed.map(p => p.ref))
  const reads = steps.filter(step => step.step === 'read-back')
  const fresh = await readAll(reads, env)
  for (const step of steps.filter(s => s.step === 'repair'))
    if (floatingGuard) await repair(step, publication, written, fresh, env)
    else env.log.info(notRunLine(step, 'not needed: floating-guard: false'))
  const heads = reads.filter(step => step.reference !== '')
  const lost = await settleReleases(heads, written, fresh.digests, run)
  if (lost.length > 0)
    throw new Error(
      `another run published the same release at the same time (the registry has no conditional ` +
        `write; see the README's concurrency: setting):\n${lost.join('\n')}`
    )
  return heads.map(step => heldBy(step, fresh.digests.get(refOf(step))))
}

/** Where each of our references points now (the HEAD steps of the read-back). */
export async function readBack(
  steps: RequestStep[],
  env: PublishEnv
): Promise<Held[]> {
  const heads = steps.filter(s => s.step === 'read-back' && s.reference !== '')
  return Promise.all(
    heads.map(async step =>
      heldBy(step, await env.registry.getDigest(step.image, step.reference))
    )
  )
}

/** What this run wrote and the registry still holds: never a ref that moved on. */
export function confirmed(written: Pushed[], held: Held[]): Pushed[] {
  return written.filter(w =>
    held.some(h => h.ref === w.ref && h.digest === w.digest)
  )
}
