/**
 * A build bounded while BuildKit resolves its base images (`[internal] load metadata for …`):
 * BuildKit sets that registry read no deadline, and its builder still answers while the read
 * hangs, so silence there for `ms` stops the build, naming the image and its registry. A layer's
 * download that hangs (the cache watch's) is worded here too: both are the build's own reads.
 */
import type { StallWatch } from '../docker/process.js'
import { DockerStalledError } from '../docker/runner.js'
import { referenceRegistry } from '../reference/repository.js'
import { openVertices, readProgress } from '../docker/buildx-progress.js'
import { openWatch, stalledDownload } from './cache-watch.js'

const RESOLVE_WATCH = 'resolve'

/** Watches the build while a base image is resolved (`#3 [internal] load metadata for …`). */
export const resolveWatch = (ms: number): StallWatch =>
  openWatch(RESOLVE_WATCH, ms, ['resolve'])

/**
 * What stopped the build on a registry read of its own that hung (not the cache's): a base image's
 * resolve, where the watch stopped it there, or a layer's download; and the hosts it waited on.
 */
export function hungRead(
  error: unknown
): { what: string; hosts: string } | undefined {
  const download = stalledDownload(error)
  if (download !== undefined) return { what: download, hosts: 'the registry' }
  if (!(error instanceof DockerStalledError) || error.watch !== RESOLVE_WATCH)
    return undefined
  const images = [
    ...openVertices(readProgress(error.output), ['resolve']).values()
  ]
  const hosts = [...new Set(images.map(referenceRegistry))].join(', ')
  const what =
    `buildx sent no progress for ${error.silentSeconds} s while it resolved ` +
    `${images.join(', ')}: ${hosts} did not answer (BuildKit sets that read no deadline)`
  return { what, hosts }
}

/** What a user reads when a registry read of the build's own hung (again). */
export function hungReadFailure(error: unknown): Error | undefined {
  const read = hungRead(error)
  if (read === undefined) return undefined
  return new Error(
    `${read.what}, so the build was stopped and nothing was pushed; re-run the job once ` +
      `${read.hosts} answers`,
    { cause: error }
  )
}
