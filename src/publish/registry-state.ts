import type { Settings } from '../action/settings.js'
import { decideTags, type GuardDecision } from '../guards.js'
import type { Image } from '../images.js'
import type { Manifest, RegistryClient } from '../registry/client.js'
import { DIGEST, type RequestStep } from '../plan/steps.js'
import type { Tag } from '../tags/types.js'
import type { ImagePlan } from './tagging.js'

/** What an image's repository holds now: its tags, and where ours point. */
export interface ImageState {
  image: Image
  existingTags: string[]
  existingDigests: Record<string, string>
  /** The manifest this run's tags will point at (read by digest). */
  manifest?: Manifest
}

async function ownManifest(
  registry: RegistryClient,
  image: string,
  digest: string
): Promise<Manifest> {
  const manifest = await registry.getManifest(image, digest)
  if (manifest === undefined)
    throw new Error(
      `${image}@${digest} is not in the registry although it was just pushed`
    )
  return manifest
}

/** Runs the fresh-read steps: each image's tag list and where each of our tags points. */
export async function readStates(
  registry: RegistryClient,
  steps: RequestStep[],
  digestOf: (image: string) => string
): Promise<ImageState[]> {
  const states = new Map<string, ImageState>()
  for (const { image } of steps)
    if (!states.has(image.name))
      states.set(image.name, { image, existingTags: [], existingDigests: {} })
  await Promise.all(
    steps.map(async ({ image, reference }) => {
      const state = states.get(image.name) as ImageState
      if (reference === '') {
        state.existingTags = await registry.listTags(image.name)
        return
      }
      if (reference === DIGEST) {
        state.manifest = await ownManifest(
          registry,
          image.name,
          digestOf(image.name)
        )
        return
      }
      const digest = await registry.getDigest(image.name, reference)
      if (digest !== undefined) state.existingDigests[reference] = digest
    })
  )
  return [...states.values()]
}

/** Decides, per image, what may be pushed where (pure: the states were read before). */
export function decideImages(
  states: ImageState[],
  tags: Tag[],
  digestFor: (image: Image) => string,
  settings: Pick<Settings, 'floatingGuard' | 'immutableTags'>
): ImagePlan[] {
  return states.map(({ image, existingTags, existingDigests }) => {
    const newDigest = digestFor(image)
    const decision = decideTags({
      tags,
      existingTags,
      existingDigests,
      newDigest,
      floatingGuard: settings.floatingGuard,
      immutableTags: settings.immutableTags
    })
    return {
      image,
      decision: settleFloating(decision, existingDigests, newDigest),
      digest: newDigest
    }
  })
}

/** Fails before anything is pushed when a release tag would be overwritten. */
export function refuseConflicts(plans: ImagePlan[]): void {
  const conflicts = plans.flatMap(({ image, decision }) =>
    decision.conflicts.map(c => `${image.name}: ${c}`)
  )
  if (conflicts.length > 0)
    throw new Error(
      `release tags are immutable (immutable-tags: error), so nothing was pushed:\n${conflicts.join('\n')}`
    )
}

/** Floating tags that already point at the new digest need no PUT (re-runs are no-ops). */
function settleFloating(
  decision: GuardDecision,
  existingDigests: Record<string, string>,
  newDigest: string
): GuardDecision {
  if (newDigest === '') return decision
  const same = (tag: Tag) => existingDigests[tag.name] === newDigest
  return {
    ...decision,
    floating: decision.floating.filter(tag => !same(tag)),
    unchanged: [...decision.unchanged, ...decision.floating.filter(same)]
  }
}
