/**
 * What a run learns and yields: its steps' values, its result, and the per-tag change the job
 * summary and the CLI print.
 */
import type { BuildMetadata } from '../buildx/metadata.js'
import type { Image } from '../reference/images.js'
import type { BorrowedLayers, HeldLayers } from '../layout/held-layers.js'
import type { Publication } from '../plan/publication.js'
import type { ListedArtifact } from '../plan/leg-handover.js'
import { DIGEST, IMAGE_ID, SOURCE_DIGEST } from '../plan/steps.js'

/** One pushed reference and the digest the registry holds for it. */
export interface Pushed {
  ref: string
  digest: string
}

/** What the registry holds for one of our references after the run ('' for nothing). */
export interface Held extends Pushed {
  /** The image of `ref`, by name. */
  image: string
}

/** Where one of our references pointed before the run, and that image's version label. */
export interface Before extends Pushed {
  /** org.opencontainers.image.version of a tag this run moves ('' unread or unlabelled). */
  version: string
}

/** One image's upload, as the job summary shows it. */
export interface Upload {
  image: string
  digest: string
  /** Blob bytes sent, mounted from another repository, and already there. */
  uploaded: number
  mounted: number
  present: number
  blobs: number
  ms: number
  /** Of `uploaded`, the bytes sent while buildx still wrote the layout (before `ms` began). */
  duringBuild?: number
}

/**
 * What a run produced: filled as it goes (so a failure can say what landed); empty on a dry run.
 */
export interface PublishResult {
  digest: string
  /** Each image's digest, in the order of `images` (a digest leg's handover output). */
  digests?: string[]
  imageid: string
  metadata: Record<string, unknown>
  pushed: Pushed[]
  /** Tags left alone, and why. */
  skipped: { ref: string; reason: string }[]
  /**
   * The build's uploads by the action's own client (builders without push by digest), one per
   * image.
   */
  uploads: Upload[]
  /**
   * Platforms of what was published, when the run learned them (promote, or the pushed image's list
   * when no input named them).
   */
  platforms?: string[]
  /** What the registry holds for our references, read back at the end. */
  held?: Held[]
  /** sign: the `cosign verify` command of each image signed. */
  verify?: string[]
  /** call: check: the result's one line for the job summary. */
  check?: string
  /** Where our references pointed when the run read the registry, before it wrote. */
  before?: Before[]
  /** How long the build (with its export to disk) took. */
  buildMs?: number
  /** A builder of several nodes: the node that built each platform. */
  nodes?: { platform: string; node: string }[]
  /** What the build cache did, one line a build (steps cached, bytes, sources). */
  cache?: string[]
  /** How long making the run's own builder took (buildx create and its bootstrap). */
  builderSetupMs?: number
  /** mode rollback: each tag moved back (from where to where), held, and each release withdrawn. */
  rollback?: string[]
  /** The gate input's verdict, its last lines of output, and why it failed. */
  gate?: GateVerdict
  /** github-attestations: each attestation the API stored, by image and subject. */
  attestations?: StoredAttestation[]
}

/** One GitHub artifact attestation: its subject, its id in the API and its page. */
interface StoredAttestation {
  image: string
  /** The digest it is about: the image's, or a platform manifest's of its index. */
  subject: string
  /** What it states: SLSA provenance, or an SBOM (SPDX's or CycloneDX's type). */
  predicateType: string
  id: string
  url: string
}

/** What the gate said: `passed` (exit 0) lets the tags move. */
export interface GateVerdict {
  verdict: 'passed' | 'failed'
  /** Its last lines of output, for the job summary. */
  lines: string[]
  /** failed: its exit status, or its timeout. */
  why?: string
}

/** A result before anything happened, with lists of its own for the run to fill. */
export const emptyResult = (): PublishResult => ({
  digest: '',
  imageid: '',
  metadata: {},
  pushed: [],
  skipped: [],
  uploads: []
})

/** Pushed references in the plan's order (tags are pointed in parallel). */
export function inPlanOrder(refs: string[], pushed: Pushed[]): Pushed[] {
  const order = (ref: string) => refs.indexOf(ref)
  return [...pushed].sort((a, b) => order(a.ref) - order(b.ref))
}

/** What a run learns as its steps go: digests, and what placeholders stand for. */
export class RunValues {
  private readonly digests = new Map<string, string>()
  private readonly staged = new Map<string, string>()
  /** promote: the image copied, and its digest once read. */
  source: { image: Image; digest: string } | undefined
  build: BuildMetadata = { digest: '', imageId: '', raw: {} }
  /** When the last build ended (performance.now()): builds side by side count once. */
  buildEndedAt = 0
  /**
   * The image's digest as BuildKit told it at its export, where the steps after the build went on
   * before buildx ended (its layout has no index.json until then).
   */
  exported: string | undefined
  /**
   * buildx's end after its image went on (the cache export), what it told read: settles, never
   * rejects; the build's metadata, the secret files, the layouts and the builder wait for it.
   */
  buildEnd: Promise<void> = Promise.resolve()
  /** Images this run's layout went up to, in order (later ones mount from them). */
  readonly uploaded: Image[] = []
  /** mode digest: the handover index each image's leg put under its tag. */
  readonly handovers = new Map<string, string>()
  /** Per image: the blobs uploaded while buildx still wrote the layout. */
  readonly earlyUploads = new Map<string, Promise<Set<string>>>()
  /**
   * The layout's layers that stay in the registry (gzipped digest → the image holding it): a
   * classic save's, or those an exported layout was seeded with.
   */
  borrowed: Promise<BorrowedLayers> = Promise.resolve<BorrowedLayers>(new Map())
  /** The layers the `layers` steps found in the registry, read while the build runs. */
  heldLayers: Promise<HeldLayers> | undefined
  /** The tag CACHE_TAG stands for, once the `layers` step's tag list is read (none: undefined). */
  cacheTag: Promise<string | undefined> | undefined
  /** Cache images this run pulled into the engine (its cleanup removes them). */
  readonly pulledCaches = new Set<string>()
  /** The build's cache-from lines whose image could not be read: the build goes without them. */
  readonly unreadCaches = new Set<string>()
  /** mode merge, the artifact route: the run's artifacts, of every attempt. */
  legArtifacts: Promise<ListedArtifact[]> | undefined

