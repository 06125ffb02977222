/**
 * What the job summary says a run changed, read beside the tagging: where
 * each of our tags pointed before (with the version label of a tag that
 * moves), and the platforms of the image when no input named them.
 */
import type { RegistryClient } from '../registry/client.js'
import { imageLabels, imagePlatforms } from '../registry/image-labels.js'
import type { Before } from './result.js'
import type { ImageState } from './registry-state.js'
import type { Progress } from './tagging.js'

const VERSION_LABEL = 'org.opencontainers.image.version'

/** The version label of an image in the registry ('' when it has none or cannot be read). */
async function versionOf(
  registry: RegistryClient,
  image: string,
  digest: string
): Promise<string> {
  try {
    return (
      (await imageLabels(registry, image, digest))?.labels[VERSION_LABEL] ?? ''
    )
  } catch {
    return ''
  }
}

/** Where our tags pointed; one config read per image a tag moves away from, in parallel. */
export async function readBefore(
  registry: RegistryClient,
  states: ImageState[],
  digestOf: (image: string) => string
): Promise<Before[]> {
  const versions = new Map<string, Promise<string>>()
  const entries = states.flatMap(({ image, existingDigests }) =>
    Object.entries(existingDigests).map(([tag, digest]) => {
      const key = `${image.name}@${digest}`
      if (digest !== digestOf(image.name) && !versions.has(key))
        versions.set(key, versionOf(registry, image.name, digest))
      return { ref: `${image.name}:${tag}`, digest, key }
    })
  )
  return Promise.all(
    entries.map(async ({ ref, digest, key }) => ({
      ref,
      digest,
      version: (await versions.get(key)) ?? ''
    }))
  )
}

/** The platforms of the image this run publishes, by name ([] when unreadable). */
export async function readPlatforms(
  registry: RegistryClient,
  states: ImageState[]
): Promise<string[]> {
  const state = states.find(s => s.manifest !== undefined)
  if (state?.manifest === undefined) return []
  return imagePlatforms(registry, state.image.name, state.manifest).catch(
    () => []
  )
}

/** Reads both into the run's progress (started beside the tagging; never fails the run). */
export async function recordFootprint(
  registry: RegistryClient,
  states: ImageState[],
  digestOf: (image: string) => string,
  progress: Progress,
  platformsNamed: boolean
): Promise<void> {
  const [before, platforms] = await Promise.all([
    readBefore(registry, states, digestOf),
    platformsNamed ? [] : readPlatforms(registry, states)
  ])
  progress.before = before
  if (platforms.length > 0) progress.platforms = platforms
}
