/**
 * A build bounded while BuildKit resolves its base images (`[internal] load metadata for …`):
 * BuildKit sets that registry read no deadline, and its builder still answers while the read
 * hangs, so silence there for `ms` stops the build, naming the image and its registry.
 */
import type { StallWatch } from '../docker/process.js'
import { DockerStalledError } from '../docker/runner.js'
import { referenceRegistry } from '../reference/repository.js'

const RESOLVE_WATCH = 'resolve'

/** `#3 [internal] load metadata for r.example/base:1` (`[linux/arm64 internal]` per platform). */
const RESOLVING = /^#(\d+) \[(?:\S+ )?internal\] load metadata for (\S+)/

const VERTEX_END = /^#(\d+) (DONE|CACHED|ERROR|CANCELED)\b/

/** The base images whose resolve is still open after `lines`, by vertex. */
function openResolves(lines: string[], open = new Map<string, string>()) {
  for (const line of lines) {
    const start = RESOLVING.exec(line)
    if (start) open.set(start[1], start[2])
    const end = VERTEX_END.exec(line)
    if (end) open.delete(end[1])
  }
  return open
}

export function resolveWatch(ms: number): StallWatch {
  const open = new Map<string, string>()
  const follow = (line: string) => openResolves([line], open).size
  return {
    name: RESOLVE_WATCH,
    ms,
    startsAt: line => follow(line) > 0,
    endsAt: line => follow(line) === 0
  }
}

/** What stopped the build, where the watch stopped it on a base image's resolve. */
export function unresolvedImages(
  error: unknown
): { what: string; hosts: string } | undefined {
  if (!(error instanceof DockerStalledError) || error.watch !== RESOLVE_WATCH)
    return undefined
  const images = [...openResolves(error.output.split('\n')).values()]
  const hosts = [...new Set(images.map(referenceRegistry))].join(', ')
  const what =
    `buildx sent no progress for ${Math.round(error.silentMs / 1000)} s while it resolved ` +
    `${images.join(', ')}: ${hosts} did not answer (BuildKit sets that read no deadline)`
  return { what, hosts }
}

/** What a user reads when the watch stopped the build on a base image's resolve. */
export function unresolvedImageFailure(error: unknown): Error | undefined {
  const unresolved = unresolvedImages(error)
  if (unresolved === undefined) return undefined
  const { what, hosts } = unresolved
  return new Error(
    `${what}, so the build was stopped and nothing was pushed; re-run the job once ${hosts} ` +
      'answers',
    { cause: error }
  )
}
