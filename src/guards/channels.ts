import type { ReleaseLine, Tag } from '../tags/tag-types.js'
import {
  compareReleaseVersions,
  coreVersion,
  parseReleaseVersion,
  type ReleaseVersion
} from '../tags/version.js'

/**
 * Tags that share a flavor: prefix + version + suffix (`1.4.5-debug`, `1.4-debug`, `latest-debug`
 * are the `-debug` channel).
 */
export interface Channel {
  prefix: string
  suffix: string
}

/** An existing stable release of a channel: the tag and what it reads as. */
export interface Published {
  name: string
  version: ReleaseVersion
}

const NO_AFFIXES: Channel = { prefix: '', suffix: '' }
const VERSION_START = /^[0-9vV]$/
const VERSION_END = /^[0-9]$/

function width(channel: Channel): number {
  return channel.prefix.length + channel.suffix.length
}

/** Whether a tag name is prefix + something + suffix of the channel. */
function fits(channel: Channel, name: string): boolean {
  return (
    name.length >= width(channel) &&
    name.startsWith(channel.prefix) &&
    name.endsWith(channel.suffix)
  )
}

/**
 * Every way to read a tag name as prefix + a stable `core` version + suffix:
 * `1.4.5-debug` as '' + 1.4.5 + '-debug'; `v1.4.5` as '' + v1.4.5 and 'v' + 1.4.5.
 */
export function splitsOf(name: string, core: string): Channel[] {
  const found: Channel[] = []
  for (let start = 0; start < name.length; start++) {
    if (!VERSION_START.test(name[start])) continue
    for (let end = name.length; end > start; end--) {
      if (!VERSION_END.test(name[end - 1])) continue
      const version = parseReleaseVersion(name.slice(start, end))
      if (version?.stable !== true || coreVersion(version) !== core) continue
      found.push({ prefix: name.slice(0, start), suffix: name.slice(end) })
    }
  }
  return found
}

/**
 * A floating tag's channel, from this run's version tags: the reading that fits it (`1.4-debug`: ''
 * + … + '-debug') with the longest affixes, else none.
 */
export function channelOf(
  name: string,
  line: ReleaseLine,
  tags: Tag[]
): Channel {
  let best = NO_AFFIXES
  for (const source of tags) {
    if (source.kind !== 'version') continue
    for (const channel of splitsOf(source.name, line.version)) {
      if (fits(channel, name) && width(channel) > width(best)) best = channel
    }
  }
  return best
}

/**
 * The stable releases among a repository's tags, per channel, read once: existing tags of the
 * channel whose middle is a stable version.
 */
export function releaseIndex(
  existingTags: string[]
): (channel: Channel) => Published[] {
  const byChannel = new Map<string, Published[]>()
  return channel => {
    const key = JSON.stringify([channel.prefix, channel.suffix])
    const known = byChannel.get(key)
    if (known !== undefined) return known
    const published = existingTags.flatMap(name => {
      if (!fits(channel, name)) return []
      const middle = name.slice(
        channel.prefix.length,
        name.length - channel.suffix.length
      )
      const version = parseReleaseVersion(middle)
      return version?.stable === true ? [{ name, version }] : []
    })
    byChannel.set(key, published)
    return published
  }
}

function inLine(
  scope: ReleaseLine['scope'],
  target: ReleaseVersion,
  version: ReleaseVersion
): boolean {
  switch (scope) {
    case 'latest':
      return true
    case 'major':
      return version.major === target.major
    case 'minor':
      return version.major === target.major && version.minor === target.minor
  }
}

/**
 * A release in the tag's line newer than its own (the newest), if any: then the tag must not move.
 */
export function newerInLine(
  line: ReleaseLine,
  published: Published[]
): Published | undefined {
  const target = parseReleaseVersion(line.version)
  if (target === undefined) return undefined
  return published
    .filter(
      ({ version }) =>
        inLine(line.scope, target, version) &&
        compareReleaseVersions(version, target) > 0
    )
    .sort((a, b) => compareReleaseVersions(b.version, a.version))[0]
}

/**
 * The release a floating tag must end on, by a fresh tag list: the newest of
 * its line and channel (a concurrent run may have published one), else this
 * run's own; undefined for one that follows no release (a branch, `edge`).
 */
export function followedRelease(
  tag: Tag,
  tags: Tag[],
  freshTags: string[]
): string | undefined {
  const line = tag.line
  if (line === undefined) return undefined
  const channel = channelOf(tag.name, line, tags)
  const newer = newerInLine(line, releaseIndex(freshTags)(channel))
  if (newer !== undefined) return newer.name
  return tags.find(
    t =>
      t.kind === 'version' &&
      splitsOf(t.name, line.version).some(
        c => c.prefix === channel.prefix && c.suffix === channel.suffix
      )
  )?.name
}
