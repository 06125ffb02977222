/**
 * A build's waits on its cache, bounded. BuildKit sets no deadline on some of them (a hung request
 * to GitHub's cache service stalls the build for as long as it hangs; `timeout=` and
 * `ignore-error` do not end it), so the build's plain progress is watched while a cache import or
 * export, or a layer download, is open; a build stopped or failed by its cache is built again
 * without it: the cache may cost time, never the release.
 */
import { recoveryOf, type Stopped, type StallWatch } from '../docker/process.js'
import { DockerCommandError } from '../docker/runner.js'
import { lineAttributes } from '../csv/csv.js'
import { referenceRegistry } from '../reference/repository.js'

/**
 * Vertices of the cache's own: an import (per source) or an export. Only imports are watched: an
 * export that moves prints nothing between its start and its `done` (a gha export is bounded by
 * the relay instead).
 */
const CACHE_VERTEX =
  /^#(\d+) (importing cache manifest from |exporting cache|exporting to GitHub Actions Cache)/
const CACHE_IMPORT = /^#(\d+) importing cache manifest from /
const CACHE_EXPORT = /^#(\d+) exporting (cache|to GitHub Actions Cache)/

/** A layer on its way (`#10 sha256:… 1.2MB / 33.6MB 0.2s`), open until its `done` line. */
const TRANSFER = /^#(\d+) (sha256:[0-9a-f]+) [\d.]+\w*B \/ [\d.]+\w*B/

const VERTEX_END = /^#(\d+) (DONE|CACHED|ERROR|CANCELED)\b/

/**
 * The vertices `start` opened (its first group) still open after `lines`, each with its second
 * group; `open` carries them on from earlier lines.
 */
export function openVertices(
  lines: string[],
  start: RegExp,
  open = new Map<string, string>()
): Map<string, string> {
  for (const line of lines) {
    const vertex = start.exec(line)
    if (vertex) open.set(vertex[1], vertex[2])
    const end = VERTEX_END.exec(line)
    if (end) open.delete(end[1])
  }
  return open
}

/**
 * Watches the build while a cache vertex or a layer transfer is open, silent for `ms`: buildx
 * prints a transfer's bytes as they come, so silence there is a request that hangs. A build with
 * cache lines (`cached`) drops them; one without runs again on a fresh BuildKit, once.
 */
export function cacheWatch(ms: number, cached: boolean): StallWatch {
  const open = new Set<string>()
  const follow = (line: string) => {
    const vertex = CACHE_IMPORT.exec(line)
    if (vertex) open.add(vertex[1])
    const transfer = TRANSFER.exec(line)
    if (transfer) {
      const key = `${transfer[1]} ${transfer[2]}`
      if (line.endsWith(' done')) open.delete(key)
      else open.add(key)
    }
    const end = VERTEX_END.exec(line)
    if (end)
      for (const key of open)
        if (key === end[1] || key.startsWith(`${end[1]} `)) open.delete(key)
    return open.size
  }
  const download = (stopped: Stopped) =>
    `${silence(stopped)} while it downloaded a layer: a registry read that hangs (BuildKit ` +
    'sets it no deadline)'
  return {
    name: 'cache',
    ms,
    startsAt: line => follow(line) > 0,
    endsAt: line => follow(line) === 0,
    holdsBuilder: true,
    recovery: cached ? 'drop the cache' : 'renew and run again',
    told: cached
      ? stopped =>
          `${silence(stopped)} while it read the cache or downloaded a layer, so the build ` +
          'was stopped'
      : download,
    failure: stopped => readFailure(download(stopped), 'the registry', stopped)
  }
}

/** How a watch's stop of a build begins, as a user reads it. */
export const silence = (stopped: Stopped): string =>
  `buildx sent no progress for ${Math.round(stopped.silentMs / 1000)} s`

/** What a user reads when a registry read of the build's own hung (again). */
export const readFailure = (
  what: string,
  hosts: string,
  stopped: Stopped
): Error =>
  new Error(
    `${what}, so the build was stopped and nothing was pushed; re-run the job once ${hosts} ` +
      'answers',
    { cause: stopped }
  )

/**
 * The build run again must start within `ms` on `builder`: one still waiting on the read that held
 * the first build up (the docker driver's BuildKit, in dockerd) starts no other build until that
 * read ends; `sources`: where the dropped cache lines read.
 */
export function restartWatch(
  ms: number,
  builder: string,
  sources?: string
): StallWatch {
  return {
    name: 'restart',
    ms,
    endsAt: () => true,
    failure: stopped => restartFailure(stopped, builder, sources)
  }
}

/** Where a build's cache-from lines read: a registry's host, GitHub's cache service, a folder. */
export function cacheSources(argv: string[]): string {
  const sources = argv.flatMap((arg, at) => {
    if (argv[at - 1] !== '--cache-from') return []
    const attributes = lineAttributes(arg)
    const ref = attributes.get('ref')
    if (ref !== undefined) return [referenceRegistry(ref)]
    if (attributes.get('type') === 'gha') return ["GitHub's cache service"]
    return [attributes.get('src') ?? arg]
  })
  return [...new Set(sources)].join(' or ')
}

