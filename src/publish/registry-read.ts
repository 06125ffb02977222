/**
 * The fresh read before any tag moves, the guards' decision on it and the re-run rule (run and dry
 * run alike); where tags pointed.
 */
import { describeDecision } from '../guards/decide.js'
import {
  PULL_REQUEST_LABEL,
  writerDigests,
  type Writers
} from '../guards/fork-tags.js'
import { decideImages, type ImageTags } from '../guards/image-decisions.js'
import type { Image } from '../reference/images.js'
import type { Settings } from '../settings/settings.js'
import type { Publication } from '../plan/publication.js'
import {
  DIGEST,
  notRunLine,
  stepLine,
  type RequestStep
} from '../plan/steps.js'
import { requireManifest, type RegistryClient } from '../registry/client.js'
import { imageLabels, imagePlatforms } from '../registry/image-labels.js'
import { withdrawalOf } from '../registry/referrer-index.js'
import { listReferrers } from '../registry/referrers.js'
import type { Manifest } from '../registry/manifest.js'
import type { Tag } from '../tags/tag-types.js'
import type { Before, PublishResult, RunValues } from './outcome.js'

export const REVISION = 'org.opencontainers.image.revision'
const SOURCE = 'org.opencontainers.image.source'
const VERSION_LABEL = 'org.opencontainers.image.version'

/** What an image's repository holds now: its tags, and where ours point. */
export interface ImageState extends ImageTags {
  /** The manifest this run's tags will point at (read by digest). */
  manifest?: Manifest
}

/**
 * The pull request label of each image our fork-named tags hold, once per digest; an unreadable one
 * stays unknown (tag held).
 */
async function readWriters(
  registry: RegistryClient,
  state: ImageState,
  tags: Tag[],
  newDigest: string
): Promise<void> {
  const digests = writerDigests(tags, state.existingDigests, newDigest)
  if (digests.length === 0) return
  const writers: Writers = {}
  await Promise.all(
    digests.map(async digest => {
      const found = await imageLabels(registry, state.image, digest).catch(
        () => undefined
      )
      if (found !== undefined)
        writers[digest] = found.labels[PULL_REQUEST_LABEL] ?? ''
    })
  )
  state.writers = writers
}

/** Reads of a tag that another run is writing, before it is taken as unreadable. */
const LATE_TAG_READS = [100, 300, 900]

/** A tag listed but not found is being written by a run beside this one: it is read again. */
async function readLateTag(
  registry: RegistryClient,
  state: ImageState,
  reference: string
): Promise<void> {
  const late = () =>
    reference !== '' &&
    reference !== DIGEST &&
    state.existingTags.includes(reference) &&
    state.existingDigests[reference] === undefined
  for (const ms of LATE_TAG_READS) {
    if (!late()) return
    await new Promise(resolve => setTimeout(resolve, ms))
    const digest = await registry.getDigest(state.image, reference)
    if (digest !== undefined) state.existingDigests[reference] = digest
  }
}

/** Each image's tag list and where our tags point; then who wrote what fork-named tags hold. */
export async function readStates(
  registry: RegistryClient,
  steps: RequestStep[],
  digestOf: (image: string) => string,
  tags: Tag[] = []
): Promise<ImageState[]> {
  const states = new Map<string, ImageState>()
  for (const { image } of steps)
    if (!states.has(image.name))
      states.set(image.name, { image, existingTags: [], existingDigests: {} })
  await Promise.all(
    steps.map(async ({ image, reference }) => {
      const state = states.get(image.name) as ImageState
      if (reference === '') {
        state.existingTags = await registry.listTags(image)
        return
      }
      if (reference === DIGEST) {
        const digest = digestOf(image.name)
        state.manifest = await requireManifest(
          registry,
          image,
          digest,
          `${image.name}@${digest} is not in the registry although it was just pushed`
        )
        return
      }
      const digest = await registry.getDigest(image, reference)
      if (digest !== undefined) state.existingDigests[reference] = digest
    })
  )
  await Promise.all(
    steps.map(({ image, reference }) =>
      readLateTag(registry, states.get(image.name) as ImageState, reference)
    )
  )
  await Promise.all(
    [...states.values()].map(state =>
      readWriters(registry, state, tags, digestOf(state.image.name))
    )
  )
  return [...states.values()]
}

/**
 * The re-run rule, for the read and the read-back alike: another build's digest is this release
 * only if it is of this commit (revision and source labels).
 */
export async function heldBuild(
  registry: RegistryClient,
  image: Image,
  digest: string,
  publication: Publication
) {
  const found = await imageLabels(registry, image, digest)
  if (found === undefined) return undefined
  const { labels } = found
  const thisCommit =
    labels[REVISION] !== undefined &&
    labels[REVISION] === publication.labels[REVISION] &&
    labels[SOURCE] === publication.labels[SOURCE]
  return { manifest: found.manifest, thisCommit, revision: labels[REVISION] }
}

/** Who reads and where its step lines go (the dry run shows none). */
interface Reader {
  registry: RegistryClient
  logStep?: (line: string) => void
}

