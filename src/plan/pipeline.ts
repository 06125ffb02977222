/** Every mode that produces an image, as one ordered list of steps (see steps.ts). */
import { evaluatesOnly } from '../settings/build-options.js'
import { promoteSource, type Settings } from '../settings/settings.js'
import { loginArgs } from '../argv/login.js'
import type { Publication } from './publication.js'
import {
  attestationDefaults,
  createBuilderArgs,
  ownNodeRemovalArgs,
  publishesIndex,
  removeBuilderArgs,
  splitsOverNodes,
  type Builder,
  type OwnBuilder
} from './builder.js'
import { installEmulationArgs, missingArchitectures } from './emulation.js'
import type { BuildSettings } from '../settings/build-settings.js'
import {
  localBuild,
  requirePlatformsFit,
  stagedBuild,
  type BuildFiles
} from './build-steps.js'
import {
  discardSteps,
  handedOverSteps,
  mergeStage,
  promoteNeedsDocker,
  promoteStage
} from './copy-steps.js'
import { readBackSteps, readSteps, tagSteps } from './registry-steps.js'
import { legStep, stagingTag } from './leg-handover.js'
import { heldLayerSteps } from './held-steps.js'
import { apiUrl, parseRegistry } from '../reference/repository.js'
import {
  commandStep,
  gateStep,
  manifestRequest,
  type CommandStep,
  type Pipeline,
  type Step
} from './steps.js'
import {
  provenanceSteps,
  signSteps,
  verifySteps,
  withVerify
} from './sign-steps.js'
import {
  decideCache,
  type CacheUse,
  type CacheDecision,
  type CacheImport
} from './cache.js'
import type { RunnerCache } from './runner-cache.js'

export interface PipelineInput {
  settings: Settings
  publication: Publication
  /** The builder that will run (build and digest modes). */
  builder: Builder
  files: BuildFiles
  /** The user's docker config folder, where `logout: false` keeps the logins. */
  userConfig: string
  /**
   * What the cache decision reads: the runner's cache service, the image's tags that exist
   * (`tagsRead`: the tag list was read, so `imports` are all there are).
   */
  cache?: { runner: RunnerCache; imports: CacheImport[]; tagsRead?: boolean }
}

/**
 * Logins by our client (retrying 5xx and 429, which dockerd calls 401), stored as docker's; `docker
 * login` costs ~85 ms each.
 */
function registryLogins(settings: Settings): Step[] {
  return settings.logins.map(({ registry, username }) => {
    const endpoint = parseRegistry(registry)
    return {
      step: 'login',
      method: 'GET',
      url: apiUrl(endpoint, '/v2/'),
      // a login is about a registry, not an image: the registry stands for both
      image: { ...endpoint, name: registry, registry, repository: '' },
      reference: '',
      username
    }
  })
}

/** login-action's `logout: false`: each login also kept in the user's own docker config. */
function keptLogins({ settings, userConfig }: PipelineInput): Step[] {
  if (settings.logout) return []
  return settings.logins.map(({ registry, username }) => ({
    step: 'keep-login',
    argv: loginArgs(registry, username, userConfig),
    passwordFor: registry,
    registries: [registry]
  }))
}

/** A build logs in even when it pushes nothing: `FROM`, cache and contexts may be private. */
function loginSteps(input: PipelineInput): Step[] {
  return [...registryLogins(input.settings), ...keptLogins(input)]
}

function tagging({ images, tags }: Publication) {
  return {
    read: readSteps(images, tags),
    tag: tagSteps(images, tags),
    readBack: readBackSteps(images, tags)
  }
}

/** push: false in promote and merge: nothing to copy or join (publication.ts's notice says so). */
const NOTHING: ModePipeline = {
  login: [],
  stage: [],
  read: [],
  tag: [],
  readBack: [],
  discard: [],
  cleanup: []
}

/** What an index says of itself, as GHCR reads it (its description and source among them). */
const INDEX_KEYS = [
  'description',
  'source',
  'licenses',
  'revision',
  'version',
  'created'
].map(key => `org.opencontainers.image.${key}`)

/**
 * The index's annotations from the labels where one is surely published (not beside index levels or
 * a user `index:` key).
 */
