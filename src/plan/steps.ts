/**
 * A run as data: every docker command and registry request it makes, in
 * order. The dry run prints these steps, the `plan` output carries them, and
 * the executor runs exactly them; no other model of what a mode does exists.
 */
import { formatCommand } from '../argv/format.js'
import type { Image } from '../reference/images.js'
import { apiUrl } from '../reference/repository.js'
import type { Tag } from '../tags/tag-types.js'

type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE'

/** Stands for the image's digest until an earlier step has learnt it. */
export const DIGEST = '<digest>'
/** Stands for the source image's digest (promote) until it has been read. */
export const SOURCE_DIGEST = '<source digest>'
/** Stands for the built image's id in the local store until the build has named it. */
export const IMAGE_ID = '<image id>'
/** Stands for the first tag a cache import could read, until the image's tag list is read. */
export const CACHE_TAG = '<cache tag>'

export type StepName =
  /** GET /v2/ as the user, then the credentials kept in the run's docker config */
  | 'login'
  /** logout: false: docker login into the user's own docker config, kept after the job */
  | 'keep-login'
  /** docker run --privileged tonistiigi/binfmt --install: QEMU for platforms the builder lacks */
  | 'emulation'
  /** buildx create --bootstrap: the run's own builder (a cleanup step removes it) */
  | 'builder'
  /** docker pull: an earlier tag of the image, whose inline cache the build reads in the engine */
  | 'cache'
  /** buildx build (or the classic docker build) */
  | 'build'
  /** buildx build --call check: the build checks, read and reported */
  | 'check'
  /** docker save: the image out of the classic store, as an OCI layout with compressed layers */
  | 'save'
  /**
   * the layers an earlier image of these tags holds in the registry, read while the build runs:
   * the save names them, an exported layout is seeded with them (plan/held-steps.ts); unread, they
   * are saved or exported as the others
   */
  | 'layers'
  /** the OCI layout uploaded by digest (blobs, then manifests): no tag */
  | 'upload'
  /** mode digest: the leg's image named where the merge finds it (artifact, else tag) */
  | 'handover'
  /** the image into the local store under its tags (load: true) */
  | 'load'
  /** promote: the digest the source points at */
  | 'source'
  /** rollback: the digest of the release to go back to, in each image's repository */
  | 'release'
  /** promote within a registry: blobs mounted, child manifests put by digest */
  | 'mount'
  /** promote within a registry: the manifest put by digest */
  | 'copy'
  /** merge: the digest each platform's leg handed over (its artifact, else its tag) */
  | 'staged'
  /** imagetools create --dry-run: the digest before anything is written */
  | 'predict'
  /** imagetools create by digest: the image lands, no tag moves */
  | 'index'
  /**
   * the user's gate: a shell line run on the staged image (mode gate: on each leg's); anything but
   * exit 0 moves no tag
   */
  | 'gate'
  /**
   * github-attestations: GitHub's build provenance of the staged digests, stored with the
   * attestations API, then attached as OCI 1.1 referrers
   */
  | 'provenance'
  /** the fresh read the guards decide on */
  | 'read'
  /** a release tag read again right before any tag moves: did another run write it since? */
  | 'recheck'
  /** one tag pointed at the digest (manifest PUT) */
  | 'tag'
  /** the labels of the image a release tag holds: is it this commit's? */
  | 'revision'
  /** the referrers of the digest floating tags would move to: did a rollback withdraw it? */
  | 'withdrawn'
  /** what the registry holds for our tags afterwards */
  | 'read-back'
  /** a floating tag another run moved, pointed where its line now ends */
  | 'repair'
  /** mode merge: a leg's handover index deleted once merged, and its tag with it */
  | 'discard'
  /** promote: the source's signatures checked against verify-key */
  | 'verify'
  /** promote: the source's signatures and attestations copied to the image */
  | 'carry'
  /** the run's digest signed (cosign's .sig tag) */
  | 'sign'
  /** buildx's attestations attached as OCI 1.1 referrers of their platform manifests */
  | 'attest'
  /** promote: the source's OCI 1.1 referrers copied to the image */
  | 'referrers'
  /**
   * github-attestations, for an organization: the image's storage record (promote: where the
   * source's provenance arrived; build and merge: where the run attested it, or none is held)
   */
  | 'record'
  /** rollback: the release the tags left marked withdrawn, an OCI 1.1 referrer of its digest */
  | 'withdraw'
  /** local leftovers of the run removed (never a registry write) */
  | 'cleanup'
  /** mode cleanup: a tombstone pushed by digest and deleted: does the registry delete? */
  | 'probe'
  /**
   * mode cleanup: an image read again right before the first removal: its tags (GHCR: its
   * package's versions), then the manifests they reach
   */
  | 'reread'
  /** mode cleanup: a manifest deleted by digest, or a tag through a tombstone */
  | 'remove'

