/**
 * What a run starts from: its docker config, builder, docker runner and registry client, and the
 * pipeline it follows, assembled as a dry run's is (pipeline-assembly.ts). Only a real run loads
 * this module.
 */
import { join } from 'node:path'
import type { Settings } from '../settings/settings.js'
import { builderFor, buildxEnv } from '../buildx/builder-choice.js'
import { findBuildxPlugin } from '../buildx/cli-plugins.js'
import { probeBuildkitTls } from '../buildx/buildkit-tls-probe.js'
import { renewOwnBuilder, writeTlsFiles } from '../buildx/own-builder.js'
import {
  createRunConfig,
  readDockerConfig,
  userConfigDir
} from '../docker/config.js'
import { engineSocket } from '../docker/engine-info.js'
import { annotationFile, type Surroundings } from '../docker/local-inputs.js'
import { createDockerRunner, type DockerRunner } from '../docker/runner.js'
import { writeSecretFiles } from '../docker/secret-files.js'
import { createCacheRegistry, createRegistry } from './registry-clients.js'
import type { Builder } from '../plan/builder.js'
import type { BuildFiles } from '../plan/build-steps.js'
import type { Publication } from '../plan/publication.js'
import type { Pipeline } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import { assemblePipeline } from './pipeline-assembly.js'
import {
  readsServiceFromEnv,
  startCacheRelay,
  type CacheRelay
} from '../buildx/cache-relay.js'
import { relayHostFor, sharesLoopback } from '../buildx/relay-host.js'
import { registryRelays } from '../buildx/registry-relay.js'
import { isUserContainerNode, restartNode } from '../buildx/node-container.js'
import { runnerCache } from '../plan/runner-cache.js'
import type { Log } from './log.js'
import { emptyResult } from './outcome.js'
import type { PublishEnv } from './run-context.js'
import { runBounds } from '../settings/bounds.js'

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

/** The build's files in the run's folder; the secrets written last, just before the pipeline. */
function buildFiles(settings: Settings, tempDir: string): BuildFiles {
  return {
    metadata: join(tempDir, 'build-metadata.json'),
    iid: join(tempDir, 'iid'),
    layout: join(tempDir, 'layout'),
    // the pipeline deletes them after the build
    secretSpecs: writeSecretFiles(settings.build.secrets, tempDir)
  }
}

/**
 * GitHub's cache service relayed with a deadline for the pipeline's builds whose cache lines read
 * its URL from buildx's environment, where BuildKit reaches this machine (buildx/relay-host.ts)
 * through an engine on a local socket (not rootless). A proxy in the environment, a remote engine,
 * or a job container (whose loopback is not dockerd's) keep the service's own URL.
 */
async function relayFor(
  pipeline: Pipeline,
  settings: Settings,
  builder: Builder,
  docker: DockerRunner,
  {
    vars,
    socket,
    spoolIn
  }: {
    vars: NodeJS.ProcessEnv
    socket: string | undefined
    spoolIn: string | undefined
  }
): Promise<CacheRelay | undefined> {
  const upstream = vars[serviceVariable(vars)]
  if (!relaysReachBuildkit(vars, socket) || !upstream) return undefined
  if (!readsServiceFromEnv(pipeline)) return undefined
  const host = await relayHostFor(docker, builder, socket)
  if (host === undefined) return undefined
  // one that cannot start leaves buildx the service's own URL, as where no host is known
  return startCacheRelay(
    upstream,
    runBounds(settings).registryMs,
    host,
    spoolIn
  ).catch(() => undefined)
}

/**
 * Whether a relay of ours can stand between BuildKit and a service: an engine on a local socket
 * (not rootless), and no proxy in the environment (which BuildKit would take and we would not).
 */
function relaysReachBuildkit(
  vars: NodeJS.ProcessEnv,
  socket: string | undefined
): boolean {
  const localEngine = socket !== undefined && !socket.startsWith('/run/user/')
  return localEngine && !PROXY_VARIABLES.some(name => Boolean(vars[name]))
}

/**
 * The registry relays of dockerd's BuildKit on the containerd store, where loopback is dockerd's
 * (buildx/registry-relay.ts): a read is ended by registry-timeout's silence; the client's own
 * bound, ten of them for the answer's headers, is only a backstop.
 */
function registryRelaysFor(
  settings: Settings,
  builder: Builder,
  docker: DockerRunner,
  { log, engineSocket: socket }: Pick<PublishEnv, 'log' | 'engineSocket'>,
  vars: NodeJS.ProcessEnv
): PublishEnv['registryRelays'] {
  if (builder.driver !== 'docker' || builder.store !== 'containerd')
    return undefined
  if (!relaysReachBuildkit(vars, socket)) return undefined
  const { registryMs, relayClientMs } = runBounds(settings)
  const client = createRegistry(settings, log, vars, {
    retries: 0,
    requestTimeoutMs: relayClientMs
  })
  let shared: Promise<boolean> | undefined
  const reachable = () =>
    (shared ??= sharesLoopback(docker, socket).catch(() => false))
  return registryRelays(client, registryMs, reachable)
}

