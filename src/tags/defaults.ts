import type { RefContext } from '../context/context-types.js'
import { refInfo } from './ref-info.js'
import { sanitizeTag } from './sanitize.js'
import type { ReleaseLine, Tag } from './tag-types.js'
import { coreVersion, parseReleaseVersion } from './version.js'

/** Who owns `latest`: the default branch (default) or the newest release. */
export type LatestFrom = 'default-branch' | 'release'

/** A tag name before sanitizing, with how it behaves once pushed. */
type TagCandidate = Omit<Tag, 'pullRequest'>

function floating(name: string, line?: ReleaseLine): TagCandidate {
  return { name, kind: 'floating', ...(line && { line }) }
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
  const inLine = (name: string, scope: ReleaseLine['scope']) =>
    floating(name, { scope, version: target })
  if (version.patch !== undefined)
    tags.push(inLine(`${version.major}.${version.minor}`, 'minor'))
  if (version.major > 0) tags.push(inLine(`${version.major}`, 'major'))
  if (latestFrom === 'release') tags.push(inLine('latest', 'latest'))
  return tags
}

/** The zero-config tag names before sanitizing, in publish order. */
function defaultTagCandidates(
  ctx: RefContext,
  latestFrom: LatestFrom
): TagCandidate[] {
  if (ctx.eventName === 'schedule') return [floating('nightly')]
  // pr-<N> from the payload's number, or from a refs/pull/<N>/… ref
  const { pr, branch, tag } = refInfo(ctx)
  if (pr !== undefined) return [floating(`pr-${pr}`)]
  if (branch !== undefined) {
    const isDefault = ctx.defaultBranches.includes(branch)
    return [
      floating(isDefault && latestFrom === 'default-branch' ? 'latest' : branch)
    ]
  }
  return tag === undefined ? [] : gitTagTags(tag, latestFrom)
}

/** The zero-config tags (SPEC §1), sanitized; a name that sanitizes to nothing is left out. */
export function defaultTags(ctx: RefContext, latestFrom: LatestFrom): Tag[] {
  return defaultTagCandidates(ctx, latestFrom).flatMap(candidate => {
    const name = sanitizeTag(candidate.name)
    return name === undefined ? [] : [{ ...candidate, name }]
  })
}
