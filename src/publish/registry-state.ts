import {
  PULL_REQUEST_LABEL,
  writerDigests,
  type Writers
} from '../guards/fork-tags.js'
import type { ImageTags } from '../guards/images.js'
import type { RegistryClient } from '../registry/client.js'
import { imageLabels } from '../registry/image-labels.js'
import type { Tag } from '../tags/types.js'
import type { Manifest } from '../registry/manifest.js'
import { DIGEST, type RequestStep } from '../plan/steps.js'

/** What an image's repository holds now: its tags, and where ours point. */
export interface ImageState extends ImageTags {
  /** The manifest this run's tags will point at (read by digest). */
  manifest?: Manifest
}

async function ownManifest(
  registry: RegistryClient,
  image: string,
  digest: string
): Promise<Manifest> {
  const manifest = await registry.getManifest(image, digest)
  if (manifest === undefined)
    throw new Error(
      `${image}@${digest} is not in the registry although it was just pushed`
    )
  return manifest
}

/**
 * The pull request label of each image our fork-named tags hold now, read
 * once per digest; one that cannot be read stays unknown, and its tag is held.
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
      const found = await imageLabels(registry, state.image.name, digest).catch(
        () => undefined
      )
      if (found !== undefined)
        writers[digest] = found.labels[PULL_REQUEST_LABEL] ?? ''
    })
  )
  state.writers = writers
}

/**
 * Runs the fresh-read steps: each image's tag list and where each of our
 * tags points; then who wrote what the fork-named ones among `tags` hold.
 */
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
        state.existingTags = await registry.listTags(image.name)
        return
      }
      if (reference === DIGEST) {
        state.manifest = await ownManifest(
          registry,
          image.name,
          digestOf(image.name)
        )
        return
      }
      const digest = await registry.getDigest(image.name, reference)
      if (digest !== undefined) state.existingDigests[reference] = digest
    })
  )
  await Promise.all(
    [...states.values()].map(state =>
      readWriters(registry, state, tags, digestOf(state.image.name))
    )
  )
  return [...states.values()]
}
