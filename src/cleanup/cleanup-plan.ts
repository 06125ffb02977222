import type { RefContext } from '../context/context-types.js'
import { InputError } from '../errors/input-error.js'
import { PULL_REQUEST_LABEL } from '../guards/fork-tags.js'
import type { Image } from '../reference/images.js'
import { computeTags, type TagInputs } from '../tags/compute.js'

/** What one repository holds, as the cleanup reads it: tags, and each manifest's links. */
export interface RepositoryState {
  /** Tag name to the digest it points at. */
  tags: Record<string, string>
  /** Every manifest of the repository, by digest. */
  manifests: Record<string, ManifestLinks>
}

/** Where mode cleanup reads an image's state and deletes a manifest (all its tags go with it). */
export interface CleanupStore {
  read(image: Image): Promise<RepositoryState>
  deleteManifest(image: Image, digest: string): Promise<void>
}

export interface ManifestLinks {
  /** An index's manifests. */
  children: string[]
  /** The digest an OCI 1.1 referrer points at. */
  subject?: string
  /** How old the image is, and by whose word (docs/modes.md "Clean-up"); unknown: never deleted. */
  age?: Age
}

/**
 * Where an image's time comes from: the registry's word that it was pushed (GHCR's package
 * version; a signature or referrer of it, by its `created` annotation), else its config's
 * `created`.
 */
type AgeSource = 'package version' | 'referrer' | 'config'

/** The time an image's age counts from, and where that time was read. */
export interface Age {
  time: Date
  source: AgeSource
}

const AGE_WORDS: Record<AgeSource, string> = {
  'package version': "pushed {} (GHCR's package version)",
  referrer: 'pushed {} (a signature or referrer of it was written then)',
  config: "created {} (its config's created)"
}

/** A time (or RFC 3339 text) after 1970's first second; epoch 0, a zero time or none: undefined. */
export function realTime(value: unknown): Date | undefined {
  const time =
    value instanceof Date
      ? value
      : typeof value === 'string'
        ? new Date(value)
        : undefined
  return time !== undefined && time.getTime() > 0 ? time : undefined
}

/** A duration as a person reads it: whole days, else hours, else minutes. */
function durationWords(ms: number): string {
  const units: [string, number][] = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000]
  ]
  const [unit, size] = units.find(([, size]) => ms >= size) ?? units[2]
  const count = Math.max(0, Math.floor(ms / size))
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}

/** `10 days old: pushed 2026-11-17T… (GHCR's package version)`. */
export function ageWords(age: Age, now: Date): string {
  const old = durationWords(now.getTime() - age.time.getTime())
  return `${old} old: ${AGE_WORDS[age.source].replace('{}', age.time.toISOString())}`
}

/** One removal the cleanup decides. */
export interface Removal {
  /** A tag removed (pr), or undefined: the manifest itself is deleted (untagged). */
  tag?: string
  digest: string
  /** Another tag holds the digest: the tag goes through a tombstone, the digest stays. */
  tombstone: boolean
  reason: string
  /** untagged's: the age of the image that goes, and where that age was read. */
  age?: { time: string; source: AgeSource }
}

/** cosign's tags of a digest (`sha256-<hex>.sig`, `.att`, `.sbom`) and the referrers tag schema. */
const ATTACHED_TAG = /^(sha256)-([a-f0-9]{64})(?:\.(?:sig|att|sbom))?$/

/** The digest a cosign or referrers-schema tag is attached to. */
export function attachedTo(tag: string): string | undefined {
  const match = ATTACHED_TAG.exec(tag)
  return match === null ? undefined : `${match[1]}:${match[2]}`
}

/** The tags that are no cosign or referrers-schema tag: where the closure starts. */
function rootTags(tags: Record<string, string>): [string, string][] {
  return Object.entries(tags).filter(([tag]) => attachedTo(tag) === undefined)
}

/** Each digest's links down: an index's children, its referrers, its cosign tags' manifests. */
function linksDown(state: RepositoryState): Map<string, string[]> {
  const down = new Map<string, string[]>()
  const add = (from: string, to: string) =>
    down.set(from, [...(down.get(from) ?? []), to])
  for (const [digest, links] of Object.entries(state.manifests)) {
    for (const child of links.children) add(digest, child)
    if (links.subject !== undefined) add(links.subject, digest)
  }
  for (const [tag, digest] of Object.entries(state.tags)) {
    const target = attachedTo(tag)
    if (target !== undefined) add(target, digest)
  }
  return down
}

/**
 * The digests the tags reach: the tagged manifests, an index's children, the referrers of a
 * reached digest (manifests whose subject it is) and its cosign tags' manifests, recursively. A
 * cosign tag of a digest nothing else reaches reaches nothing: it goes with its image.
 */
