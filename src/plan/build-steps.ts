/** How a build reaches the registry on each builder, without moving a tag anyone pulls. */
import type { BuildSettings } from '../settings/settings.js'
import {
  buildxBuildArgs,
  classicBuildArgs,
  type BuildRequest
} from '../docker/argv/buildx.js'
import { InputError } from '../errors.js'
import { isCheck } from '../docker/argv/call.js'
import type { Image } from '../reference/images.js'
import type { PublishPlan } from './plan.js'
import { buildsIntoDaemon, buildsOnePlatform, type Builder } from './builder.js'
import type { CommandStep, Step } from './steps.js'

/** The files a build writes its results to, and its secrets' specs. */
export interface BuildFiles {
  metadata: string
  iid: string
  /** `id=…,src=…` specs; values are in files, never in argv. */
  secretSpecs: string[]
}

export interface BuildStages {
  stage: Step[]
  cleanup: CommandStep[]
}

const registriesOf = (images: Image[]) => [
  ...new Set(images.map(i => i.registry))
]

function buildStep(
  argv: string[],
  images: Image[],
  step: CommandStep['step'] = 'build'
): CommandStep {
  return { step, argv, registries: registriesOf(images) }
}

/**
 * The build's SOURCE_DATE_EPOCH (the commit time, unless the user set it):
 * BuildKit stamps it as the image's creation time, so a re-run of the same
 * commit does not differ by the clock alone.
 */
function withSourceDateEpoch(plan: PublishPlan, build: BuildSettings) {
  if (build.buildArgs.some(arg => arg.startsWith('SOURCE_DATE_EPOCH=')))
    return build
  const epoch = `SOURCE_DATE_EPOCH=${plan.sourceDateEpoch}`
  return { ...build, buildArgs: [...build.buildArgs, epoch] }
}

function buildx(
  plan: PublishPlan,
  files: BuildFiles,
  build: BuildSettings,
  refs: string[],
  pushByDigestTo?: string[]
): string[] {
  const request: BuildRequest = {
    build: withSourceDateEpoch(plan, build),
    refs,
    labels: plan.labels,
    annotations: plan.annotations,
    metadataFile: files.metadata,
    secretSpecs: files.secretSpecs,
    pushByDigestTo
  }
  return buildxBuildArgs(request)
}

function classic(
  plan: PublishPlan,
  files: BuildFiles,
  build: BuildSettings,
  refs: string[]
): string[] {
  const job = {
    build: withSourceDateEpoch(plan, build),
    refs,
    labels: plan.labels
  }
  return classicBuildArgs(job, files.iid)
}

export const CLASSIC_STORE_ONE_PLATFORM =
  "buildx's docker driver on the classic image store builds one platform: add docker/setup-buildx-action before this step, or turn on the containerd image store"

/** Several platforms on a one-platform builder: refused before any step runs. */
export function requirePlatformsFit(
  build: BuildSettings,
  builder: Builder
): void {
  if (build.platforms.length > 1 && buildsOnePlatform(builder))
    throw new InputError(
      'platforms',
      build.platforms.join(','),
      builder.driver === 'classic'
        ? 'several platforms need buildx, which this docker lacks: install the buildx plugin or add docker/setup-buildx-action before this step'
        : CLASSIC_STORE_ONE_PLATFORM
    )
}

/** The build as the inputs ask, nothing pushed (push: false). */
export function localBuild(
  plan: PublishPlan,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles
): BuildStages {
  requirePlatformsFit(build, builder)
  if (builder.driver === 'classic') {
    const argv = classic(plan, files, build, plan.refs)
    return { stage: [buildStep(argv, [])], cleanup: [] }
  }
  const step = isCheck(build.call) ? 'check' : 'build'
  return {
    stage: [buildStep(buildx(plan, files, build, plan.refs), [], step)],
    cleanup: []
  }
}

/**
 * Builders that keep the image in the daemon (buildx's docker driver, the
 * classic build) cannot push by digest: the image goes up under a staging
 * tag no one pulls, and the local staging reference is removed afterwards.
 */
function stagedThroughDaemon(
  plan: PublishPlan,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles,
  staging: string
): BuildStages {
  requirePlatformsFit(build, builder)
  const images = plan.images
  const stagingRefs = images.map(image => `${image.name}:${staging}`)
  const stage: Step[] =
    builder.driver === 'classic'
      ? [
          buildStep(classic(plan, files, build, stagingRefs), []),
          ...images.map(image => ({
            ...buildStep(['push', `${image.name}:${staging}`], [image], 'push'),
            image
          }))
        ]
      : [
          buildStep(
            buildx(
              plan,
              files,
              { ...build, push: true, load: false },
              stagingRefs
            ),
            images
          )
        ]
  const load = build.load
    ? images.flatMap(image =>
        plan.tags.map(tag =>
          buildStep(
            ['tag', `${image.name}:${staging}`, `${image.name}:${tag.name}`],
            [],
            'load'
          )
        )
      )
    : []
  return {
    stage: [...stage, ...load],
    cleanup: [buildStep(['image', 'rm', ...stagingRefs], [], 'cleanup')]
  }
}

/**
 * Pushes the build so that its digest is known and no tag a user pulls has
 * moved yet: by digest where the builder can, else under `staging`. A load
 * the builder cannot do in the same build is a second, cached build.
 */
export function stagedBuild(
  plan: PublishPlan,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles,
  staging: string
): BuildStages {
  if (buildsIntoDaemon(builder))
    return stagedThroughDaemon(plan, build, builder, files, staging)
  const names = plan.images.map(image => image.name)
  const pushed = buildStep(
    buildx(plan, files, { ...build, push: true, load: false }, [], names),
    plan.images
  )
  const load = build.load
    ? [
        buildStep(
          buildx(plan, files, { ...build, push: false, load: true }, plan.refs),
          [],
          'load'
        )
      ]
    : []
  return { stage: [pushed, ...load], cleanup: [] }
}

/** mode digest: one platform under the run's staging tag, where the merge job finds it. */
export function stagedPlatform(
  plan: PublishPlan,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles,
  staging: string
): BuildStages {
  const refs = plan.images.map(image => `${image.name}:${staging}`)
  if (buildsIntoDaemon(builder))
    return stagedThroughDaemon(
      plan,
      { ...build, load: false },
      builder,
      files,
      staging
    )
  return {
    stage: [
      buildStep(
        buildx(plan, files, { ...build, push: true, load: false }, refs),
        plan.images
      )
    ],
    cleanup: []
  }
}
