/**
 * mode cleanup: reads each image's state from its registry's store, decides with cleanup-plan.ts,
 * then takes the plan's steps (cleanup-steps.ts): the delete probe, a read again, the deletes. A
 * dry run reads, prints the steps and makes only the probe's DELETE of a digest no image has,
 * which writes nothing.
 */
import type { RefContext } from '../context/context-types.js'
import {
  afterRemovals,
  heldSince,
  type CleanupStore,
  pullRequestLeftovers,
  pullRequestRemovals,
  pullRequestTags,
  type PullRequestTags,
  untaggedImages,
  untaggedRemovals,
  type RepositoryState,
  type Removal
} from './cleanup-plan.js'
import {
  cleanupSteps,
  removalOrder,
  stepRequest,
  type CleanupStep,
  type DeletesAt
} from './cleanup-steps.js'
import { takeStep } from './cleanup-requests.js'
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import { InputError } from '../errors/input-error.js'
import { DeleteRefused, ghcrPackage } from './github-packages.js'
import { imageLabels } from '../registry/image-labels.js'
import { inParallel, PARALLEL_READS } from '../registry/in-parallel.js'
import { PULL_REQUEST_LABEL } from '../guards/fork-tags.js'
import { runBounds } from '../settings/bounds.js'
import type { Settings } from '../settings/settings.js'
import {
  notRunLine,
  publicStep,
  stepLine,
  type PlanStep
} from '../plan/steps.js'
import { registryStore } from './registry-store.js'
import { createGhcrStore } from './ghcr-store.js'

/** One removal done (or, in a dry run, to be done): the `cleaned` output's entries. */
export interface Cleaned extends Removal {
  image: string
}

