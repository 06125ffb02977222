/**
 * A build bounded while BuildKit resolves its base images (`[internal] load metadata for …`):
 * BuildKit sets that registry read no deadline, and its builder still answers while the read
 * hangs, so silence there for `ms` stops the build, naming the image and its registry. A layer's
 * download that hangs (the cache watch's) is worded here too: both are the build's own reads.
 */
import type { Stopped, StallWatch } from '../docker/process.js'
import { referenceRegistry } from '../reference/repository.js'
import { openVertices, readProgress } from '../docker/buildx-progress.js'
import { readWatch, silence } from './cache-watch.js'

/** Runs the build again on a fresh BuildKit once; a second stop fails it. */
export const resolveWatch = (ms: number): StallWatch =>
  readWatch('resolve', ms, ['resolve'], resolved)

/** The images the stopped build resolved, and the hosts it waited on. */
function resolved(stopped: Stopped): { what: string; hosts: string } {
  const images = [
    ...openVertices(readProgress(stopped.output), ['resolve']).values()
  ]
  const hosts = [...new Set(images.map(referenceRegistry))].join(', ')
  const what =
    `${silence(stopped)} while it resolved ${images.join(', ')}: ${hosts} did not answer ` +
    '(BuildKit sets that read no deadline)'
  return { what, hosts }
}
