/**
 * A build's waits on its cache, bounded. BuildKit sets no deadline on some of them (a hung request
 * to GitHub's cache service stalls the build for as long as it hangs; `timeout=` and
 * `ignore-error` do not end it), so the build's plain progress is watched while a cache import or
 * export, or a layer download, is open; a build stopped or failed by its cache is built again
 * without it: the cache may cost time, never the release. The build's other reads of its own, the
 * resolves of its base images, are watched here alike.
 */
import type { Stopped, StallWatch } from '../docker/process.js'
import { DockerCommandError } from '../docker/runner.js'
import { lineAttributes } from '../csv/csv.js'
import { seconds } from '../settings/bounds.js'
import { referenceRegistry } from '../reference/repository.js'
import {
  failedVertices,
  openVertices,
  readProgress,
  type ProgressEvent,
  type ProgressKind
} from '../docker/buildx-progress.js'

/**
 * A watch of a registry read of the build's own, open while an event of `kinds` is (a vertex, a
 * layer's transfer), silent for `ms`; its stop may leave the read holding the builder, so the build
 * runs again on a fresh BuildKit, once. `read` says what hung and which hosts a user waits on: a
 * second stop fails the build, naming them.
 */
function readWatch(
  name: string,
  ms: number,
  kinds: ProgressKind[],
  read: (stopped: Stopped) => { what: string; hosts: string }
): StallWatch {
  const open = new Map<string, string>()
  const follow = (event: ProgressEvent) =>
    openVertices([event], kinds, open).size
  return {
    name,
    ms,
    startsAt: event => follow(event) > 0,
    endsAt: event => follow(event) === 0,
    holdsBuilder: true,
    recovery: () => 'renew and run again',
    told: stopped => read(stopped).what,
    failure: stopped => {
      const { what, hosts } = read(stopped)
      return new Error(
        `${what}, so the build was stopped and nothing was pushed; re-run the job once ` +
          `${hosts} answers`,
        { cause: stopped }
      )
    }
  }
}

/**
 * Watches the build while a cache import or a layer transfer is open, silent for `ms`: buildx
 * prints a transfer's bytes as they come, so silence there is a request that hangs. Exports are
 * not watched: one that moves prints nothing between its start and its `done` (a gha export is
 * bounded by the relay instead). A build with cache lines (`cached`) drops them; one without runs
 * again on a fresh BuildKit, once.
 */
export function cacheWatch(ms: number, cached: boolean): StallWatch {
  const watch = readWatch(
    'cache',
    ms,
    ['cache-import', 'transfer'],
    stopped => ({
      what:
        `${silence(stopped)} while it downloaded a layer: a registry read that hangs (BuildKit ` +
        'sets it no deadline)',
      hosts: 'the registry'
    })
  )
  if (!cached) return watch
  return {
    ...watch,
    recovery: () => 'drop the cache',
    told: stopped =>
      `${silence(stopped)} while it read the cache or downloaded a layer, so the build was ` +
      'stopped'
  }
}

/**
 * A build bounded while BuildKit resolves its base images (`[internal] load metadata for …`):
 * BuildKit sets that registry read no deadline, and its builder still answers while the read
 * hangs, so silence there for `ms` stops the build, naming the image and its registry. It runs
 * again on a fresh BuildKit once; a second stop fails it.
 */
export const resolveWatch = (ms: number): StallWatch =>
  readWatch('resolve', ms, ['resolve'], stopped => {
    // the images the stopped build resolved, and the hosts it waited on
    const images = [
      ...openVertices(readProgress(stopped.output), ['resolve']).values()
    ]
    const hosts = [...new Set(images.map(referenceRegistry))].join(', ')
    const what =
      `${silence(stopped)} while it resolved ${images.join(', ')}: ${hosts} did not answer ` +
      '(BuildKit sets that read no deadline)'
    return { what, hosts }
  })

/** How a watch's stop of a build begins, as a user reads it. */
const silence = (stopped: Stopped): string =>
  `buildx sent no progress for ${seconds(stopped.silentMs)}`

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
 * The build run again must start within `ms` on `builder`: one still waiting on the read that held
 * the first build up (the docker driver's BuildKit, in dockerd) starts no other build until that
 * read ends; `sources`: where the dropped cache lines read. Its failure, what a user reads when the
 * build run again did not start: without its cache (`sources`), or after a hung read of its own.
 * BuildKit's scheduler asks the cache while it holds its own lock, and the import's read has no
 * deadline, so no build starts there until that read ends (a goroutine dump of a held buildkitd
 * v0.25.2 shows it): cache: off alone does not free that BuildKit.
 */
export function restartWatch(
  ms: number,
  builder: string,
  sources?: string
): StallWatch {
  const droppedCache = sources !== undefined
  const ranAgain = droppedCache ? 'run again without its cache' : 'run again'
  const read = droppedCache
    ? `the read (the cache's, or a layer's) from ${sources}`
    : 'the read'
  const cacheOff = droppedCache
    ? ` (with cache: off while ${sources} does not answer)`
    : ''
  return {
    name: 'restart',
    ms,
    endsAt: () => true,
    failure: stopped =>
      new Error(
        `the build, ${ranAgain}, did not start within ${seconds(stopped.silentMs)}: ` +
          `the builder ${builder} still waits on ${read} that held up the first build, and its ` +
          `BuildKit starts no build until that read ends (BuildKit sets it no deadline), so ` +
          `nothing was pushed; restart that BuildKit, then run the job again${cacheOff}`,
        { cause: stopped }
      )
  }
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
  const events = readProgress(error.output)
  // buildx's last word: a failed import before it was no failure (BuildKit went on without it)
  const cause = events.filter(event => event.kind === 'failure').at(-1)?.name
  // a cache export without ignore-error fails the build with its vertex's error, the last one
  const last = failedVertices(events).at(-1)
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
    openVertices(readProgress(stopped.output), [
      'cache-export',
      'cache-gha-export'
    ]).size > 0
  return {
    ...push,
    recovery: stopped =>
      exporting(stopped)
        ? 'drop the cache'
        : (push.recovery?.(stopped) ?? 'fail'),
    told: stopped =>
      exporting(stopped)
        ? `${silence(stopped)} while it exported the cache, so the build was stopped`
        : (push.failure?.(stopped).message ?? '')
  }
}

/**
 * The cache's vertices that failed in a build that went on (BuildKit takes an import's failure as
 * no cache, an export's as ignore-error says): one line each, for a warning; those of `refused`
 * left out.
 */
export const cacheFailures = (
  progress: string,
  refused?: ProgressKind
): string[] =>
  failedVertices(readProgress(progress)).flatMap(({ cache, error }) =>
    cache === undefined || cache.kind === refused
      ? []
      : [`${cache.name} failed: ${error.slice(0, 300)}`]
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
