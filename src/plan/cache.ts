/**
 * The build cache's sources and destination (SPEC 11), one decision for run
 * and dry run: the user's lines win; `auto` names no tag the user did not ask
 * for; a pull request writes no cache a push run reads.
 */
import { lineAttributes } from '../csv/csv.js'
import { InputError } from '../errors/input-error.js'
import { evaluatesOnly } from '../settings/build-options.js'
import type { BuildSettings } from '../settings/build-settings.js'
import { parseReleaseVersion, compareReleaseVersions } from '../tags/version.js'
import { describeBuilder, keepsClassicImages, type Builder } from './builder.js'
import type { RunnerCache } from './runner-cache.js'

/** The cache service's hosts (its URLs in the environment): BuildKit must reach them too. */
export function cacheServiceHosts(
  env: Record<string, string | undefined>
): string[] {
  const urls = [env.ACTIONS_RESULTS_URL, env.ACTIONS_CACHE_URL]
  return urls.flatMap(url =>
    url && URL.canParse(url) ? [new URL(url).host] : []
  )
}

/** The first buildx that speaks GitHub's cache service v2. */
const BUILDX_V2_CACHE = [0, 21]

/**
 * Why buildx cannot reach the runner's cache service, if it cannot: an older buildx drops type=gha
 * without a word when only the v2 service is offered.
 */
function serviceUnreachable(
  builder: Pick<Builder, 'buildx'>,
  runner: RunnerCache
): string | undefined {
  const version = /(\d+)\.(\d+)/.exec(builder.buildx ?? '')
  if (!runner.v2 || version === null) return undefined
  const [major, minor] = version.slice(1).map(Number)
  const [needMajor, needMinor] = BUILDX_V2_CACHE
  if (major > needMajor || (major === needMajor && minor >= needMinor))
    return undefined
  return (
    `buildx ${version[0]} does not speak GitHub's cache service v2 ` +
    `(buildx >= ${BUILDX_V2_CACHE.join('.')} does)`
  )
}

/** A tag of the image itself that a build may import its cache from. */
export interface CacheImport {
  tag: string
  /** Why it is a source: this branch's tag, the default branch's, the newest release. */
  why: string
}

/** The tags a run could import from, before the registry says which exist. */
export interface CacheSources {
  /** This run's own tags (the branch's, the pull request's), in order. */
  own: string[]
  /** The tags a push to the default branch publishes. */
  defaultBranch: string[]
  /** The pull request's number on a pull_request(_target) run. */
  pullRequest?: number
}

/**
 * This run's tag, the default branch's, the newest stable release: those that exist, never written.
 */
export function cacheImports(
  sources: CacheSources,
  existing: string[]
): CacheImport[] {
  const has = new Set(existing)
  const first = (tags: string[]) => tags.find(tag => has.has(tag))
  const found: CacheImport[] = []
  const add = (tag: string | undefined, why: string) => {
    if (tag !== undefined && !found.some(f => f.tag === tag))
      found.push({ tag, why })
  }
  add(
    first(sources.own),
    sources.pullRequest ? "this pull request's tag" : "this run's tag"
  )
  add(first(sources.defaultBranch), "the default branch's tag")
  add(newestRelease(existing), 'the newest release')
  return found
}

function newestRelease(tags: string[]): string | undefined {
  const releases = tags.flatMap(tag => {
    const v = parseReleaseVersion(tag)
    return v?.stable && v.patch !== undefined && v.full === tag ? [v] : []
  })
  return releases.sort((a, b) => compareReleaseVersions(b, a))[0]?.full
}

/** What the build gets, and the lines that say what was decided and why. */
export interface CacheDecision {
  cacheFrom: string[]
  cacheTo: string[]
  lines: string[]
  /**
   * The images pulled before the build: on the classic store dockerd's BuildKit reads a local
   * image's inline cache from the engine (moby's localinlinecache), while its own read of the
   * registry has no deadline and, hung, stalls every build of that BuildKit (its scheduler waits on
   * the read).
   */
  pulls?: string[]
}

/** Everything the decision reads besides the build settings. */
export interface CacheFacts {
  builder: Builder
  runner: RunnerCache
  /** The first image's name (registry/repository): the imports' repository. */
  image: string
  /** Its repository path in the registry ("library/nginx"): the gha scope. */
  repository: string
  pullRequest?: number
  /** The image's own tags that exist, in the order they are tried. */
  imports: CacheImport[]
  use: CacheUse
}

/**
 * What the build is for: an image our steps push, a build that stays here (push: false: caches
 * are read, no registry is written), or one that goes where outputs or call say (no cache of ours).
 */
export type CacheUse = 'push' | 'local' | 'none'

