/** How a build reaches the registry on each builder, without moving a tag anyone pulls. */
import type { BuildSettings } from '../settings/build-settings.js'
import { buildxBuildArgs, classicBuildArgs } from '../argv/buildx.js'
import { InputError } from '../errors/input-error.js'
import { isCheck } from '../argv/call.js'
import type { Image } from '../reference/images.js'
import type { Publication } from './publication.js'
import {
  buildsIntoDaemon,
  keepsClassicImages,
  splitsOverNodes,
  type Builder
} from './builder.js'
import { imagetoolsSteps, platformDigest } from './copy-steps.js'
import { exportsCacheAfterImage } from './cache.js'
import {
  DIGEST,
  IMAGE_ID,
  commandStep,
  manifestRequest,
  type CommandStep,
  type Step
} from './steps.js'

/** The files a build writes its results to, and its secrets' specs. */
export interface BuildFiles {
  metadata: string
  iid: string
  /** The folder the build's OCI layout is written to before its upload. */
  layout: string
  /** `id=…,src=…` specs; values are in files, never in argv. */
  secretSpecs: string[]
}

interface BuildStages {
  stage: Step[]
  /** The local leftovers to remove (none unless said). */
  cleanup?: CommandStep[]
}

const registriesOf = (images: Image[]) => [
  ...new Set(images.map(i => i.registry))
]

/**
 * The image goes on as BuildKit exports it, beside the cache export after it, where the build's one
 * exporter is the image's and nothing reads the layout's index.json (written once buildx ends).
 */
const besideCacheExport = (build: BuildSettings) =>
  exportsCacheAfterImage(build) && build.outputs.length === 0 && !build.load

function buildx(
  publication: Publication,
  files: BuildFiles,
  build: BuildSettings,
  refs: string[],
  pushByDigestTo?: string[],
  layoutDir?: string
): string[] {
  return buildxBuildArgs({
    build,
    refs,
    labels: publication.labels,
    annotations: publication.annotations,
    metadataFile: files.metadata,
    secretSpecs: files.secretSpecs,
    pushByDigestTo,
    layoutDir
  })
}

/** buildx's argv, or the classic docker build's where buildx is missing. */
function buildArgv(
  publication: Publication,
  files: BuildFiles,
  build: BuildSettings,
  builder: Builder,
  refs: string[]
): string[] {
  if (builder.driver !== 'classic')
    return buildx(publication, files, build, refs)
  const { labels } = publication
  return classicBuildArgs({ build, refs, labels }, files.iid)
}

export const CLASSIC_STORE_ONE_PLATFORM =
  "buildx's docker driver on the classic image store builds one platform: add " +
  'docker/setup-buildx-action before this step, or turn on the containerd image store'

/** Several platforms on a one-platform builder: refused before any step runs. */
export function requirePlatformsFit(
  build: BuildSettings,
  builder: Builder
): void {
  if (splitsOverNodes(build, builder) && build.load)
    throw new InputError(
      'load',
      'true',
      `builder ${builder.name} has ${builder.nodes} nodes, each building its own platforms, and ` +
        `buildx cannot export their images as one to load: load one platform, or build without ` +
        `load`
    )
  if (build.platforms.length > 1 && keepsClassicImages(builder))
    throw new InputError(
      'platforms',
      build.platforms.join(','),
      builder.driver === 'classic'
        ? 'several platforms need buildx, which this docker lacks: install the buildx plugin or ' +
            'add docker/setup-buildx-action before this step'
        : CLASSIC_STORE_ONE_PLATFORM
    )
}

/** The build as the inputs ask, nothing pushed (push: false). */
export function localBuild(
  publication: Publication,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles
): BuildStages {
  const argv = buildArgv(publication, files, build, builder, publication.refs)
  const checks = builder.driver !== 'classic' && isCheck(build.call)
  return { stage: [commandStep(checks ? 'check' : 'build', argv)] }
}

/**
 * Docker driver on containerd: an OCI layout, which `load` loads as is, so the bytes tested are
 * those pushed (a second exporter adds attestations).
 */
function exportedLayout(
  publication: Publication,
  build: BuildSettings,
  files: BuildFiles
): BuildStages {
  const { layout } = files
  const argv = buildx(
    publication,
    files,
    { ...build, push: false, load: false },
    [],
    undefined,
    layout
  )
  const load = build.load
    ? [
        commandStep('load', ['load', '--input', `${layout}.tar`], [], {
          layout,
          names: publication.refs
        })
      ]
    : []
  const beside = besideCacheExport(build)
  const step = commandStep('build', argv, [], {
    layout,
    ...(beside && { besideCacheExport: true })
  })
  return { stage: [step, ...load] }
}

/** The classic store exports no OCI layout: built into it, saved as one, removed unless loaded. */
function savedFromStore(
  publication: Publication,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles
): BuildStages {
  const refs = build.load ? publication.refs : []
  const argv = buildArgv(
    publication,
    files,
    { ...build, push: false },
    builder,
    refs
  )
  const { layout } = files
  const save = commandStep('save', ['save', IMAGE_ID], [], { layout })
  return {
    stage: [commandStep('build', argv), save],
    cleanup: build.load
      ? []
      : [commandStep('cleanup', ['image', 'rm', IMAGE_ID])]
  }
}

/**
 * Builders that keep the image in the daemon cannot push by digest: our client uploads its layout
 * to each image (blobs, then manifests; no tag).
 */
function uploadedFromLayout(
  publication: Publication,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles
): BuildStages {
  const local = keepsClassicImages(builder)
    ? savedFromStore(publication, build, builder, files)
    : exportedLayout(publication, build, files)
  const { layout } = files
  const uploads = publication.images.map(image =>
    manifestRequest('upload', 'PUT', image, DIGEST, { layout })
  )
  return { ...local, stage: [...local.stage, ...uploads] }
}

/**
 * A builder of several nodes: each platform pushed by digest, joined by us (see splitsOverNodes).
 */
function builtPerPlatform(
  publication: Publication,
  build: BuildSettings,
  files: BuildFiles
): BuildStages {
  const names = publication.images.map(image => image.name)
  const registries = registriesOf(publication.images)
  const builds = build.platforms.map((platform, i) => {
    const argv = buildx(
      publication,
      { ...files, metadata: `${files.metadata}.${i}` },
      { ...build, platforms: [platform], push: true },
      [],
      names
    )
    return commandStep('build', argv, registries, { platform })
  })
  const joins = publication.images.flatMap(image =>
    imagetoolsSteps(
      image,
      build.platforms.map(p => `${image.name}@${platformDigest(p)}`),
      [image.registry]
    )
  )
  return { stage: [...builds, ...joins] }
}

/**
 * The build in the registry by digest, no tag moved: pushed where the builder can and nothing
 * loads, else uploaded.
 */
export function stagedBuild(
  publication: Publication,
  build: BuildSettings,
  builder: Builder,
  files: BuildFiles
): BuildStages {
  if (splitsOverNodes(build, builder))
    return builtPerPlatform(publication, build, files)
  if (buildsIntoDaemon(builder) || build.load)
    return uploadedFromLayout(publication, build, builder, files)
  const names = publication.images.map(image => image.name)
  const pushed = commandStep(
    'build',
    buildx(publication, files, { ...build, push: true }, [], names),
    registriesOf(publication.images),
    besideCacheExport(build) ? { besideCacheExport: true } : {}
  )
  return { stage: [pushed] }
}
