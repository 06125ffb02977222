/** The pipeline's docker steps, one at a time, and what each teaches the run. */
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { turnedOff } from '../context/metadata-env.js'
import { ignoresStatus } from '../argv/call.js'
import {
  checkAnnotations,
  checkReport,
  checkSummaryLine,
  parseBuildWarnings,
  parseCheckResult,
  placeText,
  type CheckResult
} from '../buildx/check-result.js'
import {
  builderFailure,
  diagnose,
  foreignPlatformFailure,
  lostBuilderFailure,
  isAuthRefusal
} from '../docker/diagnose.js'
import { parseBuildMetadata } from '../buildx/metadata.js'
import { builderNodes } from '../buildx/builder-detection.js'
import { missingArchitectures, nodePlatforms } from '../plan/emulation.js'
import { thisKernel } from '../docker/kernel.js'
import { retryDocker, THROTTLED } from '../docker/retrying.js'
import { exportReader } from '../docker/buildx-progress.js'
import {
  BUILDX_NOT_AVAILABLE,
  DockerCommandError,
  DockerStalledError,
  isBuildxMissing,
  outputTail,
  type CommandOutput,
  type RunOptions
} from '../docker/runner.js'
import { errorMessage, InputError } from '../errors/input-error.js'
import { sha256Digest } from '../reference/grammar.js'
import type { Image } from '../reference/images.js'
import { RegistryError } from '../registry/registry-error.js'
import { CLASSIC_STORE_ONE_PLATFORM } from '../plan/build-steps.js'
import { notRunLine, type CommandStep } from '../plan/steps.js'
import { pushWatch } from '../docker/push-watch.js'
import type { StallWatch } from '../docker/process.js'
import {
  resolveWatch,
  restartWatch,
  withoutCache
} from '../buildx/cache-watch.js'
import { builderWatch } from '../buildx/builder-watch.js'
import { buildCache, pullCacheImage, tellCache } from './build-cache.js'
import { saveImageLayout } from '../layout/saved-image.js'
import { loadLayout } from '../layout/image-load.js'
import { platformDigest } from '../plan/copy-steps.js'
import { engineRemove } from '../docker/engine-api.js'
import { loginFor } from '../docker/credentials.js'
import type { PublishEnv } from './run-context.js'
import type { RunValues } from './outcome.js'

const MULTI_PLATFORM_UNSUPPORTED =
  /Multi-platform build is not supported for the docker driver/i

/** The value after a flag in argv ('' without the flag). */
function flagValue(argv: string[], flag: string): string {
  const at = argv.indexOf(flag)
  return at >= 0 ? argv[at + 1] : ''
}

function failure(error: unknown, step: CommandStep, env: PublishEnv): unknown {
  if (isBuildxMissing(error)) return new Error(BUILDX_NOT_AVAILABLE)
  if (step.step === 'builder') return builderFailure(error, env.endpoint)
  // the first diagnosis that tells the error, in this order
  const diagnosed = [
    foreignPlatformFailure(error),
    step.step === 'build'
      ? lostBuilderFailure(error, {
          name: flagValue(step.argv, '--builder') || 'default',
          endpoint: env.endpoint,
          platform: step.platform
        })
      : error,
    diagnose(error, step.registries, {
      loggedIn: env.logins.map(login => login.registry),
      emptyPassword: env.emptyPasswords
    })
  ].find(told => told !== error)
  if (diagnosed !== undefined || !(error instanceof DockerCommandError))
    return diagnosed ?? error
  if (MULTI_PLATFORM_UNSUPPORTED.test(error.output))
    return new InputError(
      'platforms',
      flagValue(step.argv, '--platform'),
      CLASSIC_STORE_ONE_PLATFORM
    )
  if (step.step !== 'build') return error
  return new Error(`the build failed:\n${outputTail(error.output)}`, {
    cause: error
  })
}

/** Docker steps that write to a registry: retried on a transient fault. */
const RETRIED = new Set(['build', 'index'])

/** The docker runner's options for a step: its password on stdin, its log prefix. */
function stepOptions(step: CommandStep, env: PublishEnv) {
  const input =
    step.passwordFor === undefined
      ? undefined
      : loginFor(env.logins, step.passwordFor)?.password
  return {
    input,
    quiet: step.step === 'predict' || step.step === 'cleanup',
    // a platform's build runs beside the others (a builder of several nodes)
    prefix:
      step.step === 'build' && step.platform !== undefined
        ? `[${step.platform}] `
        : undefined
  }
}