type CacheBuild = Pick<
  BuildSettings,
  | 'cache'
  | 'cacheFrom'
  | 'cacheTo'
  | 'noCache'
  | 'platforms'
  | 'target'
  | 'call'
  | 'push'
>

/** Whether the builder exports a cache of this type: the classic store only inlines it. */
function exportsCache(builder: Builder, type: string): boolean {
  return type === 'inline' || !keepsClassicImages(builder)
}

const WAYS_OUT =
  'add docker/setup-buildx-action (a docker-container builder), turn on the containerd image ' +
  'store, or use type=inline'

/**
 * A cache-to line's type, read as the settings checked it and as buildx reads it (CSV fields, the
 * last type wins); a bare reference is a registry.
 */
function cacheType(line: string): string {
  if (!line.includes('=')) return 'registry'
  return lineAttributes(line).get('type') ?? ''
}

/** Whether BuildKit exports a cache after the image (any cache-to but the inline, in the image). */
export const exportsCacheAfterImage = (build: Pick<CacheBuild, 'cacheTo'>) =>
  build.cacheTo.some(line => cacheType(line) !== 'inline')

/**
 * The user's cache-to lines that `push: false` leaves out, since such a run writes nothing to any
 * registry (SPEC 12): type=registry and bare references. GitHub's cache service, a folder and the
 * inline cache (in an image that stays here) are kept.
 */
export function unwrittenCacheTo(
  build: Pick<CacheBuild, 'cacheTo' | 'push'>
): string[] {
  return build.push
    ? []
    : build.cacheTo.filter(line => cacheType(line) === 'registry')
}

/** The user's cache-to lines the build gets. */
const writtenCacheTo = (build: Pick<CacheBuild, 'cacheTo' | 'push'>) => {
  const unwritten = unwrittenCacheTo(build)
  return build.cacheTo.filter(line => !unwritten.includes(line))
}

/** Whether the `cache` input's kind exports a cache (registry: not with push: false). */
function exportedKind({ cache, push }: Pick<CacheBuild, 'cache' | 'push'>) {
  const { kind } = cache
  return kind === 'gha' || kind === 'local' || (kind === 'registry' && push)
}

/**
 * The cache export asked (cache-to line or `cache:`) that `builder` cannot do, as written;
 * undefined when none.
 */
export function unexportableCache(
  build: Pick<CacheBuild, 'cacheTo' | 'cache' | 'push'>,
  builder: Builder
): string | undefined {
  const line = writtenCacheTo(build).find(
    to => !exportsCache(builder, cacheType(to))
  )
  if (line !== undefined) return `cache-to ${line}`
  const { kind } = build.cache
  const exported = exportedKind(build)
  if (build.cacheTo.length === 0 && exported && !exportsCache(builder, kind))
    return `cache: ${cacheValue(build.cache)}`
  return undefined
}

/** Fails before anything runs when the builder cannot export a cache-to line. */
export function requireCacheExport(cacheTo: string[], builder: Builder): void {
  for (const line of cacheTo)
    requireExport(cacheType(line), builder, 'cache-to', line)
}

const onStore = (builder: Builder) =>
  builder.store === 'classic' ? ' on the classic image store' : ''

function requireExport(
  type: string,
  builder: Builder,
  input: string,
  value: string
): void {
  if (!exportsCache(builder, type))
    throw new InputError(
      input,
      value,
      `the builder ${describeBuilder(builder)}${onStore(builder)} cannot export a ` +
        `type=${type} cache (only type=inline); ${WAYS_OUT}`
    )
}

/** The `cache` input as written, for its errors. */
function cacheValue(cache: CacheBuild['cache']): string {
  if (cache.ref !== undefined) return `${cache.kind},ref=${cache.ref}`
  if (cache.dir !== undefined) return `${cache.kind},dir=${cache.dir}`
  return cache.kind
}

/** A gha scope per image and platform, so matrix legs and images never collide. */
export function cacheScope(
  repository: string,
  build: Pick<BuildSettings, 'platforms' | 'target'>,
  runner: RunnerCache
): string {
  const platforms =
    build.platforms.length > 0
      ? build.platforms.join('+')
      : `runner-${(runner.arch ?? 'native').toLowerCase()}`
  const target = build.target ? `-${build.target}` : ''
  return `${repository}${target}-${platforms}`.replace(/[^A-Za-z0-9._+-]/g, '-')
}

/** Whether the decision imports from the image's own tags (so they are read first). */
export function importsImageTags(
  build: CacheBuild,
  builder: Builder,
  runner: RunnerCache,
  use: CacheUse
): boolean {
  return (
    !userLines(build) &&
    cacheOff(build, builder, use) === undefined &&
    cacheKind(build, builder, runner) === 'inline'
  )
}

