import type { WorkflowRun } from '../context/context-types.js'
import type { BuildSettings } from '../settings/build-settings.js'
import { attestValues } from '../argv/attest.js'
import { isLoopbackHost } from '../reference/repository.js'
import { csvFields } from '../csv/csv.js'

/** The builder that runs a build, as `docker buildx inspect` reports it. */
export interface Builder {
  /** Its name ('' when buildx is missing). */
  name: string
  /**
   * buildx's driver (docker, docker-container, remote, kubernetes), or 'classic' without buildx.
   */
  driver: string
  /** The docker driver's image store, when it was asked (several platforms need containerd's). */
  store?: 'containerd' | 'classic'
  /** `docker buildx version`'s output, where a decision needed it (GitHub's cache service v2). */
  buildx?: string
  /** How many nodes it has (`buildx create --append` adds one); one when not known. */
  nodes?: number
  /**
   * docker-container: its first node's name (its container's is `buildx_buildkit_<node>`), where
   * buildx's files or `buildx inspect` told it.
   */
  node?: string
  /** Foreign platforms asked: QEMU is installed for those the builder does not run once up. */
  emulate?: string[]
  /** A builder this run creates for itself and removes at its end (see OwnBuilder). */
  own?: OwnBuilder
}

/**
 * What `buildx create` makes for this run (own BUILDX_CONFIG): docker-container where needed, or
 * `remote` for `endpoint`.
 */
export interface OwnBuilder {
  driver: 'docker-container' | 'remote'
  /** `--driver-opt` values (paths only, never a secret). */
  driverOpts: string[]
  /** remote: the BuildKit daemon's address. */
  endpoint?: string
  /** docker-container: the user's buildkitd.default.toml, as buildx would use it. */
  buildkitdConfig?: string
  /** Why the run makes it, for the log, the plan and the summary. */
  reason: string
}

/**
 * Why buildx's docker driver on the classic store cannot build what the inputs ask, if it cannot.
 */
function classicStoreCannot(
  build: Pick<BuildSettings, 'platforms'>,
  cache: OwnBuilderCache
): string | undefined {
  const classic = "buildx's docker driver on the classic image store"
  if (build.platforms.length > 1)
    return `${classic} builds one platform, and ${build.platforms.length} were asked`
  if (cache.unexported !== undefined)
    return `${classic} exports only the inline cache, and ${cache.unexported} was asked`
  return cache.warmer
}

/** The cache's part in the choice: an export asked that the builder cannot do, or a warmer way. */
interface OwnBuilderCache {
  /** The cache-to line or `cache` value the detected builder cannot export. */
  unexported?: string
  /** Why a builder of the run's own warms `cache: auto` (see plan/cache.ts). */
  warmer?: string
}

/**
 * A docker-container builder where the docker driver on the classic store cannot do what is asked
 * (a named builder wins).
 */
export function containerBuilderFor(
  build: Pick<BuildSettings, 'platforms' | 'builder' | 'buildkitImage'>,
  detected: Builder,
  hosts: string[],
  buildkitdConfig: string | undefined,
  cache: OwnBuilderCache
): OwnBuilder | undefined {
  if (build.builder !== '' || detected.driver !== 'docker') return undefined
  if (!keepsClassicImages(detected)) return undefined
  const reason = classicStoreCannot(build, cache)
  if (reason === undefined) return undefined
  // BuildKit in a container reaches a registry or cache service on localhost only on the host's
  // network
  const network = hosts.some(isLoopbackHost) ? ',network=host' : ''
  return {
    driver: 'docker-container',
    driverOpts: [`image=${build.buildkitImage}${network}`],
    ...(buildkitdConfig === undefined ? {} : { buildkitdConfig }),
    reason
  }
}

/** The remote builder for the `endpoint` input; TLS files by path in the run's folder. */
export function remoteBuilderFor(
  endpoint: string,
  tlsFiles: { cacert?: string; cert?: string; key?: string }
): OwnBuilder {
  const opts = (['cacert', 'cert', 'key'] as const)
    .filter(name => tlsFiles[name] !== undefined)
    .map(name => `${name}=${tlsFiles[name]}`)
  return {
    driver: 'remote',
    driverOpts: opts.length === 0 ? [] : [opts.join(',')],
    endpoint,
    reason: `the endpoint input names a remote BuildKit (${endpoint})`
  }
}

/**
 * buildx's name for the first node of builder `name`, which the run names itself: lowercase, as
 * buildx stores it and as a create run again looks it up.
 */
export const ownNodeName = (name: string): string => `${name.toLowerCase()}0`

/**
 * `buildx create --bootstrap` of the run's own builder: one process makes it, pulls its image and
 * starts it, so a bad endpoint or TLS fails here. Its node is named, so that the same command run
 * again (a throttled pull tried again) updates the builder the first attempt recorded.
 */
