import type { ReleaseLine, Tag } from '../tags/types.js'
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

/** What replacing the tag would do: to a known digest, or to a build's. */
function replacement(current: string | undefined, newDigest: string): string {
  if (newDigest !== '') return `this run would point it at ${newDigest}`
  return current === undefined
    ? 'this build would replace it'
    : `this build would replace it unless the build reproduces ${current}`
}

/** immutable-tags: error, the message that stops the publish. */
export function conflictMessage(
  tag: Tag,
  current: string | undefined,
  newDigest: string
): string {
  return (
    `release tag ${tag.name} already exists ${where(current)}, and ` +
    `${replacement(current, newDigest)}. ${OVERRIDE}`
  )
}

/** immutable-tags: skip, why the release tag was left as it is. */
export function keptReason(
  current: string | undefined,
  newDigest: string
): string {
  const unless =
    newDigest === '' && current !== undefined
      ? ', unless the build reproduces that digest'
      : ''
  const not = newDigest === '' ? '' : `, not this run's ${newDigest}`
  return (
    `already published ${where(current)}${not}; kept as it is` +
    `${unless} (immutable-tags: skip)`
  )
}

/** Why a floating tag stays when its release tag was kept. */
export function releaseKeptReason(release: Tag): string {
  return (
    `its release tag ${release.name} was kept (immutable-tags: skip), ` +
    `so this tag must not point at an image that ${release.name} does not`
  )
}

function lineLabel(line: ReleaseLine): string {
  const target = parseReleaseVersion(line.version)
  if (line.scope === 'latest' || target === undefined) {
    return '(latest follows the newest release)'
  }
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
