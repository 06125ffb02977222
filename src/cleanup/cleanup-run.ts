/**
 * mode cleanup: reads each image's state from its registry's store, decides with
 * plan/cleanup.ts, probes that the registry deletes, then deletes. A dry run reads and lists, and
 * writes nothing. Tombstones go up by the registry API on every registry; the store deletes.
 */
import type { RefContext } from '../context/context-types.js'
import {
  ABSENT_DIGEST,
  afterRemovals,
  cleanupSteps,
  heldSince,
  type CleanupStore,
  type DeletesAt,
  pullRequestLeftovers,
  pullRequestRemovals,
  pullRequestTags,
  type PullRequestTags,
  untaggedImages,
  untaggedRemovals,
  type RepositoryState,
  type Removal
} from './cleanup-plan.js'
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import {
  jsonManifest,
  OCI_MANIFEST,
  type Manifest
} from '../registry/manifest.js'
import { EMPTY_CONFIG, EMPTY_CONFIG_BYTES } from '../registry/referrer-index.js'
import { errorMessage, InputError } from '../errors/input-error.js'
import { ghcrPackage } from './github-packages.js'
import { imageLabels } from '../registry/image-labels.js'
import { inParallel, PARALLEL_READS } from '../registry/in-parallel.js'
import { PULL_REQUEST_LABEL } from '../guards/fork-tags.js'
import { runBounds } from '../settings/bounds.js'
import type { Settings } from '../settings/settings.js'
import { publicStep, stepLine, type PlanStep } from '../plan/steps.js'
import { registryStore } from './registry-store.js'
import { createGhcrStore } from './ghcr-store.js'

/** One removal done (or, in a dry run, to be done): the `cleaned` output's entries. */
export interface Cleaned extends Removal {
  image: string
}

const TOMBSTONE_TYPE = 'application/vnd.docker-publish-action.tombstone.v1'

/** A tiny manifest no image shares (it names its image, tag and time), deleted right after. */
function tombstone(image: Image, tag: string, now: Date): Manifest {
  return jsonManifest(OCI_MANIFEST, {
    artifactType: TOMBSTONE_TYPE,
    config: EMPTY_CONFIG,
    layers: [EMPTY_CONFIG],
    annotations: {
      'org.opencontainers.image.description': `removes ${image.name}:${tag}`,
      'org.opencontainers.image.created': now.toISOString()
    }
  })
}

/**
 * Deletes nothing yet, on a registry that deletes by the registry API: a DELETE of a digest no
 * image has, which a registry that refuses deletes refuses before it writes anything (405); then
 * a tombstone pushed by digest and deleted, since a registry may answer that first DELETE 404
 * before it checks whether it deletes at all. A refusal fails here, before any image is touched,
 * naming the request that failed and how.
 */
async function probeDeletes(
  { client, now }: CleanupIo,
  store: CleanupStore,
  image: Image
): Promise<void> {
  const probe = tombstone(image, 'a probe of deletes', now)
  const requests: [string, () => Promise<unknown>][] = [
    [
      `DELETE of ${ABSENT_DIGEST}`,
      () => store.deleteManifest(image, ABSENT_DIGEST)
    ],
    [
      'PUT of its empty config',
      () => client.putBlob(image, EMPTY_CONFIG_BYTES)
    ],
    [
      'PUT of its tombstone',
      () => client.putManifest(image, probe.digest, probe)
    ],
    ['DELETE of its tombstone', () => store.deleteManifest(image, probe.digest)]
  ]
  for (const [what, request] of requests)
    try {
      await request()
    } catch (error) {
      throw new Error(
        `cleanup: ${image.registry} refuses to delete (nothing was deleted): the delete ` +
          `probe's ${what} failed: ${errorMessage(error)}`
      )
    }
}

/**
 * Removes one tag or untagged manifest: by its digest, or through a tombstone when another tag
 * holds the digest. A tombstone whose delete fails gives the tag back to its digest.
 */
