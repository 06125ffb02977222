/**
 * The build inputs (build-push-action's, under its names), each checked before any docker command.
 */
import { InputError } from '../errors/input-error.js'
import { splitSecret } from './secret-lines.js'
import {
  checkEach,
  parseBoolean,
  parseLines,
  type InputSource
} from './parse.js'
import { parseBuildOptions, type BuildOptions } from './build-options.js'
import { parseInputList } from '../csv/csv.js'
import { validatePlatforms } from './platforms.js'
import { parseImageReference } from '../reference/images.js'
import {
  checkBuildArgs,
  checkBuildContexts,
  checkCacheLines,
  parseCacheSetting,
  type CacheSetting
} from './build-lines.js'
import {
  expandBuildContexts,
  gitAuthSecret,
  parseContext,
  type ContextOrigin
} from './build-context.js'
import {
  parseBuildkitEndpoint,
  type BuildkitEndpoint
} from './buildkit-endpoint.js'

/** The build-push-action inputs, under the same names. */
export interface BuildSettings extends BuildOptions {
  /** A path, or a URL buildx fetches: by default the Git context of the commit. */
  context: string
  file: string
  target: string
  buildArgs: string[]
  buildContexts: string[]
  platforms: string[]
  push: boolean
  load: boolean
  pull: boolean
  noCache: boolean
  /** SOURCE_DATE_EPOCH passed and timestamps rewritten: off by default, as it costs the cache. */
  reproducible: boolean
  cacheFrom: string[]
  cacheTo: string[]
  /** The `cache` input; cache-from/cache-to, when given, win over it. */
  cache: CacheSetting
  /**
   * `id=value` lines, each value in a file of ours (never argv); github-token's last when needed.
   */
  secrets: string[]
  /** `id=path` lines: the user's files, passed as `id=…,src=path`. */
  secretFiles: string[]
  /** `id=VARIABLE` lines: buildx reads the variable, `id=…,env=VARIABLE`. */
  secretEnvs: string[]
  ssh: string[]
  /** true, false or attributes; undefined when not given (see defaultProvenance). */
  provenance?: string
  sbom?: string
  builder: string
  /** The binfmt image QEMU is installed from where the builder lacks a platform; '' when off. */
  qemu: string
  /** The BuildKit image of the docker-container builder a run makes for itself. */
  buildkitImage: string
  /** endpoint and tls-*: a remote BuildKit the run makes its own builder for. */
  remote?: BuildkitEndpoint
  /** Set by the pipeline for the builder: the provenance a run gets by default. */
  defaultProvenance?: string
  /** Set by the pipeline: the workflow run URL, provenance's builder-id. */
  builderId?: string
  /** Set by the pipeline: DOCKER_METADATA_ANNOTATIONS_LEVELS, e.g. manifest,index. */
  annotationLevels?: string[]
  /** Set by the pipeline where the build publishes an index: what its own annotations say. */
  indexAnnotations?: Record<string, string>
}

/** An attestation input: true, false or attributes; undefined when not given. */
/** Whether an attests line is of this type (`type=sbom,…`). */
export function isAttestType(line: string, type: string): boolean {
  return line.split(',').some(field => field.trim() === `type=${type}`)
}

function parseAttestation(
  source: InputSource,
  name: string
): string | undefined {
  const value = source(name).trim()
  if (value === '') return undefined
  if (/^(true|false)$/i.test(value)) return value.toLowerCase()
  if (!/^[a-z-]+=[^,]+(,[a-z-]+=[^,]+)*$/.test(value))
    throw new InputError(
      name,
      value,
      'expected true, false or key=value attributes like mode=max'
    )
  return value
}

/**
 * The images the step runs itself, pinned by digest (SECURITY.md says where each digest is
 * from): setup-qemu-action's binfmt image, and buildx's BuildKit image for a docker-container
 * builder.
 */
export const PINNED_IMAGES = {
  qemu:
    'docker.io/tonistiigi/binfmt:latest@sha256:' +
    '400a4873b838d1b89194d982c45e5fb3cda4593fbfd7e08a02e76b03b21166f0',
  'buildkit-image':
    'moby/buildkit:buildx-stable-1@sha256:' +
    '2f5adac4ecd194d9f8c10b7b5d7bceb5186853db1b26e5abd3a657af0b7e26ec'
}