/** What a step's runs carry from one to the next. */
interface StepRuns {
  cache: ReturnType<typeof buildCache>
  builder: string
  /**
   * The watch the run again must start under: a read that held up the run before may hold its
   * BuildKit, which then starts no build.
   */
  restart?: StallWatch
  /** A hung read of its own ran it again (it does once). */
  renewed?: boolean
}

/**
 * The one recovery loop's turn: what the run does once `error` ended the command, as the watch that
 * stopped it says (else the cache, where the error names it): true to run it again; a stop the
 * step's retry runs again is thrown as is, another as its watch's failure. A build stopped on a
 * hung read of its own runs again once, on a fresh BuildKit where the builder can be given one (the
 * run's own, made again; a user's docker-container, restarted), else on the same (a remote
 * BuildKit or dockerd's ends the resolve with the stopped build and starts the next).
 */
async function recover(
  error: unknown,
  runs: StepRuns,
  env: PublishEnv
): Promise<boolean> {
  const { cache, builder } = runs
  if (!(error instanceof DockerStalledError) || error.watch === undefined) {
    const trouble = cache.failed(error)
    if (trouble === undefined) return false
    const restart = await cache.drop(trouble, builder)
    runs.restart ??= restart
    return true
  }
  const { watch } = error
  const told = watch.told?.(error) ?? (watch.failure?.(error) ?? error).message
  switch (watch.recovery?.(error)) {
    case 'drop the cache': {
      // a run again after a hung read of its own keeps that read's restart watch
      const restart = await cache.drop(told, builder, watch)
      runs.restart ??= restart
      return true
    }
    case 'renew and run again': {
      if (runs.renewed === true) break
      runs.renewed = true
      await env.renewBuilder?.renew()
      const on = env.renewBuilder ? ` on ${env.renewBuilder.told}` : ''
      env.log.warning(`${told}; the build runs again${on}`)
      runs.restart = restartWatch(env.bounds.readMs, builder)
      return true
    }
    case 'run again':
      // each stop is told, also one the step's retry mends
      env.log.info(`stopped: ${told}`)
      return false
  }
  throw watch.failure?.(error) ?? error
}

/** A build whose image went on at its export: its digest, and buildx run on (the cache export). */
interface HandedOn {
  root: string
  /** Resolves once buildx ended and what it said was told; false where it failed. */
  rest: Promise<boolean>
}

/**
 * buildx's failure once its image went on, told: the cache's vertex that failed, else what the
 * watch that stopped it, the cache or the failure says. The image stays as exported: a cache that
 * fails never costs the release.
 */
function tellAfterExport(
  error: unknown,
  cache: ReturnType<typeof buildCache>,
  step: CommandStep,
  env: PublishEnv
): void {
  const stopped = error instanceof DockerStalledError ? error : undefined
  const output =
    error instanceof DockerCommandError ? error.output : (stopped?.output ?? '')
  if (tellCache(step, output, env) > 0) return
  const told =
    stopped?.watch?.told?.(stopped) ??
    cache.failed(error) ??
    errorMessage(failure(error, step, env))
  env.log.warning(
    `Cache: ${told}; BuildKit had exported the image before it, so the image goes on as built ` +
      '(the cache as far as it was written)'
  )
}

/** A build's command running on after its image's export: the digest told there. */
interface Exported {
  root: string
  running: Promise<CommandOutput>
}

/**
 * The command's run; a build beside its cache export's ends its part once its image is exported
 * (the push beside the cache export), buildx running on.
 */
async function untilExported(
  step: CommandStep,
  env: PublishEnv,
  argv: string[],
  options: RunOptions
): Promise<CommandOutput | Exported> {
  const exports = step.besideCacheExport ? exportReader() : undefined
  const running = env.docker.run(argv, {
    ...options,
    onProgress: exports?.read
  })
  const exported = exports?.root.then(root => ({ root, running }))
  return exported ? Promise.race([running, exported]) : running
}

/** buildx's end after its image went on: what it told read, its failure a warning. */
const handedOn = (
  { root, running }: Exported,
  cache: ReturnType<typeof buildCache>,
  step: CommandStep,
  env: PublishEnv
): HandedOn => ({
  root,
  rest: running.then(
    output => (tellCache(step, output.stderr, env), true),
    (error: unknown) => (tellAfterExport(error, cache, step, env), false)
  )
})