function indexAnnotations(
  build: BuildSettings,
  builder: Builder,
  publication: Publication
): Pick<BuildSettings, 'indexAnnotations'> {
  if (
    !publishesIndex(build, builder) ||
    splitsOverNodes(build, builder) ||
    build.annotationLevels?.some(level => level.startsWith('index'))
  )
    return {}
  const own = Object.entries(publication.annotations).filter(
    ([key, value]) =>
      INDEX_KEYS.includes(key) &&
      value !== '' &&
      publication.annotations[`index:${key}`] === undefined
  )
  return own.length === 0 ? {} : { indexAnnotations: Object.fromEntries(own) }
}

/** The cache the build gets on this builder (the user's lines win), and why. */
function cacheFor(input: PipelineInput): CacheDecision {
  const { settings, publication, builder, cache } = input
  return decideCache(settings.build, {
    use: cacheUse(settings),
    builder,
    runner: cache?.runner ?? { service: false },
    image: publication.images[0]?.name ?? '',
    repository: publication.images[0]?.repository ?? '',
    imports: cache?.imports ?? [],
    pullRequest: publication.cacheSources?.pullRequest
  })
}

/**
 * The build-args lines, with SOURCE_DATE_EPOCH (the commit time unless set) for
 * `reproducible: true` only: BuildKit >= 0.22 keys its cache on it (moby/buildkit#5960).
 */
function buildArgsOf(
  { buildArgs, sourceDateEpoch }: Publication,
  reproducible: boolean
): string[] {
  if (!reproducible || buildArgs.some(a => a.startsWith('SOURCE_DATE_EPOCH=')))
    return buildArgs
  return [...buildArgs, `SOURCE_DATE_EPOCH=${sourceDateEpoch}`]
}

/**
 * The build settings pinned to the builder the steps were chosen for; refused before any step
 * where their platforms do not fit it.
 */
function onBuilder(input: PipelineInput) {
  const { settings, builder, publication } = input
  const { cacheFrom, cacheTo } = cacheFor(input)
  const build = {
    ...settings.build,
    buildArgs: buildArgsOf(publication, settings.build.reproducible),
    cacheFrom,
    cacheTo,
    ...(publication.annotationLevels && {
      annotationLevels: publication.annotationLevels
    }),
    ...attestationDefaults(settings.build, builder, publication.workflowRun)
  }
  const pinned = { ...build, ...indexAnnotations(build, builder, publication) }
  requirePlatformsFit(pinned, builder)
  return builder.driver === 'classic' || builder.name === ''
    ? pinned
    : { ...pinned, builder: builder.name }
}

function buildPipeline(input: PipelineInput): ModePipeline {
  const { settings, publication, builder, files } = input
  const build = onBuilder(input)
  const login = loginSteps(input)
  if (buildsAsAsked(settings) || !build.push) {
    const local = { ...build, push: false }
    return {
      ...NOTHING,
      login,
      ...localBuild(publication, local, builder, files)
    }
  }
  const stages = stagedBuild(publication, build, builder, files)
  return { ...NOTHING, login, ...stages, ...tagging(publication) }
}

function digestPipeline(input: PipelineInput): ModePipeline {
  const { settings, publication, builder, files } = input
  // push: false: the leg builds as a build does (and loads if asked), hands nothing over
  if (!settings.build.push) return buildPipeline(input)
  const { legs, images } = publication
  const platform = settings.build.platforms[0] ?? ''
  const staging = stagingTag(publication.buildId, platform)
  const build = onBuilder(input)
  // handed over by the step's output, else the run's artifact, else the run's tag for its platform
  const outputs = settings.handover !== undefined
  const handover = outputs
    ? []
    : images.map(image =>
        legs
          ? legStep(legs, 'handover', image, platform)
          : manifestRequest('handover', 'PUT', image, staging, { platform })
      )
  const staged = stagedBuild(
    publication,
    { ...build, load: false },
    builder,
    files
  )
  // the artifact and output routes leave no tag to read back
  const readBack =
    legs || outputs
      ? []
      : images.map(image =>
          manifestRequest('read-back', 'HEAD', image, staging)
        )
  return {
    ...NOTHING,
    ...staged,
    login: loginSteps(input),
    stage: [...staged.stage, ...handover],
    readBack
  }
}

