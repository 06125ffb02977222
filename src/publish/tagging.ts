import type { Pushed, Skipped } from '../action/outputs.js'
import type { GuardDecision } from '../guards.js'
import type { Image } from '../images.js'
import type { Log } from '../log.js'
import type { Manifest, RegistryClient } from '../registry/client.js'
import type { Tag } from '../tags/types.js'

/** One image's guard decision, and the tag that carries the image there first. */
export interface ImagePlan {
  image: Image
  decision: GuardDecision
  /** The digest this image's tags will point at ('' until a push tells it). */
  digest: string
}

/** What has been done so far: filled as it happens, so a failure can report it. */
export interface Progress {
  pushed: Pushed[]
  skipped: Skipped[]
}

/** The first tag to publish for an image: an exact one when there is one. */
export function leadTag(decision: GuardDecision): Tag | undefined {
  return decision.exact[0] ?? decision.floating[0]
}

export function recordSkipped(
  plans: ImagePlan[],
  progress: Progress,
  log: Log
): void {
  for (const { image, decision } of plans) {
    for (const { tag, reason } of decision.skipped) {
      const ref = `${image.name}:${tag.name}`
      progress.skipped.push({ ref, reason })
      log.warning(`${ref} left alone: ${reason}`)
    }
    for (const tag of decision.unchanged)
      log.info(
        `${image.name}:${tag.name} already points at this digest: unchanged`
      )
  }
}

/**
 * Points tags at a manifest already in the image's repository: one manifest
 * PUT per tag, in parallel. Every exact tag of every image first; the
 * floating ones only after all of those succeeded.
 */
export async function pointTags(
  registry: RegistryClient,
  plans: ImagePlan[],
  progress: Progress
): Promise<void> {
  const pending = (pick: (d: GuardDecision) => Tag[]) =>
    plans.flatMap(({ image, decision, digest }) =>
      pick(decision)
        .filter(tag => tag !== leadTag(decision))
        .map(tag => ({ image, tag, digest }))
    )
  const manifests = new Map<string, Promise<Manifest | undefined>>()
  const manifestOf = (image: Image, digest: string) => {
    if (!manifests.has(image.name))
      manifests.set(image.name, registry.getManifest(image.name, digest))
    return manifests.get(image.name) as Promise<Manifest | undefined>
  }
  for (const phase of [pending(d => d.exact), pending(d => d.floating)]) {
    await Promise.all(
      phase.map(async ({ image, tag, digest }) => {
        const manifest = await manifestOf(image, digest)
        if (manifest === undefined)
          throw new Error(
            `${image.name}@${digest} vanished from the registry before it could be tagged ${tag.name}`
          )
        await registry.putManifest(image.name, tag.name, manifest)
        progress.pushed.push({ ref: `${image.name}:${tag.name}`, digest })
      })
    )
  }
}