function reachedDigests(
  state: RepositoryState,
  roots: Iterable<string> = rootTags(state.tags).map(([, digest]) => digest)
): Set<string> {
  const down = linksDown(state)
  const reached = new Set<string>()
  const queue = [...roots]
  for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
    if (reached.has(digest)) continue
    reached.add(digest)
    queue.push(...(down.get(digest) ?? []))
  }
  return reached
}

/** The closed pull request, and its tags that `pr` removes. */
export interface PullRequestTags {
  number: number
  tags: string[]
}

/**
 * A pull request's tags to remove: the floating tags the same inputs compute for it (`pr-7`, a
 * rule's tag of its branch), present in the repository. A tag computed from the commit
 * (`sha-…`) is not the closed event's commit, so it is left to `untagged` once no tag holds it.
 */
export function pullRequestTags(
  ctx: RefContext,
  inputs: TagInputs,
  now: Date
): PullRequestTags {
  if (ctx.prNumber === undefined)
    throw new InputError(
      'cleanup',
      'pr',
      `runs on a pull request's event (on: pull_request: types: [closed]); this run's event ` +
        `is "${ctx.eventName}"`
    )
  const tags = computeTags(ctx, inputs, now)
    .tags.filter(tag => tag.kind === 'floating')
    .map(tag => tag.name)
  return { number: ctx.prNumber, tags }
}

/**
 * The tags to remove, each with whether another tag still holds its digest; then the cosign tags
 * (`sha256-<hex>.sig`, …) of each digest that goes, which would point at nothing.
 */
export function pullRequestRemovals(
  state: RepositoryState,
  tags: string[],
  prNumber: number
): Removal[] {
  const removing = new Set(tags.filter(tag => tag in state.tags))
  const kept = rootTags(state.tags).filter(([t]) => !removing.has(t))
  const held = reachedDigests(
    state,
    kept.map(([, digest]) => digest)
  )
  const closed = `pull request #${prNumber} closed`
  const removals: Removal[] = [...removing].map(tag => {
    const digest = state.tags[tag]
    const tombstone = held.has(digest)
    const stays = tombstone ? '; its digest stays, another tag holds it' : ''
    return { tag, digest, tombstone, reason: closed + stays }
  })
  removals.push(...heldByRemoved(state, removals, held, closed))
  const gone = new Set(removals.filter(r => !r.tombstone).map(r => r.digest))
  for (const [tag, digest] of Object.entries(state.tags)) {
    const target = attachedTo(tag)
    if (target === undefined || !gone.has(target)) continue
    const tombstone = held.has(digest)
    const reason = `${closed}; cosign's tag of ${target}, which goes`
    removals.push({ tag, digest, tombstone, reason })
  }
  return removals
}

/**
 * What a deleted pull request image holds and no kept tag reaches (an index's platform and
 * attestation manifests, its referrers): deleted with it, so the pull request leaves nothing
 * that only the registry's own garbage collection could find.
 */
function heldByRemoved(
  state: RepositoryState,
  removals: Removal[],
  held: Set<string>,
  closed: string
): Removal[] {
  const deleted = removals.filter(r => !r.tombstone)
  // a tagged digest goes by its tag (a cosign tag of a digest that goes) or is held
  const named = new Set([
    ...deleted.map(r => r.digest),
    ...Object.values(state.tags)
  ])
  return deleted.flatMap(({ tag, digest }) =>
    orderedClosure(state, digest)
      .filter(
        below => !held.has(below) && !named.has(below) && named.add(below)
      )
      .map(below => ({
        digest: below,
        tombstone: false,
        reason: `${closed}; held by ${tag}'s ${digest}, which goes`
      }))
  )
}

/**
 * The untagged images a closed pull request's runs left (a digest staged for a gate that failed,
 * a matrix leg whose merge never ran), known by the pull request label the action writes on
 * each of its images (`writers`: an untagged image's digest to that label's value), each with
 * what it holds that no tag reaches.
 */
export function pullRequestLeftovers(
  state: RepositoryState,
  writers: Record<string, string>,
  prNumber: number
): Removal[] {
  const reached = reachedDigests(state)
  const left = untaggedImages(state).filter(d => writers[d] === `${prNumber}`)
  const label = `${PULL_REQUEST_LABEL}=${prNumber}`
  const reason = `pull request #${prNumber} closed; an untagged image it wrote (${label})`
  return dedupe(
    left.flatMap(image =>
      orderedClosure(state, image)
        .filter(digest => !reached.has(digest))
        .map(digest => ({ digest, tombstone: false, reason }))
    )
  )
}