export function createBuilderArgs(name: string, own: OwnBuilder): string[] {
  return [
    'buildx',
    'create',
    '--bootstrap',
    '--name',
    name,
    '--node',
    ownNodeName(name),
    '--driver',
    own.driver,
    ...own.driverOpts.flatMap(opt => ['--driver-opt', opt]),
    ...(own.buildkitdConfig === undefined
      ? []
      : ['--buildkitd-config', own.buildkitdConfig]),
    ...(own.endpoint === undefined ? [] : [own.endpoint])
  ]
}

/** `buildx rm`: the builder, and for docker-container its container and state volume. */
export function removeBuilderArgs(name: string): string[] {
  return ['buildx', 'rm', name]
}

/** buildx's name for the container of a docker-container builder's node. */
export const nodeContainerName = (node: string): string =>
  `buildx_buildkit_${node}`

/**
 * The run's own docker-container builder removed by name: its node's container with its anonymous
 * volumes, forced (the builder is thrown away, so BuildKit need not stop gracefully), then its
 * state volume, which only a removed container frees. buildx's record goes with the run's folder.
 */
export function ownNodeRemovalArgs(name: string): {
  node: string[]
  state: string[]
} {
  const container = nodeContainerName(ownNodeName(name))
  return {
    node: ['rm', '--force', '--volumes', container],
    state: ['volume', 'rm', '--force', `${container}_state`]
  }
}

export const CLASSIC: Builder = { name: '', driver: 'classic' }

/** Builders that keep what they build in the daemon's image store and cannot push by digest. */
export function buildsIntoDaemon(builder: Builder): boolean {
  return builder.driver === 'docker' || builder.driver === 'classic'
}

/**
 * Whether the build is split per node: buildx would push the joined index as `:latest`
 * (build/build.go), so we join it.
 */
export function splitsOverNodes(
  build: Pick<BuildSettings, 'platforms'>,
  builder: Builder
): boolean {
  return (builder.nodes ?? 1) > 1 && build.platforms.length > 1
}

/**
 * Whether the build surely publishes an index (buildx refuses index annotations on a
 * single-platform export).
 */
export function publishesIndex(
  build: Parameters<typeof attestValues>[0] & Pick<BuildSettings, 'platforms'>,
  builder: Builder
): boolean {
  if (build.platforms.length > 1) return true
  if (keepsClassicImages(builder)) return false
  return attestValues(build).some(line => !/(^|,)disabled=true(,|$)/.test(line))
}

/**
 * Whether the build goes into the classic store (no attestation there), whence it is saved (no OCI
 * export): one platform only.
 */
export function keepsClassicImages(builder: Builder): boolean {
  return (
    builder.driver === 'classic' ||
    (builder.driver === 'docker' && builder.store === 'classic')
  )
}

export function describeBuilder(builder: Builder): string {
  if (builder.driver === 'classic')
    return 'the classic docker build (no buildx)'
  const own =
    builder.own === undefined
      ? ''
      : `, made for this run and removed at its end: ${builder.own.reason}`
  return `${builder.name} (driver ${builder.driver}${own})`
}

/** Whether an output loads into docker (`type=docker`): no attestation there. */
function loadsIntoDocker(build: Pick<BuildSettings, 'load' | 'outputs'>) {
  return (
    build.load ||
    build.outputs.some(o => csvFields(o).some(f => f.trim() === 'type=docker'))
  )
}

/**
 * build-push-action's default provenance (getAttestArgs): `mode=max` public,
 * `mode=min,inline-only=true` private; none with BUILDX_NO_DEFAULT_ATTESTATIONS
 * or a load. The docker driver keeps buildx's own (actions-toolkit wants a
 * `-moby` BuildKit version, which buildx never reports), asked by name for
 * containerd's OCI layout, as buildx applies it to a push only.
 */
export function attestationDefaults(
  build: Pick<BuildSettings, 'load' | 'outputs'>,
  builder: Builder,
  run: WorkflowRun | undefined
): Pick<BuildSettings, 'defaultProvenance' | 'builderId'> {
  const builderId = run === undefined ? {} : { builderId: run.url }
  if (run?.noDefaultAttestations || loadsIntoDocker(build)) return builderId
  // the docker driver on containerd's store exports an OCI layout
  if (builder.driver === 'docker' && builder.store === 'containerd')
    return { ...builderId, defaultProvenance: 'mode=min' }
  if (run === undefined || buildsIntoDaemon(builder)) return builderId
  return {
    ...builderId,
    defaultProvenance: run.privateRepository
      ? 'mode=min,inline-only=true'
      : 'mode=max'
  }
}