function promotePipeline(input: PipelineInput): ModePipeline {
  const { settings, publication } = input
  if (!settings.build.push) return NOTHING
  const source = promoteSource(settings)
  const stage = promoteStage(source.image, source.reference, publication.images)
  const login = promoteNeedsDocker(source.image, publication.images)
    ? loginSteps(input)
    : keptLogins(input)
  return { ...NOTHING, login, stage, ...tagging(publication) }
}

/**
 * mode rollback: each image's release read in its own repository (no copy: it is there), then the
 * named floating tags moved back to it by the same read, tag and read-back as a release.
 */
function rollbackPipeline(input: PipelineInput): ModePipeline {
  const { settings, publication } = input
  if (!settings.build.push) return NOTHING
  const { reference } = promoteSource(settings)
  const stage = publication.images.map(image =>
    manifestRequest('release', 'HEAD', image, reference)
  )
  return {
    ...NOTHING,
    login: keptLogins(input),
    stage,
    ...tagging(publication)
  }
}

function mergePipeline(input: PipelineInput): ModePipeline {
  const { settings, publication } = input
  if (!settings.build.push) return NOTHING
  const { images, legs, buildId } = publication
  const { platforms } = settings.build
  return {
    ...NOTHING,
    login: loginSteps(input),
    stage: mergeStage(images, platforms, buildId, legs ?? settings.handover),
    ...tagging(publication),
    // the artifact and output routes leave no tag to remove
    discard:
      legs || settings.handover ? [] : discardSteps(images, platforms, buildId)
  }
}

/**
 * mode gate: each leg's digests read (the registry must hold them), then the gate on each leg, in
 * a job of its own between the legs and the merge: it writes nothing.
 */
function gatePipeline(input: PipelineInput): ModePipeline {
  const { settings, publication } = input
  const legs = settings.handover ?? new Map<string, string[]>()
  return {
    ...NOTHING,
    login: loginSteps(input),
    stage: handedOverSteps(publication.images, settings.build.platforms, legs)
  }
}

/**
 * The gate input's runs: on the staged image; mode gate, on each digest a leg handed over (one per
 * image, the same where the images got the same build).
 */
function gateSteps({ settings, publication }: PipelineInput) {
  if (settings.gate === '') return []
  if (settings.mode !== 'gate') return [gateStep(settings.gate)]
  return settings.build.platforms.flatMap(platform => {
    const digests = settings.handover?.get(platform) ?? []
    return publication.images
      .map((image, index) => ({ image, digest: digests[index] ?? '' }))
      .filter(
        ({ digest }, index, legs) =>
          legs.findIndex(leg => leg.digest === digest) === index
      )
      .map(({ image, digest }) =>
        gateStep(settings.gate, {
          image,
          gated: { image: image.name, digest, platform }
        })
      )
  })
}

type ModePipeline = Omit<Pipeline, 'sign' | 'gate' | 'provenance'>

/**
 * The run's own builder made and started first, and removed last, after a failure too; then QEMU
 * for the foreign platforms asked that the builder does not run.
 */
function withBuilderSetup(
  pipeline: ModePipeline,
  { builder, settings }: PipelineInput
): ModePipeline {
  const { own, name, emulate = [] } = builder
  if (!needsBuilder(settings)) return pipeline
  const argv = installEmulationArgs(
    settings.build.qemu,
    missingArchitectures(emulate, [])
  )
  const emulates = { builder: name, platforms: emulate }
  const install =
    emulate.length === 0
      ? []
      : [commandStep('emulation', argv, [], { emulates })]
  if (own === undefined)
    return { ...pipeline, stage: [...install, ...pipeline.stage] }
  const create = commandStep('builder', createBuilderArgs(name, own))
  return {
    ...pipeline,
    stage: [create, ...install, ...pipeline.stage],
    cleanup: [...pipeline.cleanup, ...ownBuilderRemoval(name, own)]
  }
}

