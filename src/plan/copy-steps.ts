/** promote and merge: the image lands by digest (no tag moves) before the guards decide. */
import { imagetoolsCreateArgs } from '../docker/argv/imagetools.js'
import type { Image } from '../reference/images.js'
import { mountUrl, manifestUrl } from '../reference/repository.js'
import { headStep } from './registry-steps.js'
import { stagingTag } from './staging.js'
import { DIGEST, SOURCE_DIGEST, type CommandStep, type Step } from './steps.js'

/** Stands for the digest a digest-mode leg staged under `tag`. */
export function stagedDigest(tag: string): string {
  return `<digest of ${tag}>`
}

/**
 * imagetools create, first with --dry-run (the bytes it would push, so the
 * digest is known), then by that digest: the image lands, no tag moves.
 */
function imagetoolsSteps(
  image: Image,
  sources: string[],
  registries: string[]
): CommandStep[] {
  return [
    {
      step: 'predict',
      argv: imagetoolsCreateArgs([image.name], sources, true),
      registries,
      image
    },
    {
      step: 'index',
      argv: imagetoolsCreateArgs([`${image.name}@${DIGEST}`], sources),
      registries,
      image
    }
  ]
}

/**
 * mode promote: read where the source points; copy it into each image's
 * repository by digest (blob mounts within its registry, imagetools to
 * another one).
 */
export function promoteStage(
  source: Image,
  reference: string,
  images: Image[]
): Step[] {
  const pinned = `${source.name}@${SOURCE_DIGEST}`
  return [
    headStep('source', source, reference),
    ...images.flatMap((image): Step[] =>
      image.registry === source.registry
        ? [
            {
              step: 'mount',
              method: 'POST',
              url: mountUrl(image.name, '<each blob>', source.name),
              image,
              reference: SOURCE_DIGEST
            },
            {
              step: 'copy',
              method: 'PUT',
              url: manifestUrl(image.name, SOURCE_DIGEST),
              image,
              reference: SOURCE_DIGEST
            }
          ]
        : imagetoolsSteps(image, [pinned], [image.registry, source.registry])
    )
  ]
}

/** Whether promote needs docker (and so the logins): only to copy across registries. */
export function promoteNeedsDocker(source: Image, images: Image[]): boolean {
  return images.some(image => image.registry !== source.registry)
}

/** mode merge: each leg's staged digest, then one index of them per image. */
export function mergeStage(
  images: Image[],
  platforms: string[],
  buildId: string
): Step[] {
  const tags = platforms.map(platform => stagingTag(buildId, platform))
  return images.flatMap(image => [
    ...platforms.map((platform, i) => ({
      ...headStep('staged', image, tags[i]),
      platform
    })),
    ...imagetoolsSteps(
      image,
      tags.map(tag => `${image.name}@${stagedDigest(tag)}`),
      [image.registry]
    )
  ])
}