async function remove(
  { client, now }: CleanupIo,
  store: CleanupStore,
  image: Image,
  removal: Removal
): Promise<void> {
  if (!removal.tombstone || removal.tag === undefined) {
    await store.deleteManifest(image, removal.digest)
    return
  }
  const stone = tombstone(image, removal.tag, now)
  // on GHCR no probe put its config first
  await client.putBlob(image, EMPTY_CONFIG_BYTES)
  await client.putManifest(image, removal.tag, stone)
  try {
    await store.deleteManifest(image, stone.digest)
  } catch (error) {
    const held = await client.getManifest(image, removal.digest)
    if (held !== undefined) await client.putManifest(image, removal.tag, held)
    throw error
  }
}

export interface CleanupIo {
  client: RegistryClient
  ctx: RefContext
  now: Date
  /** GITHUB_API_URL, where GHCR's packages are deleted. */
  githubApiUrl: string
  /** The plan as text, and its steps (the Action's `plan` output). */
  showPlan: (text: string, steps: PlanStep[]) => Promise<void>
  /** A warning in the run's log. */
  warn: (line: string) => void
}

/** What mode cleanup removed (a dry run: would remove), and what a second read kept. */
export interface CleanupOutcome {
  cleaned: Cleaned[]
  /** Planned, then kept: a tag reached it when the registry was read again before the deletes. */
  kept: Cleaned[]
}

/** The plan's text: what goes and why, then the requests that do it. */
function cleanupPlanText(planned: Cleaned[], steps: PlanStep[]): string {
  if (planned.length === 0) return 'Clean-up: nothing to remove.'
  const removals = planned.map(
    c => `  ${c.image}:${c.tag ?? '(untagged)'} ${c.digest}: ${c.reason}`
  )
  return ['Clean-up:', ...removals, '', ...steps.map(stepLine)].join('\n')
}

/** An image's store, and where it deletes (for the plan's steps). */
interface ImageStore {
  store: CleanupStore
  deletesAt: () => Promise<DeletesAt>
}

/**
 * The store of an image's registry: the one place a registry's own store is chosen. GHCR's
 * images go through GitHub's packages API (ghcr.io refuses the registry API's DELETE).
 */
function storeFor(image: Image, settings: Settings, io: CleanupIo): ImageStore {
  const pkg = ghcrPackage(image)
  if (pkg === undefined) {
    const store = registryStore(io.client)
    return { store, deletesAt: () => Promise.resolve({ kind: 'registry' }) }
  }
  const { githubToken: token } = settings.cleanup
  const api = {
    apiUrl: io.githubApiUrl,
    token,
    requestTimeoutMs: runBounds(settings).registryMs,
    retries: settings.retries
  }
  const store = createGhcrStore(io.client, api, pkg)
  return { store, deletesAt: () => store.deletesAt() }
}

/** GHCR's images need github-token: checked before anything is read. */
function checkToken(settings: Settings): void {
  const ghcr = settings.images.find(image => ghcrPackage(image) !== undefined)
  if (ghcr !== undefined && settings.cleanup.githubToken === '')
    throw new InputError(
      'github-token',
      '',
      `a token that may delete ${ghcr.name}'s package versions (GHCR deletes through ` +
        "GitHub's packages API): the workflow's token with `permissions: packages: write`"
    )
}

/** Each untagged image's pull request label ('' none): who wrote what no tag reaches. */
async function untaggedWriters(
  io: CleanupIo,
  image: Image,
  state: RepositoryState
): Promise<Record<string, string>> {
  const writers: Record<string, string> = {}
  await inParallel(untaggedImages(state), PARALLEL_READS, async digest => {
    const read = await imageLabels(io.client, image, digest)
    writers[digest] = read?.labels[PULL_REQUEST_LABEL] ?? ''
  })
  return writers
}

/** `pr`'s removals: the pull request's tags, then the untagged images its runs left. */
async function pullRequestCleanup(
  io: CleanupIo,
  image: Image,
  state: RepositoryState,
  pr: PullRequestTags
): Promise<Removal[]> {
  const tagged = pullRequestRemovals(state, pr.tags, pr.number)
  const rest = afterRemovals(state, tagged)
  const writers = await untaggedWriters(io, image, rest)
  return [...tagged, ...pullRequestLeftovers(rest, writers, pr.number)]
}

