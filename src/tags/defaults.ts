import {
  branchOf,
  isPullRequestEvent,
  pullNumberOfRef,
  TAG_PREFIX
} from '../context/git-refs.js'
import type { RefContext } from '../context/context-types.js'
import { sanitizeTag } from './sanitize.js'
import type { ReleaseLine, Tag, TagKind } from './tag-types.js'
import { coreVersion, parseReleaseVersion } from './version.js'

/** Who owns `latest`: the default branch (default) or the newest release. */
export type LatestFrom = 'default-branch' | 'release'

/** A tag name before sanitizing, with how it behaves once pushed. */
export interface TagCandidate {
  name: string
  kind: TagKind
  line?: ReleaseLine
}

function floating(name: string, line?: ReleaseLine): TagCandidate {
  return line === undefined
    ? { name, kind: 'floating' }
    : { name, kind: 'floating', line }
}

/**
 * A version tag gives its exact version; a stable one also its X.Y line
 * (unless the tag is a loose X.Y itself), its X line (never a bare 0) and,
 * when releases own `latest`, `latest`.
 */
function gitTagTags(tagName: string, latestFrom: LatestFrom): TagCandidate[] {
  const version = parseReleaseVersion(tagName)
  if (version === undefined) return [{ name: tagName, kind: 'fixed' }]
  const tags: TagCandidate[] = [{ name: version.full, kind: 'version' }]
  if (!version.stable) return tags
  const target = coreVersion(version)
  if (version.patch !== undefined) {
    tags.push(
      floating(`${version.major}.${version.minor}`, {
        scope: 'minor',
        version: target
      })
    )
  }
  if (version.major > 0) {
    tags.push(floating(`${version.major}`, { scope: 'major', version: target }))
  }
  if (latestFrom === 'release') {
    tags.push(floating('latest', { scope: 'latest', version: target }))
  }
  return tags
}

/** pr-<N> from the payload's number, or from a refs/pull/<N>/… ref. */
function pullRequestTags(ctx: RefContext): TagCandidate[] {
  const fromRef = pullNumberOfRef(ctx.ref)
  const prNumber = ctx.prNumber?.toString() ?? fromRef
  return prNumber === undefined ? [] : [floating(`pr-${prNumber}`)]
}

/** The zero-config tag names before sanitizing, in publish order. */
export function defaultTagCandidates(
  ctx: RefContext,
  latestFrom: LatestFrom
): TagCandidate[] {
  if (isPullRequestEvent(ctx.eventName)) return pullRequestTags(ctx)
  if (ctx.eventName === 'schedule') return [floating('nightly')]
  const branch = branchOf(ctx.ref)
  if (branch !== undefined) {
    const isDefault = ctx.defaultBranches.includes(branch)
    return [
      floating(isDefault && latestFrom === 'default-branch' ? 'latest' : branch)
    ]
  }
  if (ctx.ref.startsWith(TAG_PREFIX)) {
    return gitTagTags(ctx.ref.slice(TAG_PREFIX.length), latestFrom)
  }
  return pullNumberOfRef(ctx.ref) !== undefined ? pullRequestTags(ctx) : []
}

/** The zero-config tags (SPEC §1), sanitized; a name that sanitizes to nothing is left out. */
export function defaultTags(ctx: RefContext, latestFrom: LatestFrom): Tag[] {
  return defaultTagCandidates(ctx, latestFrom).flatMap(candidate => {
    const name = sanitizeTag(candidate.name)
    return name === undefined ? [] : [{ ...candidate, name }]
  })
}
