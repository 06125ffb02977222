import type { Tag } from '../tags/tag-types.js'
import { channelOf, newerInLine, releaseIndex, splitsOf } from './channels.js'

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