export interface CommandStep {
  step: StepName
  /** argv after `docker`; never holds a secret. */
  argv: string[]
  /** keep-login: the registry whose password goes on stdin. */
  passwordFor?: string
  /** The registries the command talks to, to name the one that failed. */
  registries: string[]
  /** The image whose digest the command learns or uses. */
  image?: Image
  /** build and save: the OCI layout folder the image is written to; load: read from. */
  layout?: string
  /** load from a layout: the references the image is loaded under. */
  names?: string[]
  /** A build of one platform of several (a builder of several nodes). */
  platform?: string
  /**
   * build: the steps after it start once BuildKit has exported the image (its layout written, or
   * pushed by digest), while buildx still exports the cache: the push beside the cache export.
   */
  besideCacheExport?: boolean
  /** cleanup of a cache image: removed only where this run pulled it. */
  pulled?: string
  /**
   * cleanup of the run's own builder: all of it (`buildx rm`), or its node's container, then its
   * state volume once the container is gone.
   */
  removes?: 'builder' | 'node' | 'state'
  /** emulation: the builder asked first, and the platforms installed where it does not run them. */
  emulates?: { builder: string; platforms: string[] }
  /** gate, mode gate: the leg's image it runs on by digest (else the staged image). */
  gated?: { image: string; digest: string; platform: string }
}

export interface RequestStep {
  step: StepName
  method: HttpMethod
  url: string
  image: Image
  /** The tag or digest the request is about (may be DIGEST). */
  reference: string
  /** tag steps: the tag pointed. */
  tag?: Tag
  /** staged steps: the platform the digest leg built. */
  platform?: string
  /** A step that runs only when this holds (the log says when it was not needed). */
  when?: string
  /** upload: the OCI layout folder whose image goes up. */
  layout?: string
  /** login: the user whose credentials are checked, then stored in the run's docker config. */
  username?: string
  /** handover and staged through the run's artifacts: the leg's artifact. */
  artifact?: string
}

export type Step = CommandStep | RequestStep

/** A step as printed and as the `plan` output carries it (no secret in it). */
export type PlanStep =
  | Pick<CommandStep, 'step' | 'argv' | 'pulled' | 'gated'>
  | Pick<
      RequestStep,
      'step' | 'method' | 'url' | 'when' | 'username' | 'artifact'
    >

/** The phases a run goes through, in this order. */
export interface Pipeline {
  /** Logins (docker commands that need them come later). */
  login: Step[]
  /** The image lands in the registry with no tag anyone pulls moving, and its digest is learnt. */
  stage: Step[]
  /**
   * The gate input, run on the staged image before the read (no tag has moved yet); mode gate:
   * once on each leg.
   */
  gate: CommandStep[]
  /** github-attestations: the staged digests attested, before any tag moves. */
  provenance: RequestStep[]
  /** The registry read fresh: tag lists and where each of our tags points. */
  read: RequestStep[]
  /**
   * The release tags read again, then one PUT per tag: exact tags first, then floating; the guards
   * may hold some back.
   */
  tag: RequestStep[]
  /** What the registry holds for our tags once done. */
  readBack: RequestStep[]
  /** mode merge, once all went well: the legs' handover tags removed (the tag route). */
  discard: RequestStep[]
  /** Attestations attached as referrers, promote's carried; the published digest signed. */
  sign: RequestStep[]
  /** Local leftovers removed. */
  cleanup: CommandStep[]
  /** What the build's cache decision was, and why (modes that build). */
  cache?: string[]
}