async function run(
  step: CommandStep,
  asked: string[],
  images: Image[],
  env: PublishEnv
): Promise<string | HandedOn> {
  // a build's registry cache lines read through the run's relays, where it has them
  const argv =
    step.step === 'build' && env.registryRelays
      ? await env.registryRelays.relayed(asked)
      : asked
  const options = stepOptions(step, env)
  const cache = buildCache(step, argv, env)
  const { endpoint, bounds } = env
  const runs: StepRuns = {
    cache,
    builder: flagValue(argv, '--builder') || 'default'
  }
  // the runs of the command, a build run again without its cache or after a hung read included
  let ran = 0
  const push = pushWatch(step, images, env, () => ran)
  // a buildx build's builder is asked when silent, its base images' resolve bounded (the classic
  // `docker build` has no builder to ask)
  const buildx = step.step === 'build' && argv[0] === 'buildx'
  const stalls = () =>
    [
      push && cache.watched(push),
      buildx &&
        builderWatch(env.docker, { name: runs.builder, endpoint, bounds }),
      buildx && resolveWatch(bounds.readMs),
      ...cache.stalls(),
      runs.restart
    ].filter(watch => typeof watch === 'object') // those this run has
  const once = async (): Promise<CommandOutput | Exported> => {
    try {
      // a retried export starts empty: buildx replaces index.json, not a failed attempt's blobs
      // (the first finds the held layers' seeds there)
      if (step.layout !== undefined && step.step === 'build' && ran > 0)
        await rm(step.layout, { recursive: true, force: true })
      ran += 1
      return await untilExported(step, env, cache.argv(), {
        ...options,
        stalls: stalls()
      })
    } catch (error) {
      if (await recover(error, runs, env)) return once()
      throw error
    }
  }
  try {
    const ran = await retriedWhereSafe(step, argv, once, env)
    if ('running' in ran) return handedOn(ran, cache, step, env)
    if (step.step === 'build') tellCache(step, ran.stderr, env)
    return ran.stdout
  } catch (error) {
    const stopped = error instanceof DockerStalledError ? error : undefined
    throw stopped?.watch?.failure?.(stopped) ?? failure(error, step, env)
  }
}

/**
 * The step's command, run again where that is safe (a build, an index, a builder's bootstrap, and
 * keep-login after a refusal that was a passing fault), else once.
 */
function retriedWhereSafe<T>(
  step: CommandStep,
  argv: string[],
  once: () => Promise<T>,
  env: PublishEnv
): Promise<T> {
  // the own builder's create --bootstrap pulls the BuildKit image: tried again when the registry
  // throttles it (an endpoint that refuses connections is not, it fails at once naming the builder)
  const bootstraps = step.step === 'builder'
  const retried = () =>
    retryDocker(
      once,
      env.retry,
      `${step.step} ${argv.join(' ')}`,
      bootstraps ? THROTTLED : undefined
    )
  if (step.step === 'keep-login') return loginRetried(step, retried, env)
  return RETRIED.has(step.step) || bootstraps ? retried() : once()
}

/**
 * dockerd reports a 5xx or 429 on its login ping as 401: a refused login is tried again while our
 * client finds the credentials good.
 */
async function loginRetried<T>(
  step: CommandStep,
  login: () => Promise<T>,
  env: PublishEnv
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await login()
    } catch (error) {
      if (!isAuthRefusal(error) || attempt >= env.retry.retries) throw error
      // the registry's own answer to the credentials (its passing faults retried)
      const refused = await env.registry
        .checkCredentials(step.registries[0])
        .then(
          () => false,
          (checked: unknown) => {
            if (checked instanceof RegistryError && checked.status === 401)
              return true
            throw checked
          }
        )
      if (refused) throw error
      env.log.info(
        `${step.registries[0]} accepts these credentials: docker login's refusal was a passing ` +
          `fault, so it is tried again`
      )
    }
  }
}