/**
 * What a user reads when the build run again did not start on `builder`: without its cache, whose
 * lines read from `sources`, or (no `sources`) after a hung read of its own. BuildKit's scheduler
 * asks the cache while it holds its own lock, and the import's read has no deadline, so no build
 * starts there until that read ends (a goroutine dump of a held buildkitd v0.25.2 shows it):
 * cache: off alone does not free that BuildKit.
 */
function restartFailure(
  error: Stopped,
  builder: string,
  sources?: string
): Error {
  const droppedCache = sources !== undefined
  const ranAgain = droppedCache ? 'run again without its cache' : 'run again'
  const read = droppedCache
    ? `the read (the cache's, or a layer's) from ${sources}`
    : 'the read'
  const cacheOff = droppedCache
    ? ` (with cache: off while ${sources} does not answer)`
    : ''
  return new Error(
    `the build, ${ranAgain}, did not start within ${Math.round(error.silentMs / 1000)} s: ` +
      `the builder ${builder} still waits on ${read} that held up the first build, and its ` +
      `BuildKit starts no build until that read ends (BuildKit sets it no deadline), so ` +
      `nothing was pushed; restart that BuildKit, then run the job again${cacheOff}`,
    { cause: error }
  )
}

/** Where the cache lives besides the image's registry: GitHub's service and its blob store. */
const CACHE_ERROR =
  /importing cache manifest|exporting (cache|to GitHub Actions Cache)|cache (importer|exporter)|GitHub Actions Cache|actions cache|blob\.core\.windows\.net/i

/**
 * What failed the build, where its error names the cache (`serviceHosts`: the cache service's
 * hosts, whose blobs it downloads); undefined otherwise.
 */
export function cacheTrouble(
  error: unknown,
  serviceHosts: string[]
): string | undefined {
  if (!(error instanceof DockerCommandError)) return undefined
  // buildx's last word: a failed import before it was no failure (BuildKit went on without it)
  const cause = error.output
    .split('\n')
    .reverse()
    .find(line => /^ERROR:/.test(line))
  // a cache export without ignore-error fails the build with its vertex's error, the last one
  const last = failedVertices(error.output).at(-1)
  const fromCache =
    cause !== undefined &&
    (CACHE_ERROR.test(cause) ||
      serviceHosts.some(host => host !== '' && cause.includes(host)) ||
      (last?.cache !== undefined &&
        last.error !== '' &&
        cause.includes(last.error)))
  return fromCache
    ? `the build failed on its cache: ${cause.trim().slice(0, 300)}`
    : undefined
}

/**
 * The push watch of a build with cache lines: it bounds the whole push phase, the cache's export
 * after the image's too, and a stop inside an export still open (of those BuildKit runs side by
 * side; buildx prints a vertex's header again as it returns) drops the cache.
 */
export function exportWatch(push: StallWatch): StallWatch {
  const exporting = (stopped: Stopped) =>
    openVertices(stopped.output.split('\n'), CACHE_EXPORT).size > 0
  return {
    ...push,
    recovery: stopped =>
      exporting(stopped) ? 'drop the cache' : recoveryOf(push, stopped),
    told: stopped =>
      exporting(stopped)
        ? `${silence(stopped)} while it exported the cache, so the build was stopped`
        : (push.failure?.(stopped).message ?? '')
  }
}

/**
 * The vertices that failed, in order, each its error as BuildKit printed it, and its name where it
 * is one of the cache's own.
 */
function failedVertices(progress: string): { cache?: string; error: string }[] {
  const names = new Map<string, string>()
  const failed: { cache?: string; error: string }[] = []
  for (const line of progress.split('\n')) {
    const vertex = CACHE_VERTEX.exec(line)
    if (vertex) names.set(vertex[1], line.slice(vertex[1].length + 2).trim())
    const error = /^#(\d+) ERROR: (.*)$/.exec(line)
    if (error) failed.push({ cache: names.get(error[1]), error: error[2] })
  }
  return failed
}

/**
 * The cache's vertices that failed in a build that went on (BuildKit takes an import's failure as
 * no cache, an export's as ignore-error says): one line each, for a warning.
 */
export const cacheFailures = (progress: string): string[] =>
  failedVertices(progress).flatMap(({ cache, error }) =>
    cache === undefined ? [] : [`${cache} failed: ${error.slice(0, 300)}`]
  )

const CACHE_FLAGS = new Set(['--cache-from', '--cache-to'])

/**
 * The build's argv without its cache lines (those `dropped` says, else all): the build again, as if
 * they had not been asked.
 */
export function withoutCache(
  argv: string[],
  dropped: (line: string) => boolean = () => true
): string[] {
  const drops = (at: number) =>
    CACHE_FLAGS.has(argv[at])
      ? dropped(argv[at + 1] ?? '')
      : CACHE_FLAGS.has(argv[at - 1] ?? '') && dropped(argv[at])
  return argv.filter((_, at) => !drops(at))
}

/** A build's cache lines (cache-from and cache-to) as its argv gives them to buildx. */
export const cacheLines = (argv: string[]): string[] =>
  argv.filter((_, at) => CACHE_FLAGS.has(argv[at - 1] ?? ''))

/** Whether the build's argv asks for a cache. */
export const usesCache = (argv: string[]): boolean =>
  cacheLines(argv).length > 0
