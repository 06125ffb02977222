import { InputError } from '../errors/input-error.js'
import { readReferenceTags, splitReferenceLists } from './reference-tags.js'
import {
  parseImageReference,
  type Image,
  type ImageReference
} from '../reference/images.js'
import { parseImages } from './image-lines.js'
import {
  checkEach,
  parseBoolean,
  parseChoice,
  parseCount,
  parseLines,
  parseValue,
  type InputSource
} from './parse.js'
import { evaluatesOnly } from './build-options.js'
import { parseLogins, type EmptyLogin, type Login } from './logins.js'
import { checkAnnotations } from './build-lines.js'
import { checkBranchName } from './branch-name.js'
import { checkSigning, parseSigning, type SigningSettings } from './signing.js'
import { LOCAL_ORIGIN, type ContextOrigin } from './build-context.js'
import { parseBuild, type BuildSettings } from './build-settings.js'
import { parseHandover } from './leg-outputs.js'
import { rollbackReason, rollbackSource, rollbackTags } from './rollback.js'
import {
  parseCleanup,
  type CleanupSettings
} from '../cleanup/cleanup-settings.js'
import {
  attestedSbom,
  parseGithubAttestations,
  type AttestationsAsked
} from './github-attestations.js'

const MODES = [
  'build',
  'promote',
  'digest',
  'merge',
  'gate',
  'rollback',
  'cleanup'
] as const
const IMMUTABLE_POLICIES = ['error', 'skip', 'overwrite'] as const

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
  /**
   * Image to copy in promote mode (a tag or a digest reference); rollback's release to go back to,
   * in the first image's repository.
   */
  source: ImageReference | undefined
  /** mode rollback: why the floating tags go back (the withdrawn mark carries it). */
  reason: string
  /** Credentials per registry, from username/password and the logins list. */
  logins: Login[]
  /** Logins whose password came empty (an unset secret): never logged in. */
  emptyLogins: EmptyLogin[]
  /**
   * login-action's `logout`: false also logs in to the user's docker config, to outlive the job.
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
  /** GitHub's artifact attestations (the run decides the default: plan/publication.ts). */
  githubAttestations: AttestationsAsked
  /**
   * The handover through job outputs: digest, `handover: outputs` (empty); merge and gate, each
   * platform's digests from the JSON of needs.<job>.outputs. Undefined: artifacts, else tags.
   */
  handover?: Map<string, string[]>
  /** A shell line run on the staged image before any tag moves; exit 0 lets them move. */
  gate: string
  /** Seconds the gate may run. */
  gateTimeout: number
  /** mode cleanup: cleanup, older-than, keep. */
  cleanup: CleanupSettings
}

/** metadata-action's separators of the multi-line outputs. */
type Separators = Record<'tags' | 'labels' | 'annotations', string>

function requireKeyValues(lines: string[], input: string): string[] {
  return checkEach(
    input,
    lines,
    line => /^[^=\s][^=]*=/.test(line),
    'expected key=value lines'
  )
}

/** Read untrimmed, as the peers do: a separator may be a space, a secret may end in one. */
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
/** metadata-action's bake-target when none is given. */
export const DEFAULT_BAKE_TARGET = 'docker-metadata-action'

function parseBakeTarget(source: InputSource): string {
  const target = parseValue(
    source,
    'bake-target',
    value => BAKE_TARGET.test(value),
    'a bake target name: letters, digits, "_" and "-" only'
  )
  return target || DEFAULT_BAKE_TARGET
}

/** The images, their tags and flavor (rules, or build-push-action's references), the source. */
function parseImagesAndTags(source: InputSource, mode: Settings['mode']) {
  const listed = parseImages(parseLines(source, 'images'))
  const from = source('source').trim()
  if (mode === 'rollback') {
    const tags = rollbackTags(parseLines(source, 'tags'))
    return {
      images: listed,
      tags,
      flavor: parseLines(source, 'flavor'),
      source: from === '' ? undefined : rollbackSource(from, listed, tags),
      reason: rollbackReason(source('reason'))
    }
  }
  if (from !== '' && mode !== 'promote')
    throw new InputError(
      'source',
      from,
      `only modes "promote" and "rollback" read a source; mode is "${mode}"`
    )
  const tagLines = splitReferenceLists(parseLines(source, 'tags'))
  const flavor = parseLines(source, 'flavor')
  const references = readReferenceTags(tagLines, listed, flavor)
  return {
    images: references?.images ?? listed,
    tags: references?.tags ?? tagLines,
    flavor: references?.flavor ?? flavor,
    source: from === '' ? undefined : parseImageReference(from, 'source'),
    reason: source('reason').trim()
  }
}

