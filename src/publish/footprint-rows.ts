/**
 * What a run changed in the registry, tag by tag, from its result: pure, so
 * the job summary and the CLI say the same.
 */
import type { PublishPlan } from '../plan/plan.js'
import type { PublishResult, Upload } from './result.js'

export type TagChange =
  | { state: 'new' }
  | { state: 'moved'; from: string; version: string }
  | { state: 'unchanged' }
  | { state: 'held back'; reason: string }
  | { state: 'not pushed' }

export interface TagRow {
  ref: string
  kind: string
  /** What the tag points at after the run ('' when not known). */
  digest: string
  change: TagChange
}

/** Each of the plan's references: where it points now, and what the run did to it. */
export function tagRows(plan: PublishPlan, result: PublishResult): TagRow[] {
  const find = <T extends { ref: string }>(
    list: T[] | undefined,
    ref: string
  ) => list?.find(entry => entry.ref === ref)
  return plan.refs.map(ref => {
    const kind = plan.tags.find(t => ref.endsWith(`:${t.name}`))?.kind ?? ''
    const before = find(result.before, ref)
    const pushed = find(result.pushed, ref)
    const skipped = find(result.skipped, ref)
    const held = find(result.held, ref)?.digest ?? ''
    const row = (digest: string, change: TagChange) => ({
      ref,
      kind,
      digest,
      change
    })
    if (skipped !== undefined)
      return row(held || (before?.digest ?? ''), {
        state: 'held back',
        reason: skipped.reason
      })
    if (pushed !== undefined) {
      if (before === undefined) return row(pushed.digest, { state: 'new' })
      if (before.digest === pushed.digest)
        return row(pushed.digest, { state: 'unchanged' })
      return row(pushed.digest, {
        state: 'moved',
        from: before.digest,
        version: before.version
      })
    }
    if (before !== undefined && held === before.digest)
      return row(held, { state: 'unchanged' })
    return row('', { state: 'not pushed' })
  })
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

export const formatSeconds = (ms: number): string =>
  `${(ms / 1000).toFixed(1)} s`

/** A digest short enough to read at a glance (docker's 12 hex digits). */
export const shortDigest = (digest: string): string =>
  digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1')

/** All the images' uploads added up (image '' and digest '': the total row). */
export function uploadTotals(uploads: Upload[]): Upload {
  const sum = (pick: (u: Upload) => number) =>
    uploads.reduce((total, u) => total + pick(u), 0)
  return {
    image: '',
    digest: '',
    uploaded: sum(u => u.uploaded),
    mounted: sum(u => u.mounted),
    present: sum(u => u.present),
    blobs: sum(u => u.blobs),
    ms: sum(u => u.ms)
  }
}

/** The size of an image's blobs: sent, mounted and already there. */
export const uploadSize = (u: Upload): number =>
  u.uploaded + u.mounted + u.present

/** One tag's change in words ("moved from sha256:… (1.2.2)"). */
export function changeText(change: TagChange): string {
  switch (change.state) {
    case 'moved': {
      const version = change.version === '' ? '' : ` (${change.version})`
      return `moved from ${shortDigest(change.from)}${version}`
    }
    case 'held back':
      return `held back: ${change.reason}`
    default:
      return change.state
  }
}