const userLines = (build: CacheBuild) =>
  build.cacheFrom.length > 0 || build.cacheTo.length > 0

/** Whether the build reaches GitHub's cache service on this builder (cache: auto uses it). */
const usesService = (builder: Builder, runner: RunnerCache): boolean =>
  runner.service &&
  exportsCache(builder, 'gha') &&
  serviceUnreachable(builder, runner) === undefined

/**
 * The `cache` input's kind, `auto` made GitHub's cache service where the builder uses it, else
 * inline; the decision, the tags read for it and the service's relay all take it from here.
 */
function cacheKind(build: CacheBuild, builder: Builder, runner: RunnerCache) {
  const { kind } = build.cache
  if (kind !== 'auto') return kind
  return usesService(builder, runner) ? 'gha' : 'inline'
}

/**
 * Why a kind other than off gets no cache lines (the user's lines aside), as the decision says
 * it; undefined when it gets them.
 */
function cacheOff(
  build: CacheBuild,
  builder: Builder,
  use: CacheUse
): string | undefined {
  if (build.noCache) return 'off (no-cache: true)'
  if (builder.driver === 'classic')
    return 'off (the classic docker build takes no cache lines)'
  if (build.cache.kind === 'auto' && use === 'none')
    return 'auto: off (outputs or call: the build goes where they say)'
  return undefined
}

/**
 * Why the run makes its own builder for `cache: auto`, if it should: on the classic store the
 * docker driver exports only the inline cache, which holds the final stage alone, so a build stage
 * would run again on every cold runner; GitHub's cache service takes every stage (mode=max).
 */
export function warmerOnOwnBuilder(
  build: CacheBuild,
  detected: Builder,
  runner: RunnerCache,
  use: CacheUse
): string | undefined {
  const auto = build.cache.kind === 'auto' && !userLines(build)
  if (!auto || build.noCache || use === 'none') return undefined
  if (!keepsClassicImages(detected) || !runner.service) return undefined
  if (serviceUnreachable(detected, runner) !== undefined) return undefined
  return (
    "buildx's docker driver on the classic image store exports only the inline cache, which " +
    "holds the final stage alone; GitHub's cache service keeps every stage (mode=max), at the " +
    'cost of starting this builder (1-2 s, its image pulled once) and removing it'
  )
}

/** No cache lines, and why. */
const NONE = (line: string): CacheDecision => ({
  cacheFrom: [],
  cacheTo: [],
  lines: [line]
})

/** The cache-from and cache-to lines the build gets, and why. */
export function decideCache(
  build: CacheBuild,
  facts: CacheFacts
): CacheDecision {
  const { builder } = facts
  if (evaluatesOnly(build.call)) return NONE('none (call only evaluates)')
  if (userLines(build)) {
    const cacheTo = writtenCacheTo(build)
    requireCacheExport(cacheTo, builder)
    return {
      cacheFrom: build.cacheFrom,
      cacheTo,
      lines: [
        'cache-from/cache-to as given (they win over the cache input)',
        ...unwrittenCacheTo(build).map(unwrittenNote)
      ]
    }
  }
  const kind = cacheKind(build, builder, facts.runner)
  if (kind === 'off') return NONE('off (cache: off)')
  const off = cacheOff(build, builder, facts.use)
  if (off !== undefined) return NONE(off)
  // auto's kind is one the builder exports (usesService; inline: every builder), so only a kind
  // asked by name can be refused here
  if (kind === 'inline' || exportedKind(build))
    requireExport(kind, builder, 'cache', cacheValue(build.cache))
  const auto = build.cache.kind === 'auto'
  switch (kind) {
    case 'gha':
      return ghaCache(
        build,
        facts,
        auto
          ? `auto: GitHub's cache service is offered and ${describeBuilder(builder)} exports to it`
          : 'cache: gha'
      )
    case 'registry':
      return registryCache(build, facts)
    case 'local':
      return localCache(build, facts)
    case 'inline':
      return inlineCache(facts, auto ? autoInlineWhy(facts) : 'cache: inline')
  }
}

function autoInlineWhy({ builder, runner }: CacheFacts): string {
  const unreachable = runner.service && serviceUnreachable(builder, runner)
  if (unreachable) return `auto: ${unreachable}`
  if (!exportsCache(builder, 'gha'))
    return (
      `auto: ${describeBuilder(builder)} on the classic image store exports only the ` +
      `inline cache`
    )
  // an offered service that is reachable and exportable to is used (decideCache): none is offered
  return (
    'auto: no GitHub cache service in this environment (ACTIONS_RUNTIME_TOKEN with ' +
    'ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL)'
  )
}

