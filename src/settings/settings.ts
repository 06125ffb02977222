import { InputError } from '../shared/input-error.js'
import { readReferenceTags, splitReferenceLists } from './reference-tags.js'
import { splitSecret } from '../shared/secret-lines.js'
import { parseImageReference, type Image } from '../reference/images.js'
import { parseImages } from './image-lines.js'
import {
  parseBoolean,
  parseChoice,
  parseCount,
  parseLines,
  parseList,
  type InputSource
} from './parse.js'
import {
  evaluatesOnly,
  parseBuildOptions,
  type BuildOptions
} from './build-options.js'
import { parseInputList } from './input-list.js'
import { validatePlatforms } from './platforms.js'
import { parseLogins, type EmptyLogin, type Login } from './logins.js'
import {
  checkAnnotations,
  checkBuildArgs,
  checkBuildContexts,
  checkCacheLines
} from './build-lines.js'
import { checkBranchName } from './branch-name.js'
import { checkSigning, parseSigning, type SigningSettings } from './signing.js'
import {
  expandBuildContexts,
  gitAuthSecret,
  LOCAL_ORIGIN,
  parseContext,
  type ContextOrigin
} from './build-context.js'

export const MODES = ['build', 'promote', 'digest', 'merge'] as const
export const IMMUTABLE_POLICIES = ['error', 'skip', 'overwrite'] as const

/** Every input of the action, parsed and validated once, before any docker command. */
export interface Settings {
  mode: (typeof MODES)[number]
  /** Print the plan and set outputs; run nothing that changes anything. */
  dryRun: boolean
  images: Image[]
  /** Tag rule lines (metadata-action syntax); empty means zero-config defaults. */
  tags: string[]
  flavor: string[]
  /** Overrides the default branch read from the event payload. */
  defaultBranch: string
  /** User labels and annotations (key=value lines); they win over computed ones. */
  labels: string[]
  annotations: string[]
  /** Image to copy in promote mode (a tag or a digest reference). */
  source: string
  /** Credentials per registry, from username/password and the logins list. */
  logins: Login[]
  /** Logins whose password came empty (an unset secret): never logged in. */
  emptyLogins: EmptyLogin[]
  /**
   * login-action's `logout`: false also logs in to the user's docker config,
   * so the logins outlive the job as login-action's do.
   */
  logout: boolean
  build: BuildSettings
  /** sep-tags, sep-labels, sep-annotations: join the multi-line outputs. */
  separators: Separators
  /** metadata-action's bake-target: the target the bake-file outputs define. */
  bakeTarget: string
  /** Floating tags only move forward (SPEC §2). */
  floatingGuard: boolean
  immutableTags: (typeof IMMUTABLE_POLICIES)[number]
  /** How often a transient registry fault is retried. */
  retries: number
  /** Seconds one registry request may take before it counts as a transient fault. */
  registryTimeout: number
  /** sign, signing-key, signing-password, verify-key. */
  signing: SigningSettings
  /** buildx's attestations also attached as OCI 1.1 referrers of the platform manifests. */
  referrers: boolean
}

/** metadata-action's separators of the multi-line outputs. */
export interface Separators {
  tags: string
  labels: string
  annotations: string
}

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
  cacheFrom: string[]
  cacheTo: string[]
  /**
   * `id=value` lines; each value goes to a file of ours, never argv. The last
   * one is github-token's GIT_AUTH_TOKEN.<host> when a Git context needs it.
   */
  secrets: string[]
  /** `id=path` lines: the user's files, passed as `id=…,src=path`. */
  secretFiles: string[]
  /** `id=VARIABLE` lines: buildx reads the variable, `id=…,env=VARIABLE`. */
  secretEnvs: string[]
  ssh: string[]
  /**
   * build-push-action's provenance and sbom: true, false or attributes;
   * undefined when not given (provenance then has build-push-action's
   * default, see defaultProvenance; sbom is not made).
   */
  provenance?: string
  sbom?: string
  builder: string
  /** Set by the pipeline for the builder: the provenance a run gets by default. */
  defaultProvenance?: string
  /** Set by the pipeline: the workflow run URL, provenance's builder-id. */
  builderId?: string
  /** Set by the pipeline: DOCKER_METADATA_ANNOTATIONS_LEVELS, e.g. manifest,index. */
  annotationLevels?: string[]
}

