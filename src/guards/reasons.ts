import type { Withdrawal } from '../reference/withdrawal.js'
import type { ReleaseLine, Tag } from '../tags/tag-types.js'
import { parseReleaseVersion } from '../tags/version.js'
import type { Published } from './channels.js'

const OVERRIDE =
  'Release tags are immutable: set immutable-tags: skip to keep it and ' +
  'publish the other tags, or immutable-tags: overwrite to replace it.'

function where(current: string | undefined): string {
  return current === undefined
    ? 'at a digest that could not be read'
    : `at ${current}`
}

/**
 * immutable-tags: error's message; no digest of this run's in it: a dry run does not know it, and
 * says the same.
 */
export function conflictMessage(tag: Tag, current: string | undefined): string {
  return (
    `release tag ${tag.name} already exists ${where(current)}, and this ` +
    `run would replace it. ${OVERRIDE}`
  )
}

/** immutable-tags: skip, why the release tag was left as it is. */
export function keptReason(current: string | undefined): string {
  return `already published ${where(current)}; kept as it is (immutable-tags: skip)`
}

/** The dry run's caveat while the build's digest is not known. */
export const UNKNOWN_DIGEST_NOTE =
  "the build's digest is not known before it runs: a tag that already " +
  'holds an image the build reproduces exactly stays unchanged'

/** Why a floating tag stays when its release tag was kept. */
export function releaseKeptReason(release: Tag): string {
  return (
    `its release tag ${release.name} was kept (immutable-tags: skip), ` +
    `so this tag must not point at an image that ${release.name} does not`
  )
}

function lineLabel(line: ReleaseLine): string {
  const target = parseReleaseVersion(line.version)
  if (line.scope === 'latest' || target === undefined)
    return '(latest follows the newest release)'
  return line.scope === 'major'
    ? `in the ${target.major}.x line`
    : `in the ${target.major}.${target.minor}.x line`
}

/** Why the floating guard holds a tag back: the newer release, named. */
export function heldBackReason(line: ReleaseLine, newer: Published): string {
  return (
    `${newer.name} is already published, newer than ${line.version} ` +
    lineLabel(line)
  )
}

/** Why a floating tag stays off a withdrawn release: who withdrew it, when, and why. */
export function withdrawnReason(withdrawal: Withdrawal): string {
  const by = withdrawal.actor === '' ? '' : ` by ${withdrawal.actor}`
  const run = withdrawal.run === '' ? '' : ` (${withdrawal.run})`
  return (
    `this digest was withdrawn${by} on ${withdrawal.time}${run}: ` +
    `${withdrawal.reason}; floating tags never move onto a withdrawn release`
  )
}
