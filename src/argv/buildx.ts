import type { BuildSettings } from '../settings/build-settings.js'
import { formatKeyValues } from './format.js'
import { splitSecret } from '../settings/secret-lines.js'
import { callArgs } from './call.js'
import { attestValues } from './attest.js'

export interface BuildRequest {
  build: BuildSettings
  refs: string[]
  labels: Record<string, string>
  annotations: Record<string, string>
  /** Where buildx writes its metadata (digest, image id). */
  metadataFile: string
  /** `id=KEY,src=FILE` specs: secret values are written to files, never put in argv. */
  secretSpecs: string[]
  /** Push by digest only, with no tag, to these image names. */
  pushByDigestTo?: string[]
  /** Export the image as an OCI layout into this folder (as well as a load). */
  layoutDir?: string
}

function repeated(flag: string, values: string[]): string[] {
  return values.flatMap(value => [flag, value])
}

/**
 * `--secret` specs, none holding a value: `secrets` are in files already, secret-files paths,
 * secret-envs names.
 */
function secretSpecs(request: BuildRequest): string[] {
  const { secretFiles, secretEnvs } = request.build
  const spec = (input: string, key: string) => (line: string, i: number) => {
    const { id, value } = splitSecret(line, i, input)
    return `id=${id},${key}=${value}`
  }
  return [
    ...request.secretSpecs,
    ...secretFiles.map(spec('secret-files', 'src')),
    ...secretEnvs.map(spec('secret-envs', 'env'))
  ]
}

/**
 * `reproducible: true`: BuildKit (>= 0.13) stamps the files with
 * SOURCE_DATE_EPOCH, on the exporters that write a registry's bytes only (the
 * docker exporter refuses it beside containerd's `unpack`).
 */
const rewriteTimestamp = (build: BuildSettings) =>
  build.reproducible ? ',rewrite-timestamp=true' : ''

function outputArgs(request: BuildRequest): string[] {
  const { build, pushByDigestTo } = request
  if (pushByDigestTo !== undefined) {
    // buildx reads --output as CSV: several names need a quoted field
    const names = pushByDigestTo.join(',')
    const name = pushByDigestTo.length > 1 ? `"name=${names}"` : `name=${names}`
    return [
      '--output',
      `type=image,${name},push-by-digest=true,name-canonical=true,push=true` +
        rewriteTimestamp(build)
    ]
  }
  const layout =
    request.layoutDir === undefined
      ? []
      : [
          '--output',
          `type=oci,dest=${request.layoutDir},tar=false${rewriteTimestamp(build)}`
        ]
  const args = [
    ...layout,
    ...repeated('--output', build.outputs),
    ...(build.push ? ['--push'] : [])
  ]
  if (!build.load) return args
  // beside a layout, buildx 0.13's --load (Docker media types) leaves the
  // layout's index.json naming a manifest list the layout does not hold
  return layout.length > 0
    ? [...args, '--output', 'type=docker,oci-mediatypes=true']
    : [...args, '--load']
}

/** Annotations at each DOCKER_METADATA_ANNOTATIONS_LEVELS level (a leveled line as given). */
function atLevels(lines: string[], levels: string[] | undefined): string[] {
  if (levels === undefined) return lines
  return lines.flatMap(line =>
    /^[a-z-]+(\[[^\]]*\])?(,[a-z-]+(\[[^\]]*\])?)*:/.test(line)
      ? [line]
      : levels.map(level => `${level}:${line}`)
  )
}

function optional(flag: string, value: string): string[] {
  return value === '' ? [] : [flag, value]
}

/** build-push-action's options that pass to buildx as given. */
function optionArgs(build: BuildSettings): string[] {
  return [
    ...repeated('--add-host', build.addHosts),
    ...repeated('--allow', build.allow),
    // provenance, sbom and attests merged (attest.ts)
    ...repeated('--attest', attestValues(build)),
    ...callArgs(build.call),
    ...optional('--cgroup-parent', build.cgroupParent),
    ...optional('--network', build.network),
    ...repeated('--no-cache-filter', build.noCacheFilters),
    ...optional('--shm-size', build.shmSize),
    ...repeated('--ulimit', build.ulimits)
  ]
}

/** argv (after `docker`) for one `buildx build`; nothing secret ever goes in it. */
export function buildxBuildArgs(request: BuildRequest): string[] {
  const { build } = request
  const tags = request.pushByDigestTo === undefined ? request.refs : []
  return [
    'buildx',
    'build',
    ...optional('--builder', build.builder),
    ...optional('--file', build.file),
    ...optional('--target', build.target),
    ...optional('--platform', build.platforms.join(',')),
    ...repeated('--tag', tags),
    ...repeated('--label', formatKeyValues(request.labels)),
    ...repeated(
      '--annotation',
      atLevels(formatKeyValues(request.annotations), build.annotationLevels)
    ),
    ...repeated(
      '--annotation',
      formatKeyValues(build.indexAnnotations ?? {}).map(line => `index:${line}`)
    ),
    ...repeated('--build-arg', build.buildArgs),
    ...repeated('--build-context', build.buildContexts),
    ...repeated('--cache-from', build.cacheFrom),
    ...repeated('--cache-to', build.cacheTo),
    ...repeated('--secret', secretSpecs(request)),
    ...repeated('--ssh', build.ssh),
    ...optionArgs(build),
    ...(build.pull ? ['--pull'] : []),
    ...(build.noCache ? ['--no-cache'] : []),
    ...outputArgs(request),
    '--metadata-file',
    request.metadataFile,
    build.context
  ]
}

/** argv for the classic `docker build` (no buildx): the options it understands. */
export function classicBuildArgs(
  job: Pick<BuildRequest, 'build' | 'refs' | 'labels'>,
  iidFile: string
): string[] {
  const { build } = job
  return [
    'build',
    ...optional('--file', build.file),
    ...optional('--target', build.target),
    ...optional('--platform', build.platforms[0] ?? ''),
    ...repeated('--tag', job.refs),
    ...repeated('--label', formatKeyValues(job.labels)),
    ...repeated('--build-arg', build.buildArgs),
    ...(build.pull ? ['--pull'] : []),
    ...(build.noCache ? ['--no-cache'] : []),
    '--iidfile',
    iidFile,
    build.context
  ]
}
