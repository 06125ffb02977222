import {
  branchOf,
  isPullRequestEvent,
  pullNumberOfRef,
  TAG_PREFIX
} from '../context/git-refs.js'
import type { RefContext } from '../context/context-types.js'

/** What the run's ref is, as the tag rules see it: at most one is set. */
export interface RefInfo {
  /** refs/heads/<branch> on a non-PR event: the branch name, unsanitized. */
  branch?: string
  /** refs/tags/<tag>: the tag name, unsanitized (may hold '/'). */
  tag?: string
  /** A pull request: its number (from the payload, else from refs/pull/N/…). */
  pr?: string
}

/**
 * Classifies the ref. A pull_request_target run has the base branch as its
 * GITHUB_REF; metadata-action rewrites it to refs/pull/<N>/merge, so here any
 * PR event counts as a PR (and never as a branch push).
 */
export function refInfo(ctx: RefContext): RefInfo {
  const fromRef = pullNumberOfRef(ctx.ref)
  if (isPullRequestEvent(ctx.eventName) || fromRef !== undefined) {
    const pr = ctx.prNumber?.toString() ?? fromRef
    return pr === undefined ? {} : { pr }
  }
  const branch = branchOf(ctx.ref)
  if (branch !== undefined) return { branch }
  if (ctx.ref.startsWith(TAG_PREFIX))
    return { tag: ctx.ref.slice(TAG_PREFIX.length) }
  return {}
}

/** The commit's short sha, DOCKER_METADATA_SHORT_SHA_LENGTH long (default 7). */
export function shortSha(ctx: RefContext): string {
  return ctx.sha.slice(0, ctx.shortShaLength ?? 7)
}