export interface CleanupIo {
  client: RegistryClient
  ctx: RefContext
  now: Date
  /** GITHUB_API_URL, where GHCR's packages are deleted. */
  githubApiUrl: string
  /** The plan as text, and its steps (the Action's `plan` output). */
  showPlan: (text: string, steps: PlanStep[]) => Promise<void>
  /** A line of the run's log. */
  info: (line: string) => void
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

const REGISTRY_API: DeletesAt = { kind: 'registry' }

/** An image, its store, and where it deletes (for the plan's steps). */
interface ImageStore {
  image: Image
  store: CleanupStore
  deletesAt: () => Promise<DeletesAt>
}

/**
 * Each image's store: the one place GHCR is told apart. GHCR's images go through GitHub's
 * packages API (ghcr.io refuses the registry API's DELETE) with github-token, checked here,
 * before anything is read.
 */
function storesOf(settings: Settings, io: CleanupIo): ImageStore[] {
  const { githubToken: token } = settings.cleanup
  const api = {
    apiUrl: io.githubApiUrl,
    token,
    requestTimeoutMs: runBounds(settings).registryMs,
    retries: settings.retries
  }
  return settings.images.map(image => {
    const pkg = ghcrPackage(image)
    if (pkg === undefined) {
      const store = registryStore(io.client)
      return { image, store, deletesAt: () => Promise.resolve(REGISTRY_API) }
    }
    if (token === '')
      throw new InputError(
        'github-token',
        '',
        `a token that may delete ${image.name}'s package versions (GHCR deletes through ` +
          "GitHub's packages API): the workflow's token with `permissions: packages: write`"
      )
    const store = createGhcrStore(io.client, api, pkg)
    return { image, store, deletesAt: () => store.deletesAt() }
  })
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
 * What an image's read again (right before the first removal) keeps of its removals: what a tag
 * reaches now (a release that tagged a candidate since the first read keeps it whole), and said.
 */
function keptAtReread(
  now: RepositoryState,
  planned: Planned[],
  image: Image,
  io: CleanupIo
): Map<Planned, string> {
  const ours = planned.filter(p => p.image === image)
  const held = heldSince(
    now,
    ours.map(p => p.removal)
  )
  const kept = new Map<Planned, string>()
  for (const p of ours) {
    const why = held.get(p.removal)
    if (why === undefined) continue
    kept.set(p, `kept: ${why}`)
    io.warn(
      `cleanup: ${p.image.name}:${p.removal.tag ?? '(untagged)'} ${p.removal.digest} kept: ${why}`
    )
  }
  return kept
}

/** Each image's removals, with its store and where it deletes. */
async function planRemovals(
  settings: Settings,
  io: CleanupIo
): Promise<Planned[]> {
  const prTags = settings.cleanup.kinds.includes('pr')
    ? pullRequestTags(io.ctx, settings, io.now)
    : undefined
  const planned: Planned[] = []
  // one store per image, from its read to its deletes (a store may keep what it read)
  for (const { image, store, deletesAt } of storesOf(settings, io)) {
    const state = await store.read(image)
    const removals = await decide(settings, image, state, prTags, io)
    if (removals.length === 0) continue
    const at = await deletesAt()
    planned.push(...removals.map(removal => ({ image, store, removal, at })))
  }
  return removalOrder(planned)
}

/** What mode cleanup removes from each image; with dry-run, what it would. */
export async function runCleanup(
  settings: Settings,
  io: CleanupIo
): Promise<CleanupOutcome> {
  const planned = await planRemovals(settings, io)
  const cleaned = planned.map(cleanedOf)
  const steps = cleanupSteps(planned)
  const printed = steps.map(step => publicStep(stepRequest(step)))
  await io.showPlan(cleanupPlanText(cleaned, printed), printed)
  if (!settings.dryRun) return takeSteps(steps, planned, io)
  // the only request a dry run makes of the probe's: a registry that refuses deletes refuses it
  // before it writes anything
  for (const step of steps.filter(s => s.action === 'probe absent')) {
    io.info(`${stepLine(stepRequest(step))} (the dry run makes it)`)
    await takeStep(step, io.client, io.now)
  }
  return { cleaned, kept: [] }
}

/**
 * What a refused first delete leaves on GHCR: nothing, or where it was a tombstone's, that
 * tombstone (its tag was given back), since GitHub tells no token's delete right without a write.
 */
const leftBehind = (step: CleanupStep<Planned>): string =>
  step.action === 'tombstone delete'
    ? `; ${step.tag} is back on its image, and its tombstone stays as one untagged version`
    : ''

/**
 * The plan's steps, in order, each logged as it is taken; the images' tags are read again right
 * before the first removal's step, and a removal a tag now reaches is not made (its steps are
 * logged as not run). On GHCR the first delete is the probe: refused, it fails the run in one
 * line.
 */
async function takeSteps(
  steps: CleanupStep<Planned>[],
  planned: Planned[],
  io: CleanupIo
): Promise<CleanupOutcome> {
  const kept = new Map<Planned, string>()
  let deleted = 0
  for (const step of steps) {
    const { image, at } = step.of
    const why = kept.get(step.of)
    if (why !== undefined) {
      io.info(notRunLine(stepRequest(step), why))
      continue
    }
    io.info(stepLine(stepRequest(step)))
    try {
      const read = await takeStep(step, io.client, io.now)
      if (read)
        for (const [p, reason] of keptAtReread(read, planned, image, io))
          kept.set(p, reason)
    } catch (error) {
      if (at.kind === 'ghcr' && deleted === 0 && error instanceof DeleteRefused)
        throw new Error(
          `cleanup: ${image.registry} refuses to delete ` +
            `(nothing was deleted${leftBehind(step)}): ${error.reason}`
        )
      throw error
    }
    if (step.action === 'delete' || step.action === 'tombstone delete')
      deleted++
  }
  return {
    cleaned: planned.filter(p => !kept.has(p)).map(cleanedOf),
    kept: [...kept].map(([p, reason]) => ({ ...cleanedOf(p), reason }))
  }
}
