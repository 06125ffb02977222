/**
 * mode cleanup on a registry that deletes through the registry API (distribution with deletes
 * enabled): reads each image's tags, decides with plan/cleanup.ts, probes that the registry
 * deletes, then deletes. A dry run reads and lists, and writes nothing.
 */
import type { RefContext } from '../context/context-types.js'
import {
  cleanupSteps,
  pullRequestRemovals,
  pullRequestTags,
  type RepositoryState,
  type Removal
} from '../plan/cleanup.js'
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import {
  childDigests,
  jsonManifest,
  OCI_MANIFEST,
  parseManifestJson,
  type Manifest
} from '../registry/manifest.js'
import { EMPTY_CONFIG, EMPTY_CONFIG_BYTES } from '../registry/referrer-index.js'
import { errorMessage } from '../errors/input-error.js'
import type { Settings } from '../settings/settings.js'
import { publicStep, stepLine, type PlanStep } from '../plan/steps.js'

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
 * The image's tags, the digests they point at, and those manifests' children and subjects; only
 * where one of `wanted` is among the tags (else nothing is to be removed: no read per tag).
 */
async function readRepository(
  client: RegistryClient,
  image: Image,
  wanted: string[]
): Promise<RepositoryState> {
  const state: RepositoryState = { tags: {}, manifests: {} }
  const tags = await client.listTags(image)
  if (!tags.some(tag => wanted.includes(tag))) return state
  for (const tag of tags) {
    const digest = await client.getDigest(image, tag)
    if (digest !== undefined) state.tags[tag] = digest
  }
  const queue = [...new Set(Object.values(state.tags))]
  for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
    if (digest in state.manifests) continue
    const manifest = await client.getManifest(image, digest)
    if (manifest === undefined) continue
    const children = childDigests(manifest)
    const subject = parseManifestJson(manifest).subject?.digest
    state.manifests[digest] = { children, ...(subject && { subject }) }
    queue.push(...children)
  }
  return state
}

/**
 * Deletes nothing yet: pushes a tombstone by digest and deletes it, so a registry that refuses
 * deletes fails here, before any image is touched. A DELETE of a digest that does not exist
 * would tell less: a registry may answer 404 before it checks whether it deletes at all.
 */
async function probeDeletes(
  client: RegistryClient,
  image: Image,
  now: Date
): Promise<void> {
  try {
    await client.putBlob(image, EMPTY_CONFIG_BYTES)
    const probe = tombstone(image, 'a probe of deletes', now)
    await client.putManifest(image, probe.digest, probe)
    await client.deleteManifest(image, probe.digest)
  } catch (error) {
    throw new Error(
      `cleanup: ${image.registry} refuses to delete (nothing was deleted): ${errorMessage(error)}`
    )
  }
}

/** Removes one tag: by its digest, or through a tombstone when another tag holds the digest. */
async function remove(
  client: RegistryClient,
  image: Image,
  removal: Removal,
  now: Date
): Promise<void> {
  if (!removal.tombstone || removal.tag === undefined) {
    await client.deleteManifest(image, removal.digest)
    return
  }
  const stone = tombstone(image, removal.tag, now)
  await client.putManifest(image, removal.tag, stone)
  await client.deleteManifest(image, stone.digest)
}

export interface CleanupIo {
  client: RegistryClient
  ctx: RefContext
  now: Date
  /** The plan as text, and its steps (the Action's `plan` output). */
  showPlan: (text: string, steps: PlanStep[]) => Promise<void>
}

/** The plan's text: what goes and why, then the requests that do it. */
function cleanupPlanText(planned: Cleaned[], steps: PlanStep[]): string {
  if (planned.length === 0) return 'Clean-up: nothing to remove.'
  const removals = planned.map(
    c => `  ${c.image}:${c.tag ?? '(untagged)'} ${c.digest}: ${c.reason}`
  )
  return ['Clean-up:', ...removals, '', ...steps.map(stepLine)].join('\n')
}

/** What mode cleanup removes from each image; with dry-run, what it would. */
export async function runCleanup(
  settings: Settings,
  io: CleanupIo
): Promise<Cleaned[]> {
  const { client, ctx, now } = io
  const tags = pullRequestTags(ctx, settings, now)
  const planned: { image: Image; removal: Removal }[] = []
  for (const image of settings.images) {
    const state = await readRepository(client, image, tags)
    const removals = pullRequestRemovals(state, tags, ctx.prNumber ?? 0)
    planned.push(...removals.map(removal => ({ image, removal })))
  }
  const cleaned = planned.map(p => ({ image: p.image.name, ...p.removal }))
  const steps = cleanupSteps(planned).map(publicStep)
  await io.showPlan(cleanupPlanText(cleaned, steps), steps)
  if (settings.dryRun || planned.length === 0) return cleaned
  for (const image of new Set(planned.map(p => p.image)))
    await probeDeletes(client, image, now)
  for (const { image, removal } of planned)
    await remove(client, image, removal, now)
  return cleaned
}