/** What an ended build tells: its metadata, and its check warnings (buildx >= 0.15). */
function learnFromBuild(
  step: CommandStep,
  argv: string[],
  pushed: Image[],
  values: RunValues,
  env: PublishEnv
): void {
  const metadataFile = flagValue(argv, '--metadata-file')
  if (metadataFile !== '') {
    values.build = parseBuildMetadata(readFileSync(metadataFile, 'utf8'))
    for (const image of pushed)
      values.setDigest(image.name, values.build.digest)
  }
  const { platform } = step
  if (platform !== undefined) {
    for (const image of pushed)
      values.setStaged(
        image.name,
        platformDigest(platform),
        values.build.digest
      )
    // the node buildx's build ref names ("builder/node/ref")
    const ref = values.build.raw['buildx.build.ref']
    const node = typeof ref === 'string' ? (ref.split('/')[1] ?? '') : ''
    env.result.nodes = [...(env.result.nodes ?? []), { platform, node }]
    env.log.info(`${platform}: built on node ${node}, ${values.build.digest}`)
  }
  const iidFile = flagValue(argv, '--iidfile')
  if (iidFile !== '') {
    const imageId = readFileSync(iidFile, 'utf8').trim()
    values.build = {
      digest: '',
      imageId,
      raw: { 'containerimage.config.digest': imageId }
    }
  }
  // buildx >= 0.15 writes the build's own check warnings into its metadata
  const checks = parseBuildWarnings(values.build.raw)
  if (checks.warnings.length > 0) reportChecks(checks, env, 'Build checks')
}

/**
 * save: the built image out of the local store as a layout with gzipped layers; load: a layout's
 * bytes into the local store, under the tags.
 */
async function runLayout(
  step: CommandStep,
  argv: string[],
  layout: string,
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const { docker, engineSocket } = env
  if (step.step !== 'save')
    return loadLayout(docker, layout, step.names ?? [], argv[2], engineSocket)
  const held = await values.heldLayers
  const borrowed = await saveImageLayout(docker, argv[1], layout, {
    engineSocket,
    held
  })
  values.borrowed = Promise.resolve(borrowed)
  const n = borrowed.size
  if (n > 0)
    env.log.info(
      `save: ${n === 1 ? '1 layer' : `${n} layers`} taken as the registry holds ` +
        `${n === 1 ? 'it' : 'them'} gzipped (the cache's image), not compressed again`
    )
}

/**
 * Check results in the log, as annotations (unless DOCKER_BUILD_CHECKS_ANNOTATIONS=false) and
 * summary.
 */
function reportChecks(
  result: CheckResult,
  env: PublishEnv,
  label?: string
): void {
  const dockerfile = env.dockerfile
  env.log.info(checkReport(result, dockerfile))
  if (!turnedOff('DOCKER_BUILD_CHECKS_ANNOTATIONS', env.vars))
    for (const { message, annotation } of checkAnnotations(result, dockerfile))
      env.log.warning(message, annotation)
  env.result.check = checkSummaryLine(result, dockerfile, label)
}

/** Runs the check step and reports it; throws when the check failed. */
async function runCheck(
  step: CommandStep,
  argv: string[],
  env: PublishEnv
): Promise<void> {
  const call = flagValue(argv, '--call')
  // quiet: the answer is JSON with the Dockerfile in base64; it is reported below
  const { stdout } = await env.docker
    .run(argv, { quiet: true })
    .catch((error: unknown) => {
      // buildx >= 0.15.1 exits 1 when the check finds something: the answer is on stdout
      if (
        error instanceof DockerCommandError &&
        parseCheckResult(error.stdout) !== undefined
      )
        return error
      throw failure(error, step, env)
    })
  const result = parseCheckResult(stdout)
  if (result === undefined)
    throw new Error(
      `docker ${step.argv.slice(0, 3).join(' ')} answered no build check ` +
        `result:\n${outputTail(stdout)}`
    )
  reportChecks(result, env)
  if (result.error !== undefined) {
    const at = placeText(result.error, env.dockerfile)
    throw new Error(
      `call: the build check stopped on an error${at ? ` at ${at}` : ''}: ${result.error.message}`
    )
  }
  const n = result.warnings.length
  if (n > 0 && !ignoresStatus(call))
    throw new Error(
      `call: the build check found ${n === 1 ? '1 violation' : `${n} violations`} (annotated ` +
        `above); fix them, or add ignorestatus=true to report them without failing`
    )
}

