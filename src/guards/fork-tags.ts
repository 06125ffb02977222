/**
 * Tags a pull request's author named (`{{branch}}`, `{{base_ref}}`;
 * SECURITY.md): created, or moved only off an image of that pull request's
 * (PULL_REQUEST_LABEL).
 */
import type { Tag } from '../tags/tag-types.js'

/** The label our builds on a pull request run carry: the pull request's number. */
export const PULL_REQUEST_LABEL = 'dev.docker-publish-action.pull-request'

/** Digest a fork-named tag holds → its PULL_REQUEST_LABEL ('' none); missing: not read. */
export type Writers = Record<string, string>

/** The digests whose writer the rule needs: those our fork-named tags hold now, once each. */
export function writerDigests(
  tags: Tag[],
  existingDigests: Record<string, string>,
  newDigest: string
): string[] {
  const digests = tags
    .filter(tag => tag.pullRequest !== undefined)
    .map(tag => existingDigests[tag.name])
    .filter((d): d is string => d !== undefined && d !== newDigest)
  return [...new Set(digests)]
}

function writerName(label: string | undefined): string {
  if (label === undefined) return 'whose labels could not be read'
  if (label === '')
    return `which a push or release run wrote (no ${PULL_REQUEST_LABEL} label)`
  return `which pull request #${label}'s run wrote`
}

/** Why a fork-named tag must stay where it is, or undefined when it may be written. */
export function forkTagHeldReason(
  tag: Tag,
  existingDigests: Record<string, string>,
  newDigest: string,
  writers: Writers
): string | undefined {
  const pr = tag.pullRequest
  if (pr === undefined) return undefined
  const current = existingDigests[tag.name]
  if (current === undefined || current === newDigest) return undefined
  const label = Object.hasOwn(writers, current) ? writers[current] : undefined
  if (label === pr) return undefined
  const run = `pull request #${pr}`
  return (
    `it holds ${current}, ${writerName(label)}; its name comes from ` +
    `{{branch}} or {{base_ref}}, which the author of ${run} chooses, so ` +
    `it may only be created, or moved off an image of ${run}'s own runs`
  )
}
