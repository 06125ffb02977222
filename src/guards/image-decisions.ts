import type { Image } from '../reference/images.js'
import type { Tag } from '../tags/tag-types.js'
import { decideTags, type GuardDecision, type GuardInput } from './decide.js'

/** What an image's repository holds now: its tags, and where ours point. */
export interface ImageTags extends Pick<
  GuardInput,
  'existingTags' | 'existingDigests' | 'writers' | 'withdrawn'
> {
  image: Image
}

/** One image's guard decision. */
export interface ImageDecision {
  image: Image
  decision: GuardDecision
}

/** Decides, per image, what may be pushed where (pure: the states were read before). */
export function decideImages(
  states: ImageTags[],
  tags: Tag[],
  digestFor: (image: Image) => string,
  settings: Pick<GuardInput, 'floatingGuard' | 'immutableTags'>
): ImageDecision[] {
  return states.map(state => {
    const newDigest = digestFor(state.image)
    const decision = decideTags({ ...settings, ...state, tags, newDigest })
    return {
      image: state.image,
      decision: settleFloating(decision, state.existingDigests, newDigest)
    }
  })
}

/**
 * Fails before anything is pushed when a release tag would be overwritten; `why` says how it came
 * (another run wrote it after this run's first read).
 */
export function refuseConflicts(
  plans: ImageDecision[],
  why: string[] = []
): void {
  const conflicts = plans.flatMap(({ image, decision }) =>
    decision.conflicts.map(c => `${image.name}: ${c}`)
  )
  if (conflicts.length > 0)
    throw new Error(
      `release tags are immutable (immutable-tags: error), so nothing was ` +
        `pushed:\n${[...conflicts, ...why].join('\n')}`
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