/** What no single input can tell alone: the inputs that do not go together. */
function checkTogether(settings: Settings): void {
  checkCombinations(settings)
  checkReferrers(settings)
  checkGate(settings)
  checkSigning(
    settings.signing,
    settings.mode,
    settings.build.push &&
      settings.build.outputs.length === 0 &&
      !evaluatesOnly(settings.build.call)
  )
}

/**
 * `origin`: where `{{defaultContext}}` points (an Actions run's Git context, else the checkout).
 */
export async function parseSettings(
  source: InputSource,
  origin: ContextOrigin = LOCAL_ORIGIN
): Promise<Settings> {
  const mode = parseChoice(source, 'mode', MODES, 'build')
  const targets = parseImagesAndTags(source, mode)
  // the pair goes to the images' registries only (SECURITY.md)
  const logins = await parseLogins(
    source,
    targets.images.map(i => i.registry)
  )
  const settings: Settings = {
    mode,
    dryRun: parseBoolean(source, 'dry-run', false),
    ...targets,
    defaultBranch: checkBranchName(source('default-branch').trim()),
    labels: requireKeyValues(parseLines(source, 'labels'), 'labels'),
    annotations: checkAnnotations(
      requireKeyValues(parseLines(source, 'annotations'), 'annotations')
    ),
    ...logins,
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
    referrers: parseBoolean(source, 'referrers', false),
    githubAttestations: parseGithubAttestations(source),
    gate: source('gate').trim(),
    gateTimeout: parseCount(source, 'gate-timeout', 600, 21600, 1),
    cleanup: parseCleanup(source, mode)
  }
  // a merge attests the SBOMs its legs' builds made: it builds nothing, so asks for none
  if (mode === 'build')
    settings.build.sbom = attestedSbom(
      settings.githubAttestations,
      settings.build
    )
  if (source('referrers').trim() === '')
    settings.referrers = referrersAsked(settings)
  checkLegPlatforms(settings)
  refuseUnusedByGate(source, mode)
  const handover = readHandover(source, settings)
  const complete = handover ? { ...settings, handover } : settings
  checkTogether(complete)
  return complete
}

/** `handover`: mode digest's `outputs`, modes merge's and gate's JSON of the legs' job outputs. */
function readHandover(
  source: InputSource,
  { mode, build, images }: Settings
): Map<string, string[]> | undefined {
  const value = source('handover').trim()
  if (mode === 'gate' && value === '')
    throw new InputError(
      'handover',
      '',
      'mode "gate" gates the legs named by the JSON of needs.<job>.outputs'
    )
  if (value === '') return undefined
  if (mode === 'digest' && value === 'outputs') return new Map()
  // push: false: the legs handed nothing over, and the merge joins nothing
  if (mode === 'merge' && !build.push) return undefined
  if (mode === 'merge' || mode === 'gate')
    return parseHandover(value, build.platforms, images.length)
  throw new InputError(
    'handover',
    value.slice(0, 80),
    'mode "digest" takes outputs (the leg writes its step output leg-<platform>), modes "merge" ' +
      'and "gate" the JSON of needs.<job>.outputs'
  )
}

/** referrers empty: on where attestations are asked for and the run publishes a build's index. */
function referrersAsked(settings: Settings): boolean {
  const { provenance, sbom, attests, push } = settings.build
  const asks = (value: string | undefined) =>
    value !== undefined && value !== 'false' && !/disabled=true/.test(value)
  const asked = asks(provenance) || asks(sbom) || attests.length > 0
  const publishes = settings.mode === 'merge' || settings.mode === 'build'
  return asked && publishes && push
}

