/**
 * Which builder a run builds on (the one detected, or the run's own), and the environment buildx
 * runs with on it.
 */
import { callUnsupported } from '../argv/call.js'
import { InputError } from '../errors/input-error.js'
import { evaluatesOnly } from '../settings/build-options.js'
import { isAttestType, type BuildSettings } from '../settings/build-settings.js'
import type { Settings } from '../settings/settings.js'
import { userConfigDir } from '../docker/config.js'
import type { DockerRunner } from '../docker/runner.js'
import {
  CLASSIC,
  containerBuilderFor,
  describeBuilder,
  keepsClassicImages,
  remoteBuilderFor,
  type Builder
} from '../plan/builder.js'
import { unexportableCache, warmerOnOwnBuilder } from '../plan/cache.js'
import { runnerCache, type RunnerCache } from '../plan/runner-cache.js'
import { foreignPlatforms } from '../plan/emulation.js'
import { NATIVE_ARCH } from '../docker/kernel.js'
import { RELAY_HOST } from './relay-server.js'
import {
  buildsAsAsked,
  cacheUse,
  needsBuilder,
  needsImageStore
} from '../plan/pipeline.js'
import { detectBuilder } from './builder-detection.js'
import { earlyBuildxVersion } from './early-version.js'
import {
  ownBuilderName,
  ownBuildxConfig,
  tlsFilePaths,
  userBuildkitdConfig
} from './own-builder.js'

/** Where the choice is told: the run's log. */
interface ChoiceLog {
  info(message: string): void
  notice(message: string): void
  debug?: (message: string) => void
}

/**
 * buildx runs git several times a build only for provenance: where none is made, skipped (unless
 * the user set its variables).
 */
export function buildxGitEnv(
  build: Pick<BuildSettings, 'provenance' | 'attests'>,
  builder: Builder,
  env: NodeJS.ProcessEnv
): Record<string, string> {
  if ('BUILDX_GIT_INFO' in env || 'BUILDX_GIT_LABELS' in env) return {}
  const asked =
    build.provenance !== undefined ||
    build.attests.some(line => isAttestType(line, 'provenance'))
  const provenance =
    build.provenance !== 'false' && (asked || !keepsClassicImages(builder))
  return provenance ? {} : { BUILDX_GIT_INFO: 'false' }
}

/** The variables buildx runs with on a run's builder (`runDir` holds the run's own). */
export function buildxEnv(
  build: Pick<BuildSettings, 'provenance' | 'attests'>,
  builder: Builder,
  env: NodeJS.ProcessEnv,
  runDir: string
): Record<string, string> {
  return {
    ...buildxGitEnv(build, builder, env),
    // buildx >= 0.15 puts check warnings in its metadata; the user's setting wins
    ...(!('BUILDX_METADATA_WARNINGS' in env) && {
      BUILDX_METADATA_WARNINGS: 'true'
    }),
    ...(builder.own !== undefined && { BUILDX_CONFIG: ownBuildxConfig(runDir) })
  }
}

/** `docker buildx version`'s output: the one asked as the step started, else asked now. */
const buildxVersion = async (docker: DockerRunner): Promise<string> =>
  (await earlyBuildxVersion(docker.buildxPlugin)) ??
  (await docker.run(['buildx', 'version'], { quiet: true })).stdout.trim()

/**
 * A `call` other than build needs buildx >= 0.15.0: an older or missing one fails before any
 * change.
 */
async function requireCallSupport(
  call: string,
  builder: Builder,
  docker: DockerRunner,
  log: ChoiceLog
): Promise<void> {
  if (!evaluatesOnly(call)) return
  const version =
    builder.driver === 'classic' ? null : await buildxVersion(docker)
  log.debug?.(`buildx version: ${version ?? 'not installed'}`)
  const why = callUnsupported(call, version)
  if (why !== undefined) throw new InputError('call', call, why)
}

/**
 * The builder detected, or the run's own if it needs one: `remote` for endpoint, or
 * docker-container.
 */
async function chooseBuilder(
  settings: Settings,
  docker: DockerRunner,
  runDir: string | undefined,
  env: NodeJS.ProcessEnv
): Promise<Builder> {
  const name = ownBuilderName(runDir)
  const { remote } = settings.build
  if (remote !== undefined) {
    const own = remoteBuilderFor(remote.endpoint, tlsFilePaths(runDir, remote))
    return { name, driver: 'remote', own }
  }
  const configDir = userConfigDir(env)
  const runner = runnerCache(env)
  // buildx's version, where needed, is asked beside the builder's detection: two processes at once
  const version = buildxVersionFor(runner, docker)
  const found = await detectBuilder(
    docker,
    settings.build.builder,
    needsImageStore(settings) || runner.service,
    { configDir, env }
  )
  if (found.driver === 'classic') return CLASSIC
  const buildx = await version
  const detected = buildx === undefined ? found : { ...found, buildx }
  const own = containerBuilderFor(
    settings.build,
    detected,
    [
      ...settings.images.map(image => image.registry),
      ...(runner.service ? [RELAY_HOST] : [])
    ],
    userBuildkitdConfig(env, configDir),
    {
      unexported: unexportableCache(settings.build, detected),
      warmer: warmerOnOwnBuilder(
        settings.build,
        detected,
        runner,
        cacheUse(settings)
      )
    }
  )
  return own === undefined
    ? detected
    : { name, driver: own.driver, own, buildx: detected.buildx }
}

/**
 * buildx's version, read where the runner offers GitHub's cache service v2 (an older buildx
 * drops type=gha silently); unread when the question does not arise.
 */
const buildxVersionFor = (
  runner: RunnerCache,
  docker: DockerRunner
): Promise<string | undefined> =>
  runner.v2
    ? buildxVersion(docker).catch(() => undefined)
    : Promise.resolve(undefined)

/** The builder that will run, logged; `runDir` names the run's own (none in a dry run). */
export async function builderFor(
  settings: Settings,
  docker: DockerRunner,
  log: ChoiceLog,
  env: NodeJS.ProcessEnv,
  runDir?: string
): Promise<Builder> {
  if (!needsBuilder(settings)) return CLASSIC
  if (buildsAsAsked(settings))
    log.notice(
      'outputs or call is set: the build goes where they say, so no tag is pushed or checked by ' +
        'this action'
    )
  const chosen = await chooseBuilder(settings, docker, runDir, env)
  await requireCallSupport(settings.build.call, chosen, docker, log)
  log.info(`Builder: ${describeBuilder(chosen)}`)
  const emulate = foreignPlatforms(settings.build, chosen.driver, NATIVE_ARCH)
  const builder = emulate.length === 0 ? chosen : { ...chosen, emulate }
  log.debug?.(`builder: ${JSON.stringify(builder)}`)
  if (builder.driver === 'classic')
    log.notice(
      'docker buildx is not available: building with the classic `docker build` and pushing ' +
        'with `docker push`'
    )
  return builder
}