/** The variables that send a client through a proxy (node's http ignores them). */
const PROXY_VARIABLES = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'ALL_PROXY',
  'all_proxy'
]

/** buildx's variable that names GitHub's cache service (a relay's URL takes its place). */
const serviceVariable = (vars: NodeJS.ProcessEnv) =>
  runnerCache(vars).v2 ? 'ACTIONS_RESULTS_URL' : 'ACTIONS_CACHE_URL'

/** A fresh BuildKit for a builder a hung read holds: the run's own remade, a user's restarted. */
function renewal(
  docker: DockerRunner,
  builder: Builder
): PublishEnv['renewBuilder'] {
  const { name, own } = builder
  if (own?.driver === 'docker-container')
    return {
      renew: () => renewOwnBuilder(docker, name, own),
      told: "the run's own builder, made again"
    }
  if (!isUserContainerNode(builder)) return undefined
  return {
    renew: () => restartNode(docker, name),
    told: `the builder ${name}, its BuildKit restarted`
  }
}

/** The run's surroundings on its builder: its docker runner, registry client and files. */
function publishEnv(
  settings: Settings,
  publication: Publication,
  builder: Builder,
  place: Pick<
    PublishEnv,
    | 'log'
    | 'tempDir'
    | 'dockerConfig'
    | 'cacheRelay'
    | 'engineSocket'
    | 'cacheRegistry'
  >,
  { cwd, env: vars, clock }: Surroundings & { clock: () => Date }
): PublishEnv {
  const { log, tempDir, dockerConfig, cacheRelay } = place
  const buildx = {
    ...buildxEnv(settings.build, builder, vars, tempDir),
    ...(cacheRelay && { [serviceVariable(vars)]: cacheRelay.url })
  }
  const docker = runDocker(dockerConfig, vars, buildx)
  return {
    ...place,
    docker,
    renewBuilder: renewal(docker, builder),
    registry: createRegistry(settings, log, vars),
    retry: { retries: settings.retries },
    bounds: runBounds(settings),
    logins: settings.logins,
    emptyPasswords: settings.emptyLogins.map(l => l.registry),
    result: emptyResult(),
    dockerfile: annotationFile(
      settings.build,
      cwd,
      vars.GITHUB_WORKSPACE || cwd
    ),
    vars,
    clock,
    registryRelays: registryRelaysFor(settings, builder, docker, place, vars),
    endpoint: settings.build.remote?.endpoint,
    legs: publication.legs
  }
}

/**
 * The run's docker config, builder, pipeline and surroundings, in its folder `tempDir`; the run
 * closes the relays they hold at its end.
 */
export async function startRun(
  settings: Settings,
  publication: Publication,
  log: Log,
  tempDir: string,
  surroundings: Surroundings & {
    clock: () => Date
    /** Where new cache entries are spooled, where a post step writes what the run leaves. */
    spoolIn?: string
  }
): Promise<{ pipeline: Pipeline; env: PublishEnv; builder: Builder }> {
  const vars = surroundings.env
  const dockerConfig = createRunConfig(
    userConfigDir(vars),
    tempDir,
    settings.logins.map(l => l.registry)
  )
  const docker = runDocker(dockerConfig, vars)
  const builder = await builderFor(settings, docker, log, vars, tempDir)
  if (settings.build.remote !== undefined) {
    // TLS material that does not fit fails here, naming its input
    await probeBuildkitTls(settings.build.remote)
    writeTlsFiles(tempDir, settings.build.remote)
  }
  const socket = engineSocket(vars, readDockerConfig(dockerConfig))
  const cacheRegistry = createCacheRegistry(settings, log, vars)
  const pipeline = await runPipelineOf(settings, publication, builder, {
    log,
    vars,
    tempDir,
    cacheRegistry
  })
  // started once the pipeline, which may still fail, is made
  const cacheRelay = await relayFor(pipeline, settings, builder, docker, {
    vars,
    socket,
    spoolIn: surroundings.spoolIn
  })
  const place = {
    log,
    tempDir,
    dockerConfig,
    cacheRelay,
    engineSocket: socket,
    cacheRegistry
  }
  const env = publishEnv(settings, publication, builder, place, surroundings)
  return { pipeline, env, builder }
}

/** The run's pipeline, decided with what the registry holds. */
async function runPipelineOf(
  settings: Settings,
  publication: Publication,
  builder: Builder,
  {
    log,
    vars,
    tempDir,
    cacheRegistry
  }: {
    log: Log
    vars: NodeJS.ProcessEnv
    tempDir: string
    cacheRegistry: RegistryClient
  }
): Promise<Pipeline> {
  const files = buildFiles(settings, tempDir)
  const input = { settings, publication, builder, files }
  return assemblePipeline(input, cacheRegistry, log, vars)
}