/** untagged's settings: the minimum age and how many of the newest unreached images stay. */
export interface UntaggedPolicy {
  olderThanMs: number
  keep: number
}

/**
 * The images no tag reaches: unreached manifests that no other unreached manifest holds (an index
 * and its children: the index). Only these need an age.
 */
export function untaggedImages(state: RepositoryState): string[] {
  const reached = reachedDigests(state)
  const unreached = Object.keys(state.manifests).filter(d => !reached.has(d))
  const held = new Set<string>()
  for (const digest of unreached)
    for (const below of reachedDigests(state, [digest]))
      if (below !== digest) held.add(below)
  return unreached.filter(d => !held.has(d))
}

/**
 * The manifests no tag reaches, older than the policy's age, but the `keep` newest: an unreached
 * image (a manifest no other unreached manifest holds) is kept or deleted with everything it
 * reaches, so a kept index keeps its children. An image of unknown age is never deleted. An index
 * comes before its children in the list.
 */
export function untaggedRemovals(
  state: RepositoryState,
  policy: UntaggedPolicy,
  now: Date
): Removal[] {
  const reached = reachedDigests(state)
  const images = untaggedImages(state).sort(
    (a, b) => agedMs(state, b) - agedMs(state, a)
  )
  const keptDigests = reachedDigests(state, images.slice(0, policy.keep))
  const cutoff = now.getTime() - policy.olderThanMs
  const removals: Removal[] = []
  for (const image of images.slice(policy.keep)) {
    const age = state.manifests[image]?.age
    if (age === undefined || age.time.getTime() > cutoff) continue
    const words = ageWords(age, now)
    const told = { time: age.time.toISOString(), source: age.source }
    for (const digest of orderedClosure(state, image))
      if (!keptDigests.has(digest) && !reached.has(digest))
        removals.push({
          digest,
          tombstone: false,
          reason:
            digest === image
              ? `no tag reaches it; ${words}`
              : `goes with ${image}, which no tag reaches (${words})`,
          age: told
        })
  }
  return dedupe(removals)
}

/**
 * What a second read, right before the deletes, keeps of the planned removals, with why: a digest
 * that a tag this run does not remove now reaches (a release tagged it since the first read), a
 * tag that no longer points where it did. A tag that moved is not removed, so what it reaches now
 * stays too (a re-run's index may share the old one's platform manifests).
 */
export function heldSince(
  state: RepositoryState,
  removals: Removal[]
): Map<Removal, string> {
  const removing = new Set(
    removals.flatMap(({ tag, digest }) =>
      tag !== undefined && state.tags[tag] === digest ? [tag] : []
    )
  )
  const staying = rootTags(state.tags).filter(([tag]) => !removing.has(tag))
  const reached = reachedDigests(
    state,
    staying.map(([, digest]) => digest)
  )
  const held = new Map<Removal, string>()
  for (const removal of removals) {
    const { tag, digest } = removal
    if (tag !== undefined && state.tags[tag] !== digest)
      held.set(removal, `${tag} no longer points at ${digest}`)
    else if (!removal.tombstone && reached.has(digest)) {
      const [by] =
        staying.find(([, root]) => reachedDigests(state, [root]).has(digest)) ??
        []
      held.set(removal, `tag ${by} reaches it since the read`)
    }
  }
  return held
}

/**
 * The repository once the removals are done: their tags gone, and the digests deleted with
 * them (an index's children stay, the registry keeps them): what `untagged` decides on after `pr`.
 */
export function afterRemovals(
  state: RepositoryState,
  removals: Removal[]
): RepositoryState {
  const tags = new Set(
    removals.flatMap(r => (r.tag === undefined ? [] : [r.tag]))
  )
  const deleted = new Set(removals.filter(r => !r.tombstone).map(r => r.digest))
  return {
    tags: Object.fromEntries(
      Object.entries(state.tags).filter(
        ([t, d]) => !tags.has(t) && !deleted.has(d)
      )
    ),
    manifests: Object.fromEntries(
      Object.entries(state.manifests).filter(([d]) => !deleted.has(d))
    )
  }
}

function agedMs(state: RepositoryState, digest: string): number {
  return state.manifests[digest]?.age?.time.getTime() ?? 0
}

/** An image's closure, the image first (an index is deleted before what it holds). */
function orderedClosure(state: RepositoryState, image: string): string[] {
  const rest = [...reachedDigests(state, [image])].filter(d => d !== image)
  return [image, ...rest.sort()]
}

function dedupe(removals: Removal[]): Removal[] {
  const seen = new Set<string>()
  return removals.filter(r => !seen.has(r.digest) && seen.add(r.digest))
}