/** A re-run's line when the tag holds a build of this commit (which the image then takes). */
async function checkRevision(
  step: RequestStep,
  state: ImageState,
  publication: Publication,
  values: RunValues,
  reader: Reader
): Promise<string | undefined> {
  const { image } = step
  const existing = state.existingDigests[step.reference]
  const ours = values.digestOf(image.name)
  if (existing === undefined || existing === ours) {
    const why = existing ? 'it holds this run’s digest' : 'it does not exist'
    reader.logStep?.(notRunLine(step, `not needed: ${why}`))
    return undefined
  }
  reader.logStep?.(stepLine(step))
  const found = await heldBuild(reader.registry, image, existing, publication)
  if (found === undefined || !found.thisCommit) return undefined
  values.setDigest(image.name, existing)
  state.manifest = found.manifest
  return (
    `${image.name}:${step.reference} already holds a build of this commit ` +
    `(${publication.labels[REVISION]}): this is a re-run, so its tags converge on ${existing}`
  )
}

/**
 * Whether the digest the floating tags would move to was withdrawn by a rollback: one read of its
 * referrers, after a re-run has adopted its release (a dry run of a build does not know it).
 */
async function readWithdrawals(
  steps: RequestStep[],
  states: ImageState[],
  values: RunValues,
  reader: Reader
): Promise<void> {
  for (const step of steps.filter(s => s.step === 'withdrawn')) {
    const { image } = step
    const digest = values.digestOf(image.name)
    const state = states.find(s => s.image.name === image.name)
    if (digest === '' || state === undefined) continue
    reader.logStep?.(stepLine(step))
    const { existingTags } = state
    const listed = await listReferrers(
      reader.registry,
      image,
      digest,
      existingTags
    )
    const withdrawal = withdrawalOf(listed)
    if (withdrawal !== undefined) state.withdrawn = withdrawal
  }
}

/**
 * Reads the registry, adopts a re-run's release and decides each tag (in words, a line per tag):
 * for the run and the dry run alike.
 */
export async function readAndDecide(
  steps: RequestStep[],
  settings: Pick<Settings, 'immutableTags' | 'floatingGuard'>,
  publication: Publication,
  values: RunValues,
  reader: Reader
) {
  const digestOf = (image: string) => values.digestOf(image)
  const reads = steps.filter(step => step.step === 'read')
  for (const step of reads) reader.logStep?.(stepLine(step))
  const states = await readStates(
    reader.registry,
    reads,
    digestOf,
    publication.tags
  )
  // the revision steps: an image whose release is this commit's takes that digest
  const reruns: string[] = []
  for (const step of steps.filter(s => s.step === 'revision')) {
    if (settings.immutableTags === 'overwrite') {
      reader.logStep?.(
        notRunLine(step, 'not needed: immutable-tags: overwrite')
      )
      continue
    }
    const state = states.find(s => s.image.name === step.image.name)
    const line =
      state && (await checkRevision(step, state, publication, values, reader))
    if (line !== undefined) reruns.push(line)
  }
  await readWithdrawals(steps, states, values, reader)
  const decisions = decideImages(
    states,
    publication.tags,
    image => digestOf(image.name),
    settings
  )
  const lines = decisions.flatMap(({ image, decision }) =>
    describeDecision(decision, image.name)
  )
  return { states, decisions, lines: [...reruns, ...lines] }
}

/** The version label of an image in the registry ('' when it has none or cannot be read). */
const versionOf = (registry: RegistryClient, image: Image, digest: string) =>
  imageLabels(registry, image, digest).then(
    found => found?.labels[VERSION_LABEL] ?? '',
    () => ''
  )

/** Where our tags pointed; one config read per image a tag moves away from, in parallel. */
async function readBefore(
  registry: RegistryClient,
  states: ImageState[],
  values: RunValues
): Promise<Before[]> {
  const versions = new Map<string, Promise<string>>()
  return Promise.all(
    states.flatMap(({ image, existingDigests }) =>
      Object.entries(existingDigests).map(async ([tag, digest]) => {
        const key = `${image.name}@${digest}`
        if (digest !== values.digestOf(image.name) && !versions.has(key))
          versions.set(key, versionOf(registry, image, digest))
        const version = (await versions.get(key)) ?? ''
        return { ref: `${image.name}:${tag}`, digest, version }
      })
    )
  )
}

/** The platforms of the image this run publishes, by name ([] when unreadable). */
async function readPlatforms(
  registry: RegistryClient,
  states: ImageState[]
): Promise<string[]> {
  const state = states.find(s => s.manifest !== undefined)
  if (state?.manifest === undefined) return []
  return imagePlatforms(registry, state.image, state.manifest).catch(() => [])
}

/** Reads both into the run's result (started beside the tagging; never fails the run). */
export async function recordFootprint(
  registry: RegistryClient,
  states: ImageState[],
  values: RunValues,
  result: PublishResult,
  platformsNamed: boolean
): Promise<void> {
  const [before, platforms] = await Promise.all([
    readBefore(registry, states, values),
    platformsNamed ? [] : readPlatforms(registry, states)
  ])
  result.before = before
  if (platforms.length > 0) result.platforms = platforms
}