/** referrers: true attaches what a publishing run's image carries. */
function checkReferrers(settings: Settings): void {
  if (!settings.referrers) return
  if (settings.mode === 'digest')
    throw new InputError(
      'referrers',
      'true',
      'mode "digest" stages one platform: attach the attestations in the mode "merge" job, ' +
        'which publishes the index'
    )
  if (!settings.build.push)
    throw new InputError(
      'referrers',
      'true',
      'attaching attestations needs the image pushed (push: true)'
    )
}

/** gate: an image to run it on, staged in a registry or loaded into the engine. */
function checkGate({ gate, mode, build }: Settings): void {
  const refuse = (why: string) => {
    throw new InputError('gate', gate, why)
  }
  if (gate === '' && mode === 'gate')
    refuse('mode "gate" runs the gate on each leg: name its command')
  if (gate === '') return
  // a leg holds the push credentials and the build's secrets, which a gate beside them could reach
  if (mode === 'digest')
    refuse(
      'mode "digest" holds the push credentials: gate the legs in a mode "gate" job of its own, ' +
        'between the legs and the merge'
    )
  if (
    mode === 'build' &&
    (build.outputs.length > 0 || evaluatesOnly(build.call))
  )
    refuse(
      'outputs or call send the build elsewhere: the gate has no image to read'
    )
  if (mode === 'build' && !build.push && !build.load)
    refuse(
      'with push: false the gate reads the built image from the engine: set load: true'
    )
}

/**
 * Inputs mode gate has no use for: it builds, tags and attaches nothing, and what it holds the
 * gate (third-party code) could read.
 */
const UNUSED_BY_GATE = [
  'tags',
  'flavor',
  'build-args',
  'cache-to',
  'secrets',
  'secret-files',
  'secret-envs'
]
const SECRET_INPUTS = new Set(['secrets', 'secret-files', 'secret-envs'])

function refuseUnusedByGate(source: InputSource, mode: Settings['mode']) {
  if (mode !== 'gate') return
  const given = UNUSED_BY_GATE.find(name => source(name).trim() !== '')
  if (given === undefined) return
  throw new InputError(
    given,
    SECRET_INPUTS.has(given) ? '***' : source(given).trim().slice(0, 80),
    'mode "gate" builds, tags and attaches nothing, and the gate could read what it holds: ' +
      'leave it to the legs and the merge'
  )
}

/** Modes merge and gate read one leg per platform: the list comes before the legs' handover. */
function checkLegPlatforms(settings: Settings): void {
  const { platforms } = settings.build
  if (
    (settings.mode === 'merge' || settings.mode === 'gate') &&
    platforms.length === 0
  )
    throw new InputError(
      'platforms',
      '',
      `mode "${settings.mode}" takes the platforms the digest jobs built: list them, e.g. ` +
        'linux/amd64,linux/arm64'
    )
}

function checkCombinations(settings: Settings): void {
  const { platforms } = settings.build
  if (settings.mode === 'digest' && platforms.length !== 1)
    throw new InputError(
      'platforms',
      platforms.join(','),
      'mode "digest" builds one platform per runner: set it to one, e.g. ${{ matrix.platform }}'
    )
  if (settings.mode === 'promote' || settings.mode === 'rollback')
    promoteSource(settings)
  if (settings.reason !== '' && settings.mode !== 'rollback')
    throw new InputError(
      'reason',
      settings.reason,
      'only mode "rollback" takes a reason'
    )
  if (
    !settings.logout &&
    settings.logins.length + settings.emptyLogins.length === 0
  )
    throw new InputError(
      'logout',
      'false',
      "it keeps this action's logins after the job, and none is given: set username and " +
        'password, or logins'
    )
  if (settings.build.push && settings.images.length === 0)
    throw new InputError(
      'images',
      '',
      `mode "${settings.mode}" with push needs at least one image name`
    )
}

/** promote's source image, rollback's release; either mode without one is an input error. */
export function promoteSource(settings: Settings): ImageReference {
  if (settings.source !== undefined) return settings.source
  throw new InputError(
    'source',
    '',
    settings.mode === 'rollback'
      ? 'mode "rollback" needs the release to go back to, e.g. 1.4.2'
      : 'mode "promote" needs the image to copy, e.g. registry/app:sha-1a2b3c4'
  )
}
