/**
 * A build's cache as the run meets it: watched while it is read or written, dropped for good once
 * it held the build up, and what it did told in the log and the run's result.
 */
import {
  cacheFailures,
  cacheLines,
  cacheSources,
  cacheTrouble,
  cacheWatch,
  exportWatch,
  restartWatch,
  withoutCache
} from '../buildx/cache-watch.js'
import { cacheOutcome, cacheReport } from '../docker/buildx-progress.js'
import type { StallWatch } from '../docker/process.js'
import { pushWatch } from '../docker/push-watch.js'
import { errorMessage } from '../errors/input-error.js'
import { cacheServiceHosts } from '../plan/cache.js'
import { notRunLine, type CommandStep } from '../plan/steps.js'
import type { Image } from '../reference/images.js'
import type { RunValues } from './outcome.js'
import type { PublishEnv } from './run-context.js'

/**
 * What the build's cache did, from buildx's output, in the log and the run's result; the number of
 * its vertices that failed, each told.
 */
export function tellCache(
  step: CommandStep,
  stderr: string,
  env: PublishEnv
): number {
  const relayed = env.cacheRelay?.takeFault()
  const faults = [
    ...(relayed === undefined ? [] : [`GitHub's cache service: ${relayed}`]),
    ...(env.registryRelays?.takeFaults() ?? [])
  ]
  for (const fault of faults)
    env.log.warning(
      `Cache: ${fault}; this run's builds go on without the cache from there`
    )
  const quota = env.cacheRelay?.takeQuota()
  if (quota) env.log.warning(quota.warning)
  // the export a read-only cache refused is that warning's, not one more
  const refused = quota?.readOnly ? 'cache-gha-export' : undefined
  const failures = cacheFailures(stderr, refused)
  for (const failure of failures)
    env.log.warning(
      `Cache: ${named(failure, env)}; the build went on without it`
    )
  const platformed = (line: string) =>
    step.platform === undefined
      ? line
      : line.replace(/^Cache:/, `Cache (${step.platform}):`)
  const report = cacheReport(cacheOutcome(named(stderr, env)))
  if (report !== undefined) env.log.info(platformed(report))
  const lines = [report, quota?.summary].filter(line => line !== undefined)
  if (lines.length > 0)
    env.result.cache = [...(env.result.cache ?? []), ...lines.map(platformed)]
  return failures.length
}

/** `text` with the run's registry relays named as the registries they relay. */
const named = (text: string, env: PublishEnv): string =>
  env.registryRelays?.named(text) ?? text

/** The hosts BuildKit reaches its cache on: the cache service's own, and the relays'. */
const cacheHosts = (env: PublishEnv): string[] => [
  ...cacheServiceHosts(env.vars),
  ...(env.cacheRelay ? [new URL(env.cacheRelay.url).host] : []),
  ...(env.registryRelays?.hosts() ?? [])
]

/**
 * A build's cache lines as it runs: watched while it reads or writes the cache, and dropped for
 * good once the cache held it up (a cache fault costs a warning and a cold build, not the release).
 */
export function buildCache(step: CommandStep, argv: string[], env: PublishEnv) {
  let asRun = argv
  const bound = env.bounds.readMs
  const cached = () => step.step === 'build' && cacheLines(asRun).length > 0
  return {
    argv: () => asRun,
    /** The push watch, which bounds the cache's export too where the build has one. */
    watched: (push: StallWatch): StallWatch =>
      cached() ? exportWatch(push) : push,
    /** A layer download that hangs is watched in every build, a cache import where there is one. */
    stalls: (): StallWatch[] =>
      step.step === 'build' ? [cacheWatch(bound, cached())] : [],
    /** What failed the build, where its error names the cache. */
    failed: (error: unknown): string | undefined =>
      cached() ? cacheTrouble(error, cacheHosts(env)) : undefined,
    /**
     * The build again without its cache, for `trouble`: on the run's own builder made again where
     * the read that hung (the `watch` that stopped it says) may hold it; the watch it must start
     * under on `builder` where a read of the cache may still hold that BuildKit.
     */
    async drop(
      trouble: string,
      builder: string,
      watch?: StallWatch
    ): Promise<StallWatch | undefined> {
      // a hung export holds no BuildKit: the build runs again from the builder's own cache
      const exported = watch !== undefined && watch.holdsBuilder !== true
      const renewal = watch?.holdsBuilder === true && env.renewBuilder
      // made ready before it is told: a renewal that fails is the run's error
      if (renewal) await renewal.renew()
      const again = exported
        ? "without its cache lines (its steps from the builder's own cache)"
        : 'without its cache (the same image, built cold)'
      env.log.warning(
        `Cache: ${named(trouble, env)}; it runs again ${again}` +
          (renewal ? `, on ${renewal.told}` : '')
      )
      asRun = withoutCache(asRun)
      // only a read (a cache-from line) can hold the BuildKit the build runs again on
      return !exported && argv.includes('--cache-from')
        ? restartWatch(bound, builder, named(cacheSources(argv), env))
        : undefined
    }
  }
}

/**
 * A cache image pulled into the engine for the build, bounded as a push is (an image the engine
 * holds is used as it is); one that is not read in time is left out of the build, with a warning.
 */
export async function pullCacheImage(
  step: CommandStep,
  argv: string[],
  images: Image[],
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const ref = argv.at(-1) ?? ''
  const held = await env.docker
    .run(['image', 'inspect', '--format', '{{.Id}}', ref], { quiet: true })
    .then(
      () => true,
      () => false
    )
  if (held) return env.log.info(notRunLine(step, 'the engine holds it'))
  const watch = pushWatch(step, images, env)
  try {
    await env.docker.run(argv, { stalls: watch ? [watch] : [] })
    values.pulledCaches.add(ref)
  } catch (error) {
    values.unreadCaches.add(`type=registry,ref=${ref}`)
    const why = errorMessage(error).trim().split('\n').at(-1)
    env.log.warning(
      `Cache: ${ref} was not read (${why}); the build goes on without it`
    )
  }
}