/** A docker-container builder's node by name (no graceful stop); a remote one's record alone. */
function ownBuilderRemoval(name: string, own: OwnBuilder): CommandStep[] {
  if (own.driver !== 'docker-container')
    return [
      commandStep('cleanup', removeBuilderArgs(name), [], {
        removes: 'builder'
      })
    ]
  const { node, state } = ownNodeRemovalArgs(name)
  return [
    commandStep('cleanup', node, [], { removes: 'node' }),
    commandStep('cleanup', state, [], { removes: 'state' })
  ]
}

/** The cache's images pulled just before the build, removed after it where the run pulled them. */
function withCachePulls(
  pipeline: ModePipeline,
  input: PipelineInput
): ModePipeline {
  const { settings, publication } = input
  const build = pipeline.stage.findIndex(step => step.step === 'build')
  const [image] = publication.images
  if (build < 0 || image === undefined) return pipeline
  const refs = cacheFor(input).pulls ?? []
  if (refs.length === 0) return pipeline
  const [platform] = settings.build.platforms
  const only = platform === undefined ? [] : ['--platform', platform]
  const pulls = refs.map(ref =>
    commandStep('cache', ['pull', ...only, ref], [image.registry], { image })
  )
  const removals = refs.map(ref =>
    commandStep('cleanup', ['image', 'rm', ref], [], { pulled: ref })
  )
  const { stage, cleanup } = pipeline
  return {
    ...pipeline,
    stage: [...stage.slice(0, build), ...pulls, ...stage.slice(build)],
    cleanup: [...removals, ...cleanup]
  }
}

const MODES: Record<Settings['mode'], (input: PipelineInput) => ModePipeline> =
  {
    build: buildPipeline,
    digest: digestPipeline,
    promote: promotePipeline,
    merge: mergePipeline,
    gate: gatePipeline,
    rollback: rollbackPipeline,
    // a clean-up reads and deletes through the registry API (cleanup/cleanup-run.ts): no steps
    cleanup: () => NOTHING
  }

/** The steps a run of these settings takes, in order; the dry run prints the same. */
export function pipelineFor(input: PipelineInput): Pipeline {
  const pipeline = withBuilderSetup(
    withCachePulls(MODES[input.settings.mode](input), input),
    input
  )
  const publishes = pipeline.tag.length > 0
  const builds = needsBuilder(input.settings)
  const { publication, cache } = input
  const held = heldLayerSteps(pipeline.stage, publication, cache)
  return {
    ...pipeline,
    ...(builds && { cache: cacheFor(input).lines }),
    gate: gateSteps(input),
    stage: withVerify(
      [...held, ...pipeline.stage],
      verifySteps(input.settings)
    ),
    provenance: publishes
      ? provenanceSteps(
          input.publication.attestations,
          input.publication.images,
          input.settings.mode
        )
      : [],
    sign: publishes
      ? signSteps(
          input.settings,
          input.publication.images,
          input.publication.attestations
        )
      : []
  }
}

/**
 * `outputs` or a `call` other than build: the build goes where they say (or is evaluated), no
 * registry step of ours.
 */
export function buildsAsAsked(settings: Settings): boolean {
  const { outputs, call } = settings.build
  return (
    settings.mode === 'build' && (outputs.length > 0 || evaluatesOnly(call))
  )
}

/** Whether the image goes to a registry by our steps (build or digest, with push). */
function registryBound(settings: Settings): boolean {
  return (
    settings.build.push &&
    (settings.mode === 'digest' ||
      (settings.mode === 'build' && !buildsAsAsked(settings)))
  )
}

/** What the build's cache serves (plan/cache.ts): a pushed image, a local build, or neither. */
export function cacheUse(settings: Settings): CacheUse {
  if (registryBound(settings)) return 'push'
  return needsBuilder(settings) && !buildsAsAsked(settings) ? 'local' : 'none'
}

/**
 * Whether the docker driver's image store must be known: several platforms need containerd's; a
 * pushed image is exported (containerd) or saved (classic).
 */
export function needsImageStore(settings: Settings): boolean {
  return registryBound(settings) || settings.build.platforms.length > 1
}

/** Whether the mode needs to know the builder (it builds). */
export function needsBuilder(settings: Settings): boolean {
  return settings.mode === 'build' || settings.mode === 'digest'
}