/** A request about one manifest of `image`: `reference` is a tag or digest. */
export function manifestRequest(
  step: StepName,
  method: HttpMethod,
  image: Image,
  reference: string,
  more: Partial<RequestStep> = {}
): RequestStep {
  const url = apiUrl(image, `/v2/${image.repository}/manifests/${reference}`)
  return { step, method, url, image, reference, ...more }
}

/** How GitHub runs a `run:` line on Linux (its default shell), and so the gate's line. */
const GATE_SHELL = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c']

/** The gate input's step: its argv is the shell's, not docker's; `gated`: mode gate's leg. */
export const gateStep = (
  line: string,
  more: Pick<CommandStep, 'image' | 'gated'> = {}
): CommandStep => commandStep('gate', [...GATE_SHELL, line], [], more)

/** A docker command; `registries` name the one that failed. */
export function commandStep(
  step: StepName,
  argv: string[],
  registries: string[] = [],
  more: Partial<CommandStep> = {}
): CommandStep {
  return { step, argv, registries, ...more }
}

export function isCommand(step: Step): step is CommandStep {
  return 'argv' in step
}

const platformBuild = (step: Step) =>
  isCommand(step) && step.step === 'build' && step.platform !== undefined

/**
 * The steps in batches: the per-platform builds of a builder of several nodes side by side, any
 * other step alone.
 */
export function runBatches(steps: Step[]): Step[][] {
  const batches: Step[][] = []
  for (const step of steps) {
    const last = batches.at(-1)
    if (last !== undefined && platformBuild(step) && platformBuild(last[0]))
      last.push(step)
    else batches.push([step])
  }
  return batches
}

export function allSteps(pipeline: Pipeline): Step[] {
  return [
    ...pipeline.login,
    ...pipeline.stage,
    ...pipeline.gate,
    ...pipeline.read,
    ...pipeline.provenance,
    ...pipeline.tag,
    ...pipeline.readBack,
    ...pipeline.sign,
    ...pipeline.discard,
    ...pipeline.cleanup
  ]
}

/** The fields of a step that the plan shows, in its order: none holds a secret. */
const PUBLIC_FIELDS = [
  'step',
  'argv',
  'pulled',
  'gated',
  'method',
  'url',
  'when',
  'username',
  'artifact'
] as const

export function publicStep(step: Step): PlanStep {
  const fields: Partial<CommandStep & RequestStep> = step
  return Object.fromEntries(
    PUBLIC_FIELDS.filter(key => fields[key] !== undefined).map(key => [
      key,
      fields[key]
    ])
  ) as PlanStep
}

function requestText(
  step: RequestStep | Exclude<PlanStep, { argv: string[] }>
) {
  const when = step.when ? ` (only if ${step.when})` : ''
  const login =
    step.username === undefined
      ? ''
      : ` as ${step.username}, stored in this run's docker config`
  const artifact =
    step.artifact === undefined ? '' : ` (the run's artifact ${step.artifact})`
  return `${step.method} ${step.url}${login}${artifact}${when}`
}

/** One line per step, the same in the dry run's plan and the run's log. */
export function stepLine(step: Step | PlanStep): string {
  const pulled =
    'pulled' in step && step.pulled ? ' (only if this run pulled it)' : ''
  const gated =
    'gated' in step && step.gated
      ? `${step.gated.image}@${step.gated.digest} (${step.gated.platform})`
      : undefined
  const gate =
    step.step === 'gate'
      ? ` (on ${gated ?? 'the staged image'}: no tag moves unless exit 0)`
      : ''
  const what =
    'argv' in step
      ? `${gate ? '' : 'docker '}${formatCommand(step.argv)}${pulled}${gate}`
      : requestText(step)
  return `${step.step.padEnd(9)} ${what}`
}

/** The log line of a planned step that did not run, and why. */
export function notRunLine(step: Step, why: string): string {
  return `${stepLine(step)} — ${why}`
}
