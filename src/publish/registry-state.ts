import type { Settings } from '../action/settings.js'
import { decideTags, type GuardDecision } from '../guards.js'
import type { Image } from '../images.js'
import type { RegistryClient } from '../registry/client.js'
import type { Tag } from '../tags/types.js'
import type { ImagePlan } from './tagging.js'

/** What an image's repository holds now: its tags, and where ours point. */
export interface ImageState {
  image: Image
  existingTags: string[]
  existingDigests: Record<string, string>
}

/** Reads each image's repository (its tags, and the digests of ours that exist). */
export function readImageStates(
  registry: RegistryClient,
  images: Image[],
  tags: Tag[]
): Promise<ImageState[]> {
  return Promise.all(
    images.map(async image => {
      const existingTags = await registry.listTags(image.name)
      const existing = new Set(existingTags)
      // release tags for the immutability check, floating ones to spot no-ops
      const ours = tags.filter(t => existing.has(t.name))
      const existingDigests: Record<string, string> = {}
      await Promise.all(
        ours.map(async tag => {
          const digest = await registry.getDigest(image.name, tag.name)
          if (digest !== undefined) existingDigests[tag.name] = digest
        })
      )
      return { image, existingTags, existingDigests }
    })
  )
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

/** Reads the registries, then decides. */
export async function decideForImages(
  registry: RegistryClient,
  images: Image[],
  tags: Tag[],
  digestFor: (image: Image) => string,
  settings: Pick<Settings, 'floatingGuard' | 'immutableTags'>
): Promise<ImagePlan[]> {
  const states = await readImageStates(registry, images, tags)
  return decideImages(states, tags, digestFor, settings)
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