  setDigest(image: string, digest: string): void {
    this.digests.set(image, digest)
  }

  /** The digest this run publishes to an image ('' until a step has learnt it). */
  digestOf(image: string): string {
    return this.digests.get(image) ?? ''
  }

  /** Fails, saying what did not happen `so`, unless each image's digest was learnt. */
  requireDigests(images: Image[], so: string): void {
    const unknown = images.filter(image => this.digestOf(image.name) === '')
    if (unknown.length > 0)
      throw new Error(
        `the digest of ${unknown.map(i => i.name).join(', ')} could not be learnt from the ` +
          `build, so ${so}`
      )
  }

  setStaged(image: string, placeholder: string, digest: string): void {
    this.staged.set(`${image} ${placeholder}`, digest)
  }

  /** A step's text with what its placeholders stand for. */
  resolve(text: string, image: Image | undefined): string {
    let resolved = text
      .replaceAll(SOURCE_DIGEST, this.source?.digest ?? SOURCE_DIGEST)
      .replaceAll(IMAGE_ID, this.build.imageId || IMAGE_ID)
    if (image === undefined) return resolved
    for (const [key, digest] of this.staged)
      if (key.startsWith(`${image.name} `))
        resolved = resolved.replaceAll(key.slice(image.name.length + 1), digest)
    const digest = this.digestOf(image.name)
    return digest === '' ? resolved : resolved.replaceAll(DIGEST, digest)
  }
}

export type TagChange =
  | { state: 'new' }
  | { state: 'moved'; from: string; version: string }
  | { state: 'unchanged' }
  | { state: 'held back'; reason: string }
  | { state: 'not pushed' }

/**
 * Each of the plan's references: where it points now ('' unknown), and what the run did to it. A
 * tag on the run's digest that another run of this commit wrote counts as the run's (its release).
 */
export function tagRows(publication: Publication, result: PublishResult) {
  const find = <T extends { ref: string }>(
    list: T[] | undefined,
    ref: string
  ) => list?.find(entry => entry.ref === ref)
  const digestOf = (image: string | undefined) =>
    result.digests?.[publication.images.findIndex(i => i.name === image)]
  return publication.refs.map(ref => {
    const kind =
      publication.tags.find(t => ref.endsWith(`:${t.name}`))?.kind ?? ''
    const before = find(result.before, ref)
    const pushed = find(result.pushed, ref)
    const skipped = find(result.skipped, ref)
    const held = find(result.held, ref)
    const row = (digest: string, change: TagChange) => ({
      ref,
      kind,
      digest,
      change
    })
    const changedTo = (digest: string): TagChange => {
      if (before === undefined) return { state: 'new' }
      if (before.digest === digest) return { state: 'unchanged' }
      return { state: 'moved', from: before.digest, version: before.version }
    }
    if (skipped !== undefined)
      return row(held?.digest || (before?.digest ?? ''), {
        state: 'held back',
        reason: skipped.reason
      })
    if (pushed !== undefined)
      return row(pushed.digest, changedTo(pushed.digest))
    const now = held?.digest ?? ''
    if (now !== '' && (now === before?.digest || now === digestOf(held?.image)))
      return row(now, changedTo(now))
    return row('', { state: 'not pushed' })
  })
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

export const formatSeconds = (ms: number): string =>
  `${(ms / 1000).toFixed(1)} s`

/** A digest short enough to read at a glance (docker's 12 hex digits). */
const shortDigest = (digest: string): string =>
  digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1')

/** All the images' uploads added up (image '' and digest '': the total row). */
export function uploadTotals(uploads: Upload[]): Upload {
  const sum = (pick: (u: Upload) => number) =>
    uploads.reduce((total, u) => total + pick(u), 0)
  return {
    image: '',
    digest: '',
    uploaded: sum(u => u.uploaded),
    mounted: sum(u => u.mounted),
    present: sum(u => u.present),
    blobs: sum(u => u.blobs),
    ms: sum(u => u.ms),
    duringBuild: sum(u => u.duringBuild ?? 0)
  }
}

/** "X uploaded, Y mounted, Z already there", with what of X went during the build. */
export function uploadBytesText(u: Upload): string {
  return (
    `${formatBytes(u.uploaded)} uploaded${duringBuildText(u)}, ${formatBytes(u.mounted)} ` +
    `mounted, ${formatBytes(u.present)} already there`
  )
}

/** ", 315.7 MB of it during the build" where the early upload sent any. */
export function duringBuildText(u: Upload): string {
  return u.duringBuild
    ? `, ${formatBytes(u.duringBuild)} of it during the build`
    : ''
}

/** The size of an image's blobs: sent, mounted and already there. */
export const uploadSize = (u: Upload): number =>
  u.uploaded + u.mounted + u.present

/** One tag's change in words ("moved from sha256:… (1.2.2)"). */
export function changeText(change: TagChange): string {
  switch (change.state) {
    case 'moved': {
      const version = change.version === '' ? '' : ` (${change.version})`
      return `moved from ${shortDigest(change.from)}${version}`
    }
    case 'held back':
      return `held back: ${change.reason}`
    default:
      return change.state
  }
}