/** An attestation input: true, false or attributes; undefined when not given. */
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

/** `id=…` lines, checked before any plan is printed. */
function requireSecretIds(lines: string[], input: string): string[] {
  lines.forEach((line, index) => splitSecret(line, index, input))
  return lines
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `id=VARIABLE` lines whose VARIABLE is an environment variable name. */
function requireSecretEnvs(lines: string[]): string[] {
  lines.forEach((line, index) => {
    const { value } = splitSecret(line, index, 'secret-envs')
    if (!ENV_NAME.test(value))
      throw new InputError(
        'secret-envs',
        line,
        'expected id=VARIABLE lines naming an environment variable (letters, digits, _), e.g. NPM_TOKEN=NPM_TOKEN'
      )
  })
  return lines
}

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
    secretEnvs: requireSecretEnvs(parseInputList(source, 'secret-envs'))
  }
}

function parseBuild(
  source: InputSource,
  mode: Settings['mode'],
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
    {
      context,
      buildContexts,
      secretLines: [
        { input: 'secrets', lines: secrets.secrets },
        { input: 'secret-files', lines: secrets.secretFiles },
        { input: 'secret-envs', lines: secrets.secretEnvs }
      ]
    },
    origin
  )
  return {
    context,
    file: source('file').trim(),
    target: source('target').trim(),
    buildArgs: checkBuildArgs(parseLines(source, 'build-args')),
    buildContexts,
    platforms: validatePlatforms(parseList(source, 'platforms')),
    push: parseBoolean(source, 'push', true),
    load: parseBoolean(source, 'load', false),
    pull: parseBoolean(source, 'pull', false),
    noCache: parseBoolean(source, 'no-cache', false),
    cacheFrom: checkCacheLines(parseLines(source, 'cache-from'), 'cache-from'),
    cacheTo: checkCacheLines(parseLines(source, 'cache-to'), 'cache-to'),
    ...secrets,
    secrets: [...secrets.secrets, ...gitAuth],
    ssh: parseLines(source, 'ssh'),
    provenance: parseAttestation(source, 'provenance'),
    sbom: parseAttestation(source, 'sbom'),
    builder: source('builder').trim(),
    ...parseBuildOptions(source)
  }
}

function requireKeyValues(lines: string[], input: string): string[] {
  for (const line of lines)
    if (!/^[^=\s][^=]*=/.test(line))
      throw new InputError(input, line, 'expected key=value lines')
  return lines
}

/**
 * Read untrimmed, as the peers read them: a separator may be a space
 * (metadata-action), a secret may end in one (build-push-action).
 */
export const UNTRIMMED_INPUTS = [
  'sep-tags',
  'sep-labels',
  'sep-annotations',
  'secrets'
]

/** metadata-action uses the value as given (no escapes), newline when empty. */
function parseSeparators(source: InputSource): Separators {
  const read = (name: string): string => source(name) || '\n'
  return {
    tags: read('sep-tags'),
    labels: read('sep-labels'),
    annotations: read('sep-annotations')
  }
}

// buildx bake's own rule for a target name
const BAKE_TARGET = /^[a-zA-Z0-9_-]+$/

function parseBakeTarget(source: InputSource): string {
  const target = source('bake-target').trim()
  if (target === '') return 'docker-metadata-action'
  if (!BAKE_TARGET.test(target))
    throw new InputError(
      'bake-target',
      target,
      'a bake target name: letters, digits, "_" and "-" only'
    )
  return target
}

/**
 * `origin` says where `{{defaultContext}}` points: the Git context of an
 * Actions run, or (the default, the CLI's) the local checkout.
 */