/** An image input: a reference, or the pinned default when empty. */
function parseImageInput(
  input: keyof typeof PINNED_IMAGES,
  value: string,
  expected: string
): string {
  if (value === '') return PINNED_IMAGES[input]
  // name, name:tag, name@digest, or name:tag@digest as the defaults (docker runs each)
  const at = value.indexOf('@')
  const named = at < 0 ? value : value.slice(0, at)
  const colon = named.lastIndexOf(':')
  const name = colon > named.lastIndexOf('/') ? named.slice(0, colon) : named
  try {
    parseImageReference(named, input)
    if (at >= 0) parseImageReference(name + value.slice(at), input)
  } catch {
    throw new InputError(
      input,
      value,
      `expected ${expected} (e.g. ${PINNED_IMAGES[input]})`
    )
  }
  return value
}

/** qemu: auto (or true), false, or the tonistiigi/binfmt image to install from. */
function parseQemu(value: string): string {
  if (/^(auto|true)$/i.test(value)) return PINNED_IMAGES.qemu
  if (/^false$/i.test(value)) return ''
  return parseImageInput(
    'qemu',
    value,
    'auto, false, or the tonistiigi/binfmt image to install QEMU from'
  )
}

/** `id=…` lines, checked before any plan is printed. */
function requireSecretIds(lines: string[], input: string): string[] {
  lines.forEach((line, index) => splitSecret(line, index, input))
  return lines
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The secret inputs, read as build-push-action reads them. */
function parseSecrets(
  source: InputSource
): Pick<BuildSettings, 'secrets' | 'secretFiles' | 'secretEnvs'> {
  const secrets = parseInputList(source, 'secrets', {
    ignoreComma: true,
    trimWhitespace: false
  })
  const files = parseInputList(source, 'secret-files', { ignoreComma: true })
  return {
    secrets: requireSecretIds(secrets, 'secrets'),
    secretFiles: requireSecretIds(files, 'secret-files'),
    // `id=VARIABLE` lines whose VARIABLE is an environment variable name
    secretEnvs: checkEach(
      'secret-envs',
      parseInputList(source, 'secret-envs'),
      (line, index) =>
        ENV_NAME.test(splitSecret(line, index, 'secret-envs').value),
      'expected id=VARIABLE lines naming an environment variable (letters, digits, _), e.g. ' +
        'NPM_TOKEN=NPM_TOKEN'
    )
  }
}

/** The build inputs; `mode` decides what an empty `context` means. */
export function parseBuild(
  source: InputSource,
  mode: string,
  origin: ContextOrigin
): BuildSettings {
  const context = parseContext(source, mode, origin)
  const buildContexts = expandBuildContexts(
    checkBuildContexts(parseLines(source, 'build-contexts')),
    origin
  )
  const secrets = parseSecrets(source)
  const gitAuth = gitAuthSecret(
    source('github-token').trim(),
    { context, buildContexts, ...secrets },
    origin
  )
  return {
    context,
    file: source('file').trim(),
    target: source('target').trim(),
    buildArgs: checkBuildArgs(parseLines(source, 'build-args')),
    buildContexts,
    platforms: validatePlatforms(
      parseInputList(source, 'platforms', { quote: false, comments: true })
    ),
    push: parseBoolean(source, 'push', true),
    load: parseBoolean(source, 'load', false),
    pull: parseBoolean(source, 'pull', false),
    noCache: parseBoolean(source, 'no-cache', false),
    reproducible: parseBoolean(source, 'reproducible', false),
    cacheFrom: checkCacheLines(parseLines(source, 'cache-from'), 'cache-from'),
    cacheTo: checkCacheLines(parseLines(source, 'cache-to'), 'cache-to'),
    cache: parseCacheSetting(source('cache')),
    ...secrets,
    secrets: [...secrets.secrets, ...gitAuth],
    ssh: parseLines(source, 'ssh'),
    provenance: parseAttestation(source, 'provenance'),
    sbom: parseAttestation(source, 'sbom'),
    builder: source('builder').trim(),
    qemu: parseQemu(source('qemu').trim()),
    buildkitImage: parseImageInput(
      'buildkit-image',
      source('buildkit-image').trim(),
      'the BuildKit image of the builder the step makes'
    ),
    remote: parseBuildkitEndpoint(source, source('builder').trim()),
    ...parseBuildOptions(source)
  }
}
