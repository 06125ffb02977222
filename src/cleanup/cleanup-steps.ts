/**
 * mode cleanup's steps: the one list the dry run prints and the run takes, request by request.
 */
import type { Image } from '../reference/images.js'
import { apiUrl } from '../reference/repository.js'
import { manifestRequest, type RequestStep } from '../plan/steps.js'
import type { Removal } from './cleanup-plan.js'

/**
 * Where an image's manifests are deleted: by the registry API, or (GHCR) as versions of a
 * package, `versions` being the packages API's URL of the package's versions.
 */
export type DeletesAt =
  { kind: 'registry' } | { kind: 'ghcr'; versions: string }

/** The delete probe's first DELETE: a digest no manifest has. */
export const ABSENT_DIGEST = `sha256:${'0'.repeat(64)}`

/** Stands for a tombstone's digest in the plan (it names the time of the run). */
const TOMBSTONE = '<tombstone>'
/** Stands for the digest of a tombstone's config blob, image-spec 1.1's empty `{}`. */
const EMPTY_CONFIG = '<empty config>'

/**
 * What one step does: the delete probe's DELETE of a digest no manifest has, its tombstone's
 * config blob, PUT and DELETE; an image's tags read again right before the first removal; a tag
 * PUT onto a tombstone (another tag holds its digest, so the tombstone's config blob goes first)
 * and that tombstone's DELETE; a manifest's DELETE, every tag on it with it.
 */
export type CleanupStep<T extends PlannedRemoval = PlannedRemoval> =
  | {
      action:
        | 'probe absent'
        | 'probe config'
        | 'probe put'
        | 'probe delete'
        | 'reread'
        | 'delete'
      /**
       * The removal the step does; a probe's or a reread's: one of its image's (its image and
       * `at` count).
       */
      of: T
    }
  | {
      /** A tag removed through a tombstone: its config blob, its PUT onto it, then its DELETE. */
      action: 'tombstone config' | 'tombstone put' | 'tombstone delete'
      of: T
      tag: string
    }

/** One removal the run decided, on an image whose manifests are deleted `at`. */
export interface PlannedRemoval {
  image: Image
  removal: Removal
  at: DeletesAt
}

/** The probe's steps touch no image, only what the probe writes itself. */
const isProbe = (step: CleanupStep): boolean => step.action.startsWith('probe')

/**
 * The removals in the order their steps take them. On GHCR the first delete is the probe: plain
 * deletes go before any tombstone's tag PUT (stable, so an index still goes before what it holds).
 */
export function removalOrder<T extends PlannedRemoval>(planned: T[]): T[] {
  const first = (p: T) => p.at.kind === 'ghcr' && !p.removal.tombstone
  return [...planned.filter(first), ...planned.filter(p => !first(p))]
}

const PROBE = [
  'probe absent',
  'probe config',
  'probe put',
  'probe delete'
] as const
const TOMBSTONE_STEPS = [
  'tombstone config',
  'tombstone put',
  'tombstone delete'
] as const

/**
 * mode cleanup's steps: each image's delete probe first (a DELETE of a digest no manifest has, a
 * tombstone's config blob, PUT and DELETE; none on GHCR, where the first delete is the probe),
 * then each image's tags read again, then the removals. Tombstones go up by the registry API
 * everywhere.
 */
export function cleanupSteps<T extends PlannedRemoval>(
  planned: T[]
): CleanupStep<T>[] {
  const oneOfEach = [...new Map(planned.map(p => [p.image, p])).values()]
  const probes = oneOfEach
    .filter(of => of.at.kind === 'registry')
    .flatMap(of => PROBE.map(action => ({ action, of })))
  const rereads = oneOfEach.map(of => ({ action: 'reread' as const, of }))
  const removals = removalOrder(planned).flatMap((of): CleanupStep<T>[] => {
    const { tag, tombstone } = of.removal
    if (!tombstone || tag === undefined) return [{ action: 'delete', of }]
    return TOMBSTONE_STEPS.map(action => ({ action, of, tag }))
  })
  return [...probes, ...rereads, ...removals]
}

/** The DELETE of a manifest: the registry API's, or the packages API's of its version. */
function deleteRequest(step: CleanupStep, reference: string): RequestStep {
  const name = isProbe(step) ? 'probe' : 'remove'
  const { image, at } = step.of
  if (at.kind === 'registry')
    return manifestRequest(name, 'DELETE', image, reference)
  const url = `${at.versions}/<version of ${reference}>`
  return { step: name, method: 'DELETE', url, image, reference }
}

/** The PUT that ends the upload of a tombstone's (empty) config blob, the upload's own URL. */
function configRequest(step: CleanupStep): RequestStep {
  const { image } = step.of
  const path = `/v2/${image.repository}/blobs/uploads/<upload>?digest=${EMPTY_CONFIG}`
  const name = isProbe(step) ? 'probe' : 'remove'
  return {
    step: name,
    method: 'PUT',
    url: apiUrl(image, path),
    image,
    reference: EMPTY_CONFIG
  }
}

/** The read right before the deletes: the image's tags (GHCR: its package's versions). */
function rereadRequest({ image, at }: PlannedRemoval): RequestStep {
  const url =
    at.kind === 'ghcr'
      ? at.versions
      : apiUrl(image, `/v2/${image.repository}/tags/list`)
  return { step: 'reread', method: 'GET', url, image, reference: 'tags' }
}

/** A step as the plan prints it: its request. */
export function stepRequest(step: CleanupStep): RequestStep {
  switch (step.action) {
    case 'probe absent':
      return deleteRequest(step, ABSENT_DIGEST)
    case 'probe config':
    case 'tombstone config':
      return configRequest(step)
    case 'reread':
      return rereadRequest(step.of)
    case 'probe put':
      return manifestRequest('probe', 'PUT', step.of.image, TOMBSTONE)
    case 'tombstone put':
      return manifestRequest('remove', 'PUT', step.of.image, step.tag)
    case 'probe delete':
    case 'tombstone delete':
      return deleteRequest(step, TOMBSTONE)
    case 'delete':
      return deleteRequest(step, step.of.removal.digest)
  }
}
