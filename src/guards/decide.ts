import { channelOf, newerInLine, releaseIndex, splitsOf } from './channels.js'
import {
  conflictMessage,
  heldBackReason,
  keptReason,
  releaseKeptReason,
  withdrawnReason
} from './reasons.js'
import type { Withdrawal } from '../reference/withdrawal.js'
import type { Tag } from '../tags/tag-types.js'
import { forkTagHeldReason, type Writers } from './fork-tags.js'

/** What one image's registry holds, and what this run would publish to it. */
export interface GuardInput {
  /** The tags this run would publish to ONE image (ordered, as computed). */
  tags: Tag[]
  /** Every tag that image's repository has now (the registry's tag list). */
  existingTags: string[]
  /** For each of our tags that already exists: the digest it points at. */
  existingDigests: Record<string, string>
  /** The digest this run publishes, or '' when not known yet (dry run of a build). */
  newDigest: string
  /** Floating tags that follow a release line only move forward (SPEC §2). */
  floatingGuard: boolean
  /** What to do with a release tag that already points at another digest. */
  immutableTags: 'error' | 'skip' | 'overwrite'
  /** Who wrote the images our fork-named tags hold (guards/fork-tags.ts). */
  writers?: Writers
  /** newDigest's withdrawn mark, when a rollback left it: no floating tag moves onto it. */
  withdrawn?: Withdrawal
}

/** Where each tag goes, SPEC §2. */
export interface GuardDecision {
  /** Exact tags to point first (kind 'version' and 'fixed'), in order. */
  exact: Tag[]
  /** Floating tags to point only after every exact tag succeeded, in order. */
  floating: Tag[]
  /** Tags left alone, each with the reason a person reads in the log/summary. */
  skipped: { tag: Tag; reason: string }[]
  /** Tags already pointing at newDigest: nothing to do (idempotent re-runs). */
  unchanged: Tag[]
  /** Reasons the whole publish must stop before anything is tagged (immutable-tags: error). */
  conflicts: string[]
}

/** Where one tag goes. */
type Verdict =
  | { to: 'exact' | 'floating' | 'unchanged' }
  | { to: 'skipped'; reason: string }
  | { to: 'conflict'; message: string }

/** An existing release tag pointing elsewhere (or unknown yet): a conflict, kept or overwritten. */
function versionVerdict(tag: Tag, input: GuardInput): Verdict {
  const digest = Object.hasOwn(input.existingDigests, tag.name)
    ? input.existingDigests[tag.name]
    : undefined
  if (digest === undefined && !input.existingTags.includes(tag.name))
    return { to: 'exact' }
  const current = digest || undefined
  if (current === input.newDigest) return { to: 'unchanged' }
  switch (input.immutableTags) {
    case 'overwrite':
      return { to: 'exact' }
    case 'skip':
      return { to: 'skipped', reason: keptReason(current) }
    case 'error':
      return {
        to: 'conflict',
        message: conflictMessage(tag, current)
      }
  }
}

/**
 * A floating tag stays when the digest was withdrawn, its release tag was kept, or (guard on) its
 * channel has a newer release.
 */
function floatingVerdict(
  tag: Tag,
  input: GuardInput,
  kept: Tag[],
  stable: ReturnType<typeof releaseIndex> | undefined
): Verdict {
  // one already there stays unchanged (image-decisions.ts settles it)
  const there = input.existingDigests[tag.name] === input.newDigest
  if (input.withdrawn !== undefined && input.floatingGuard && !there)
    return { to: 'skipped', reason: withdrawnReason(input.withdrawn) }
  const line = tag.line
  if (line === undefined) return { to: 'floating' }
  const release = kept.find(k => splitsOf(k.name, line.version).length > 0)
  if (release !== undefined)
    return { to: 'skipped', reason: releaseKeptReason(release) }
  if (stable === undefined) return { to: 'floating' }
  const channel = channelOf(tag.name, line, input.tags)
  const newer = newerInLine(line, stable(channel))
  return newer === undefined
    ? { to: 'floating' }
    : { to: 'skipped', reason: heldBackReason(line, newer) }
}

/** SPEC §2 for one image, pure: exact tags first, floating after; any conflict stops all. */
export function decideTags(input: GuardInput): GuardDecision {
  const verdicts = input.tags.map((tag): Verdict | undefined => {
    const reason = forkTagHeldReason(
      tag,
      input.existingDigests,
      input.newDigest,
      input.writers ?? {}
    )
    if (reason !== undefined) return { to: 'skipped', reason }
    return tag.kind === 'version' ? versionVerdict(tag, input) : undefined
  })
  const kept = input.tags.filter((_, i) => verdicts[i]?.to === 'skipped')
  const stable = input.floatingGuard
    ? releaseIndex(input.existingTags)
    : undefined
  const decision: GuardDecision = {
    exact: [],
    floating: [],
    skipped: [],
    unchanged: [],
    conflicts: []
  }
  input.tags.forEach((tag, i) => {
    const verdict =
      verdicts[i] ??
      (tag.kind === 'fixed'
        ? { to: 'exact' }
        : floatingVerdict(tag, input, kept, stable))
    if (verdict.to === 'skipped')
      decision.skipped.push({ tag, reason: verdict.reason })
    else if (verdict.to === 'conflict') decision.conflicts.push(verdict.message)
    else decision[verdict.to].push(tag)
  })
  return decision
}

/** Lines for the log and the dry run, in publish order (only the conflicts when there are any). */
export function describeDecision(
  decision: GuardDecision,
  image: string
): string[] {
  if (decision.conflicts.length > 0)
    return [
      ...decision.conflicts.map(message => `${image}: ${message}`),
      `${image}: nothing is tagged (immutable-tags: error)`
    ]
  const ref = (tag: Tag): string => `${image}:${tag.name}`
  return [
    ...decision.exact.map(tag => `${ref(tag)} set first (exact tag)`),
    ...decision.unchanged.map(
      tag => `${ref(tag)} unchanged: already points at this digest`
    ),
    ...decision.floating.map(
      tag => `${ref(tag)} moves after the exact tags (floating tag)`
    ),
    ...decision.skipped.map(
      ({ tag, reason }) =>
        `${ref(tag)} ${tag.kind === 'version' ? 'kept' : 'held back'}: ${reason}`
    )
  ]
}
