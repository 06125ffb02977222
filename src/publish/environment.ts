/**
 * A run's surroundings: log, private folder, docker config, builder, docker runner, registry
 * client.
 */
import { join } from 'node:path'
import { isAttestType } from '../argv/attest.js'
import { callUnsupported, needsCallFlag } from '../argv/call.js'
import { InputError } from '../errors/input-error.js'
import type { BuildSettings } from '../settings/build-settings.js'
import type { Settings } from '../settings/settings.js'
import { detectBuilder } from '../buildx/builder-detection.js'
import { foreignPlatforms } from '../plan/emulation.js'
import {
  createRunConfig,
  credentialsLookup,
  readDockerConfig,
  userConfigDir
} from '../docker/config.js'
import { engineSocket } from '../docker/engine-info.js'
import { findBuildxPlugin } from '../buildx/cli-plugins.js'
import { annotationFile, type Surroundings } from '../docker/local-inputs.js'
import type { RetryPolicy } from '../docker/retrying.js'
import { createDockerRunner, type DockerRunner } from '../docker/runner.js'
import { writeSecretFiles } from '../docker/secret-files.js'
import type { Publication } from '../plan/publication.js'
import {
  CLASSIC,
  containerBuilderFor,
  describeBuilder,
  keepsClassicImages,
  remoteBuilderFor,
  type Builder
} from '../plan/builder.js'
import {
  ownBuilderName,
  ownBuildxConfig,
  probeBuildkitTls,
  tlsFilePaths,
  userBuildkitdConfig,
  writeTlsFiles
} from '../buildx/own-builder.js'
import type { BuildFiles } from '../plan/build-steps.js'
import {
  buildsAsAsked,
  needsBuilder,
  needsImageStore,
  pipelineFor
} from '../plan/pipeline.js'
import type { Pipeline } from '../plan/steps.js'
import type { LegRun } from '../plan/leg-handover.js'
import type { Login } from '../settings/logins.js'
import {
  createRegistryClient,
  type RegistryClient
} from '../registry/client.js'
import { emptyResult, type PublishResult, type RunValues } from './outcome.js'
import { readCacheFacts } from './cache-sources.js'
import { readHeldLayers, type HeldLayers } from '../layout/held-layers.js'
import { unexportableCache, type CacheImport } from '../plan/cache.js'
import type { Log } from './log.js'

export interface PublishEnv {
  docker: DockerRunner
  registry: RegistryClient
  log: Log
  retry: RetryPolicy
  /**
   * registry-timeout in ms: bounds registry requests, and a push's silence before the registry is
   * asked.
   */
  registryTimeoutMs: number
  /** A folder of ours for this run's files; removed when the run ends. */
  tempDir: string
  /** The run's own docker config folder (inside tempDir): the logins go in its config.json. */
  dockerConfig: string
  /** The inputs' credentials, one per registry they log in to (passwords sent on stdin only). */
  logins: Login[]
  /** Registries whose login was skipped for an empty password. */
  emptyPasswords?: string[]
  /** The run's result, filled as tags land, so a failure can still say what was pushed. */
  result: PublishResult
  /** The Dockerfile as the workspace names it, for build check annotations. */
  dockerfile?: string
  /** The engine's unix socket, where docker talks to a local one (the save asks it). */
  engineSocket?: string
  /** The remote BuildKit's address (endpoint input), for the builder's errors. */
  endpoint?: string
  /** The run's environment variables, as the adapter read them. */
  vars?: NodeJS.ProcessEnv
  /** digest and merge on a runner with an artifact service: the run the legs belong to. */
  legs?: LegRun
  /**
   * A classic-store save: the layers the cache's image holds gzipped, read while the build runs.
   */
  heldLayers?: Promise<HeldLayers>
}

/** A registry client with the run's credentials and retries (`bound` narrows them). */
export function createRegistry(
  settings: Settings,
  { mask, debug }: Pick<Log, 'mask' | 'debug'>,
  env: NodeJS.ProcessEnv,
  bound: { retries?: number; requestTimeoutMs?: number } = {}
): RegistryClient {
  return createRegistryClient({
    credentials: credentialsLookup(settings.logins, mask, env),
    retries: bound.retries ?? settings.retries,
    requestTimeoutMs: bound.requestTimeoutMs ?? settings.registryTimeout * 1000,
    debug
  })
}

/**
 * The cache read's own client (the run's meets each registry first at its login): one try, 5 s at
 * most, as a failure only skips imports (it only warms the build, so it never holds it up long).
 */
export function createCacheRegistry(
  settings: Settings,
  log: Pick<Log, 'mask' | 'debug'>,
  env: NodeJS.ProcessEnv
): RegistryClient {
  return createRegistry(settings, log, env, {
    retries: 0,
    requestTimeoutMs: Math.min(5000, settings.registryTimeout * 1000)
  })
}

/**
 * The layers the cache's image holds, read while the build runs, where every image goes to its
 * registry (a blob is mounted there, never fetched across).
 */