/** One image's removals: `pr`'s, then `untagged`'s in what stays. */
async function decide(
  settings: Settings,
  image: Image,
  state: RepositoryState,
  prTags: PullRequestTags | undefined,
  io: CleanupIo
): Promise<Removal[]> {
  const { olderThanMs, keep, kinds } = settings.cleanup
  const pr = prTags ? await pullRequestCleanup(io, image, state, prTags) : []
  if (!kinds.includes('untagged')) return pr
  const untagged = untaggedRemovals(
    afterRemovals(state, pr),
    { olderThanMs, keep },
    io.now
  )
  return [...pr, ...untagged]
}

interface Planned {
  image: Image
  store: CleanupStore
  removal: Removal
  at: DeletesAt
}

const cleanedOf = (p: Planned): Cleaned => ({
  image: p.image.name,
  ...p.removal
})

/**
 * Each image read again right before its first delete: what a tag reaches now is kept (a release
 * that tagged a candidate since the first read keeps it whole), and said.
 */
async function readAgain(
  planned: Planned[],
  io: CleanupIo
): Promise<Cleaned[]> {
  const kept: Cleaned[] = []
  for (const [image, store] of new Map(planned.map(p => [p.image, p.store]))) {
    const ours = planned.filter(p => p.image === image)
    const held = heldSince(
      await store.read(image),
      ours.map(p => p.removal)
    )
    for (const p of ours.filter(p => held.has(p.removal))) {
      const why = `kept: ${held.get(p.removal) ?? ''}`
      kept.push({ ...cleanedOf(p), reason: why })
      io.warn(
        `cleanup: ${p.image.name}:${p.removal.tag ?? '(untagged)'} ${p.removal.digest} ${why}`
      )
    }
  }
  return kept
}

/** What mode cleanup removes from each image; with dry-run, what it would. */
export async function runCleanup(
  settings: Settings,
  io: CleanupIo
): Promise<CleanupOutcome> {
  const prTags = settings.cleanup.kinds.includes('pr')
    ? pullRequestTags(io.ctx, settings, io.now)
    : undefined
  checkToken(settings)
  // one store per image, from its read to its deletes (a store may keep what it read)
  const planned: Planned[] = []
  for (const image of settings.images) {
    const { store, deletesAt } = storeFor(image, settings, io)
    const state = await store.read(image)
    const removals = await decide(settings, image, state, prTags, io)
    const at = removals.length > 0 ? await deletesAt() : undefined
    if (at !== undefined)
      planned.push(...removals.map(removal => ({ image, store, removal, at })))
  }
  planned.splice(0, planned.length, ...ghcrDeletesFirst(planned))
  const cleaned = planned.map(cleanedOf)
  const steps = cleanupSteps(planned).map(publicStep)
  await io.showPlan(cleanupPlanText(cleaned, steps), steps)
  if (settings.dryRun || planned.length === 0) return { cleaned, kept: [] }
  for (const [image, { store, at }] of firstOfEach(planned))
    if (at.kind === 'registry') await probeDeletes(io, store, image)
  const kept = await readAgain(planned, io)
  const going = planned.filter(
    p =>
      !kept.some(k => k.image === p.image.name && k.digest === p.removal.digest)
  )
  let deleted = 0
  for (const { image, store, removal, at } of going)
    try {
      await remove(io, store, image, removal)
      deleted++
    } catch (error) {
      // GHCR's probe is its first delete: a write of ours there could not be undone without
      // the right the probe tests
      if (deleted > 0 || at.kind !== 'ghcr') throw error
      const why = errorMessage(error).replace(/^cleanup: /, '')
      throw new Error(
        `cleanup: ${image.registry} refuses to delete (nothing was deleted): ${why}`
      )
    }
  return { cleaned: going.map(cleanedOf), kept }
}

/** Each image's first planned removal: its store and where it deletes. */
const firstOfEach = (planned: Planned[]) =>
  new Map([...planned].reverse().map(p => [p.image, p]))

/**
 * On GHCR the first delete is the probe: plain deletes go before any tombstone's tag PUT (stable,
 * so an index still goes before what it holds).
 */
const ghcrDeletesFirst = (planned: Planned[]): Planned[] => [
  ...planned.filter(p => p.at.kind === 'ghcr' && !p.removal.tombstone),
  ...planned.filter(p => p.at.kind !== 'ghcr' || p.removal.tombstone)
]