/** A pull request's own scope or folder (push runs never read it), read before the base. */
function ownFirst(base: string, facts: CacheFacts) {
  const pr = facts.pullRequest
  const own = pr === undefined ? base : `${base}-pr-${pr}`
  return { own, reads: own === base ? [base] : [own, base] }
}

const readOnlyLine = (facts: CacheFacts, where: string) =>
  facts.pullRequest === undefined
    ? []
    : [
        `pull request #${facts.pullRequest}: reads the push runs' cache, writes only ${where}`
      ]

function ghaCache(
  build: CacheBuild,
  facts: CacheFacts,
  why: string
): CacheDecision {
  if (!facts.runner.service)
    throw new InputError(
      'cache',
      'gha',
      "GitHub's cache service is not offered here (ACTIONS_RUNTIME_TOKEN with ACTIONS_CACHE_URL " +
        'or ACTIONS_RESULTS_URL, which the runner gives JavaScript actions); use auto, inline, ' +
        'registry,ref=… or local,dir=…'
    )
  const unreachable = serviceUnreachable(facts.builder, facts.runner)
  if (unreachable !== undefined)
    throw new InputError(
      'cache',
      'gha',
      `${unreachable}; update buildx (docker/setup-buildx-action) or use auto, inline, ` +
        'registry,ref=… or local,dir=…'
    )
  const scope = cacheScope(facts.repository, build, facts.runner)
  const { own, reads } = ownFirst(scope, facts)
  // where ACTIONS_CACHE_SERVICE_V2 is not set, buildx would speak v1 to the v2 service
  const version = facts.runner.v2 ? ',version=2' : ''
  return {
    cacheFrom: reads.map(s => `type=gha${version},scope=${s}`),
    cacheTo: [`type=gha${version},mode=max,ignore-error=true,scope=${own}`],
    lines: [
      `${why}: GitHub's cache service, scope ${own}`,
      ...readOnlyLine(facts, `scope ${own}`)
    ]
  }
}

/** A cache-to line push: false leaves out, as the plan and the notice say it. */
export const unwrittenNote = (line: string) =>
  `cache-to ${line} is not written: push: false writes to no registry`

function registryCache(build: CacheBuild, facts: CacheFacts): CacheDecision {
  const ref = build.cache.ref as string
  const cacheFrom = [`type=registry,ref=${ref}`]
  const pr = facts.pullRequest
  const readOnly =
    pr !== undefined
      ? `pull request #${pr}: reads the push runs' cache, writes none`
      : !build.push &&
        'push: false: reads it, writes none (no registry is written to)'
  if (readOnly)
    return {
      cacheFrom,
      cacheTo: [],
      lines: [`cache: registry: reads ${ref}`, readOnly]
    }
  return {
    cacheFrom,
    cacheTo: [`type=registry,ref=${ref},mode=max,ignore-error=true`],
    lines: [`cache: registry: reads and writes ${ref} (mode=max)`]
  }
}

function localCache(build: CacheBuild, facts: CacheFacts): CacheDecision {
  const scope = cacheScope(facts.repository, build, facts.runner)
  const { own, reads } = ownFirst(
    `${build.cache.dir as string}/${scope}`,
    facts
  )
  return {
    cacheFrom: reads.map(dir => `type=local,src=${dir}`),
    cacheTo: [`type=local,dest=${own},mode=max,ignore-error=true`],
    lines: [
      `cache: local: the folder ${own}`,
      ...readOnlyLine(facts, `the folder ${own}`)
    ]
  }
}

/**
 * The inline cache, exported with the image (not by a pull request), imported from its earlier
 * tags.
 */
function inlineCache(facts: CacheFacts, why: string): CacheDecision {
  const refs = facts.imports.map(i => `${facts.image}:${i.tag}`)
  const sources =
    facts.imports.length === 0
      ? 'no earlier tag of the image to import from'
      : `imports from ${facts.imports.map(i => `${i.tag} (${i.why})`).join(', ')}`
  const pr = facts.pullRequest
  const exports = pr === undefined && facts.use === 'push'
  const none =
    pr === undefined
      ? 'push: false exports no cache'
      : `pull request #${pr} exports no cache`
  return {
    cacheFrom: refs.map(ref => `type=registry,ref=${ref}`),
    cacheTo: exports ? ['type=inline'] : [],
    // the classic driver takes no cache lines, so this is buildx's docker driver on that store
    pulls: keepsClassicImages(facts.builder) ? refs : [],
    lines: [
      exports
        ? `${why}: the inline cache, exported with the image; ${sources}`
        : `${why}: ${sources}; ${none}`
    ]
  }
}