/**
 * QEMU for the platforms the builder does not run: those its `buildx inspect` lists once started,
 * less those this machine's kernel cannot run now where the builder runs on it (dockerd's BuildKit
 * keeps listing a platform after its handler is gone).
 */
async function runEmulation(
  step: CommandStep,
  argv: string[],
  { builder, platforms }: NonNullable<CommandStep['emulates']>,
  env: PublishEnv
): Promise<void> {
  const nodes = await builderNodes(env.docker, builder).catch(error => {
    throw diagnose(error)
  })
  const kernel = thisKernel(env.engineSocket !== undefined)
  const runs = nodes.flatMap(node => nodePlatforms(node, kernel))
  const missing = missingArchitectures(platforms, runs)
  if (missing.length === 0)
    return env.log.info(
      notRunLine(
        step,
        `none installed: ${builder} already runs ${platforms.join(', ')}`
      )
    )
  const stale = nodes
    .flatMap(node => node.platforms)
    .filter(platform => !runs.includes(platform))
  const unrun =
    stale.length === 0
      ? ''
      : ` (it lists ${stale.join(', ')} too, which this machine's kernel has no binfmt_misc ` +
        'handler for now)'
  env.log.info(
    `Emulation: ${builder} runs ${runs.join(', ')}${unrun}; QEMU for ${missing.join(', ')} is ` +
      'installed as docker/setup-qemu-action does (binfmt_misc handlers: kernel-wide, kept ' +
      'after the job; qemu: false turns this off)'
  )
  await run(step, [...argv.slice(0, -1), missing.join(',')], [], env)
}

/** Runs a docker step; `images` are the images a pushing build publishes. */
export async function runCommand(
  step: CommandStep,
  images: Image[],
  values: RunValues,
  env: PublishEnv
): Promise<void> {
  const resolved = step.argv.map(arg => values.resolve(arg, step.image))
  const argv = withoutCache(resolved, line => values.unreadCaches.has(line))
  if (step.step === 'cache')
    return pullCacheImage(step, argv, images, values, env)
  if (step.step === 'check') return runCheck(step, argv, env)
  if (step.emulates !== undefined)
    return runEmulation(step, argv, step.emulates, env)
  const started = performance.now()
  const timed = () => {
    // builds side by side count once: the time since the later of its start and the last build's
    // end
    const now = performance.now()
    const from = Math.max(started, values.buildEndedAt)
    env.result.buildMs =
      (env.result.buildMs ?? 0) + Math.max(0, Math.round(now - from))
    values.buildEndedAt = Math.max(now, values.buildEndedAt)
  }
  const { layout } = step
  if (step.step === 'save' || (step.step === 'load' && layout !== undefined)) {
    if (layout === undefined) throw new Error('save: no layout folder')
    return runLayout(step, argv, layout, values, env).then(timed)
  }
  if (step.step === 'cleanup') {
    // a removal over the engine's socket where it answers, not a docker process
    const removed =
      env.engineSocket !== undefined &&
      (await engineRemove(env.engineSocket, argv))
    if (!removed) await run(step, argv, images, env)
    return
  }
  const ran = await run(step, argv, images, env)
  const { image } = step
  if (step.step === 'build') {
    timed()
    const pushed = step.registries.length > 0 ? images : []
    if (typeof ran !== 'string')
      return handOn(step, argv, pushed, ran, values, env)
    learnFromBuild(step, argv, pushed, values, env)
  } else if (step.step === 'predict' && image && typeof ran === 'string')
    values.setDigest(image.name, sha256Digest(ran.replace(/\n$/, '')))
}

/**
 * The push beside the cache export: the image's digest, as BuildKit told it at its export, is the
 * run's, and the steps after the build go on; what buildx tells once it ends is learnt then
 * (`values.buildEnd`), and its failure then is a warning.
 */
function handOn(
  step: CommandStep,
  argv: string[],
  pushed: Image[],
  { root, rest }: HandedOn,
  values: RunValues,
  env: PublishEnv
): void {
  values.exported = root
  values.build = { digest: root, imageId: '', raw: {} }
  for (const image of pushed) values.setDigest(image.name, root)
  env.log.info(
    `build: the image is exported (${root}); it goes on while buildx exports the cache`
  )
  values.buildEnd = rest
    .then(ended => {
      if (ended) learnFromBuild(step, argv, pushed, values, env)
    })
    .catch((error: unknown) => env.log.warning(errorMessage(error)))
}