function heldCacheLayers(
  publication: Publication,
  imports: readonly CacheImport[],
  registry: RegistryClient
): Promise<HeldLayers> | undefined {
  const [image] = publication.images
  const oneRegistry = publication.images.every(
    other => other.registry === image?.registry
  )
  if (image === undefined || imports.length === 0 || !oneRegistry)
    return undefined
  const tags = imports.map(({ tag }) => tag)
  // unread, the layers are gzipped here as before
  return readHeldLayers(registry, image, tags).catch(() => new Map())
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

/** docker with the run's own config, buildx's plugin started directly where it is found. */
function runDocker(
  dockerConfig: string,
  base: NodeJS.ProcessEnv,
  env: Record<string, string> = {}
): DockerRunner {
  return createDockerRunner(
    'docker',
    { DOCKER_CONFIG: dockerConfig, ...env },
    findBuildxPlugin(dockerConfig, readDockerConfig(dockerConfig)),
    base
  )
}

/**
 * A `call` other than build needs buildx >= 0.15.0: an older or missing one fails before any
 * change.
 */
async function requireCallSupport(
  call: string,
  builder: Builder,
  docker: DockerRunner,
  log: Log
): Promise<void> {
  if (!needsCallFlag(call)) return
  const version =
    builder.driver === 'classic'
      ? null
      : (await docker.run(['buildx', 'version'], { quiet: true })).stdout.trim()
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
  const detected = await detectBuilder(
    docker,
    settings.build.builder,
    needsImageStore(settings),
    { configDir, env }
  )
  if (detected === undefined) return CLASSIC
  const own = containerBuilderFor(
    settings.build,
    detected,
    settings.images.map(image => image.registry),
    userBuildkitdConfig(env, configDir),
    unexportableCache(settings.build, detected)
  )
  return own === undefined ? detected : { name, driver: own.driver, own }
}

/** Node's name of this machine's CPU in Go's (buildx's) words. */
const NATIVE_ARCH =
  { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' }[process.arch as string] ??
  process.arch

/** The builder that will run, logged; `runDir` names the run's own (none in a dry run). */
export async function builderFor(
  settings: Settings,
  docker: DockerRunner,
  log: Log,
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

/**
 * One run as its phases see it: what it publishes, its steps, its surroundings and what it learns.
 */
export interface RunContext {
  settings: Settings
  publication: Publication
  pipeline: Pipeline
  env: PublishEnv
  values: RunValues
}

export async function startRun(
  settings: Settings,
  publication: Publication,
  log: Log,
  tempDir: string,
  surroundings: Surroundings
): Promise<{ pipeline: Pipeline; env: PublishEnv; builder: Builder }> {
  const { cwd, env: vars } = surroundings
  const userConfig = userConfigDir(vars)
  const dockerConfig = createRunConfig(
    userConfig,
    tempDir,
    settings.logins.map(l => l.registry)
  )
  const builder = await builderFor(
    settings,
    runDocker(dockerConfig, vars),
    log,
    vars,
    tempDir
  )
  if (settings.build.remote !== undefined) {
    // TLS material that does not fit fails here, naming its input
    await probeBuildkitTls(settings.build.remote)
    writeTlsFiles(tempDir, settings.build.remote)
  }
  const buildxConfig: Record<string, string> =
    builder.own === undefined ? {} : { BUILDX_CONFIG: ownBuildxConfig(tempDir) }
  const env: PublishEnv = {
    docker: runDocker(dockerConfig, vars, {
      ...buildxGitEnv(settings.build, builder, vars),
      // buildx >= 0.15 puts check warnings in its metadata; the user's setting wins
      ...(!('BUILDX_METADATA_WARNINGS' in vars) && {
        BUILDX_METADATA_WARNINGS: 'true'
      }),
      ...buildxConfig
    }),
    registry: createRegistry(settings, log, vars),
    log,
    retry: { retries: settings.retries },
    registryTimeoutMs: settings.registryTimeout * 1000,
    tempDir,
    dockerConfig,
    logins: settings.logins,
    emptyPasswords: settings.emptyLogins.map(l => l.registry),
    result: emptyResult(),
    dockerfile: annotationFile(
      settings.build,
      cwd,
      vars.GITHUB_WORKSPACE || cwd
    ),
    engineSocket: engineSocket(vars, readDockerConfig(dockerConfig)),
    vars,
    ...(settings.build.remote && { endpoint: settings.build.remote.endpoint }),
    ...(publication.legs && { legs: publication.legs })
  }
  // written last, just before the pipeline that deletes them after the build
  const files: BuildFiles = {
    metadata: join(tempDir, 'build-metadata.json'),
    iid: join(tempDir, 'iid'),
    layout: join(tempDir, 'layout'),
    secretSpecs: writeSecretFiles(settings.build.secrets, tempDir)
  }
  const input = { settings, publication, builder, files, userConfig }
  const registry = createCacheRegistry(settings, log, vars)
  const cache = await readCacheFacts(input, registry, log, vars)
  const pipeline = pipelineFor({ ...input, cache })
  if (pipeline.stage.some(step => step.step === 'save'))
    env.heldLayers = heldCacheLayers(publication, cache.imports, registry)
  return { pipeline, env, builder }
}