export async function parseSettings(
  source: InputSource,
  origin: ContextOrigin = LOCAL_ORIGIN
): Promise<Settings> {
  const mode = parseChoice(source, 'mode', MODES, 'build')
  const listed = parseImages(parseLines(source, 'images'))
  const tagLines = splitReferenceLists(parseLines(source, 'tags'))
  const flavor = parseLines(source, 'flavor')
  const references = readReferenceTags(tagLines, listed, flavor)
  const images = references?.images ?? listed
  const promoteFrom = source('source').trim()
  // checked here, before any docker command
  if (promoteFrom !== '') parseImageReference(promoteFrom, 'source')
  // the pair goes to the images' registries only: a promotion source on
  // another host needs its own logins entry (SECURITY.md)
  const logins = await parseLogins(
    source,
    images.map(i => i.registry)
  )
  const settings: Settings = {
    mode,
    dryRun: parseBoolean(source, 'dry-run', false),
    images,
    tags: references?.tags ?? tagLines,
    flavor: references?.flavor ?? flavor,
    defaultBranch: checkBranchName(
      source('default-branch').trim(),
      'default-branch'
    ),
    labels: requireKeyValues(parseLines(source, 'labels'), 'labels'),
    annotations: checkAnnotations(
      requireKeyValues(parseLines(source, 'annotations'), 'annotations')
    ),
    source: promoteFrom,
    logins: logins.logins,
    emptyLogins: logins.empty,
    logout: parseBoolean(source, 'logout', true),
    build: parseBuild(source, mode, origin),
    separators: parseSeparators(source),
    bakeTarget: parseBakeTarget(source),
    floatingGuard: parseBoolean(source, 'floating-guard', true),
    immutableTags: parseChoice(
      source,
      'immutable-tags',
      IMMUTABLE_POLICIES,
      'error'
    ),
    retries: parseCount(source, 'retries', 3, 10),
    registryTimeout: parseCount(source, 'registry-timeout', 30, 600, 1),
    signing: parseSigning(source),
    referrers: parseBoolean(source, 'referrers', false)
  }
  if (source('referrers').trim() === '')
    settings.referrers = referrersAsked(settings)
  checkCombinations(settings)
  checkReferrers(settings)
  checkSigning(
    settings.signing,
    mode,
    pushes(settings) &&
      settings.build.outputs.length === 0 &&
      !evaluatesOnly(settings.build.call)
  )
  return settings
}

/**
 * referrers left empty: on where the inputs ask for attestations
 * (`provenance`, `sbom` or `attests` set, and not turned off) and the run
 * publishes a build's index (build with push, merge); build-push-action's
 * default provenance alone attaches none, so a default run adds no tag.
 */
function referrersAsked(settings: Settings): boolean {
  const { provenance, sbom, attests, push } = settings.build
  const asks = (value: string | undefined) =>
    value !== undefined && value !== 'false' && !/disabled=true/.test(value)
  const asked = asks(provenance) || asks(sbom) || attests.length > 0
  return (
    asked && (settings.mode === 'merge' || (settings.mode === 'build' && push))
  )
}

/** referrers: true attaches what a publishing run's image carries. */
function checkReferrers(settings: Settings): void {
  if (!settings.referrers) return
  if (settings.mode === 'digest')
    throw new InputError(
      'referrers',
      'true',
      'mode "digest" stages one platform: attach the attestations in the mode "merge" job, which publishes the index'
    )
  if (settings.mode === 'build' && !settings.build.push)
    throw new InputError(
      'referrers',
      'true',
      'attaching attestations needs the image pushed (push: true)'
    )
}

/** Whether the run pushes to a registry: every mode but build, and build with push. */
export function pushes(settings: Pick<Settings, 'mode' | 'build'>): boolean {
  return settings.mode !== 'build' || settings.build.push
}

function checkCombinations(settings: Settings): void {
  const { platforms } = settings.build
  if (settings.mode === 'digest' && platforms.length !== 1)
    throw new InputError(
      'platforms',
      platforms.join(','),
      'mode "digest" builds one platform per runner: set it to one, e.g. ${{ matrix.platform }}'
    )
  if (settings.mode === 'merge' && platforms.length === 0)
    throw new InputError(
      'platforms',
      '',
      'mode "merge" joins the platforms the digest jobs built: list them, e.g. linux/amd64,linux/arm64'
    )
  if (settings.mode === 'promote' && settings.source === '')
    throw new InputError(
      'source',
      '',
      'mode "promote" needs the image to copy, e.g. registry/app:sha-1a2b3c4'
    )
  if (
    !settings.logout &&
    settings.logins.length + settings.emptyLogins.length === 0
  )
    throw new InputError(
      'logout',
      'false',
      "it keeps this action's logins after the job, and none is given: set username and password, or logins"
    )
  if (pushes(settings) && settings.images.length === 0)
    throw new InputError(
      'images',
      '',
      `mode "${settings.mode}" with push needs at least one image name`
    )
}
