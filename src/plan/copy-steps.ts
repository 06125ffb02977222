/** promote and merge: the image lands by digest (no tag moves) before the guards decide. */
import { imagetoolsCreateArgs } from '../argv/imagetools.js'
import type { Image } from '../reference/images.js'
import { isSha256Digest } from '../reference/grammar.js'
import { apiUrl } from '../reference/repository.js'
import { legStep, stagingTag, type LegRun } from './leg-handover.js'
import {
  DIGEST,
  SOURCE_DIGEST,
  commandStep,
  manifestRequest,
  type CommandStep,
  type RequestStep,
  type Step
} from './steps.js'

/** Stands for the digest a digest-mode leg staged under `tag`. */
export function stagedDigest(tag: string): string {
  return `<digest of ${tag}>`
}

/** Stands for the digest of the handover index under `tag` (the one the merge deletes). */
export function handoverDigest(tag: string): string {
  return `<handover ${tag}>`
}

/** Stands for the digest the build of one platform pushed (a builder of several nodes). */
export function platformDigest(platform: string): string {
  return `<digest of the ${platform} build>`
}

/**
 * imagetools create --dry-run (so the digest is known), then by that digest: the image lands, no
 * tag moves.
 */
export function imagetoolsSteps(
  image: Image,
  sources: string[],
  registries: string[]
): CommandStep[] {
  const step = (name: 'predict' | 'index', argv: string[]) =>
    commandStep(name, argv, registries, { image })
  return [
    step('predict', imagetoolsCreateArgs([image.name], sources, true)),
    step('index', imagetoolsCreateArgs([`${image.name}@${DIGEST}`], sources))
  ]
}

/**
 * mode promote: the source read, then copied by digest (blob mounts within its registry, imagetools
 * to another).
 */
export function promoteStage(
  source: Image,
  reference: string,
  images: Image[]
): Step[] {
  const pinned = `${source.name}@${SOURCE_DIGEST}`
  return [
    manifestRequest('source', 'HEAD', source, reference),
    ...images.flatMap((image): Step[] =>
      image.registry === source.registry
        ? [
            {
              step: 'mount',
              method: 'POST',
              url: apiUrl(
                image,
                `/v2/${image.repository}/blobs/uploads/?mount=<each blob>&from=${source.repository}`
              ),
              image,
              reference: SOURCE_DIGEST
            },
            manifestRequest('copy', 'PUT', image, SOURCE_DIGEST)
          ]
        : imagetoolsSteps(image, [pinned], [image.registry, source.registry])
    )
  ]
}

/** Whether promote needs docker (and so the logins): only to copy across registries. */
export function promoteNeedsDocker(source: Image, images: Image[]): boolean {
  return images.some(image => image.registry !== source.registry)
}

/** A merge's `staged` step's leg: its digest as handed over, or what stands for it until read. */
export const legDigest = (reference: string) =>
  isSha256Digest(reference) ? reference : stagedDigest(reference)

/** A leg's image in the registry: named by the `handover` input, its artifact, or its tag. */
function stagedStep(
  image: Image,
  index: number,
  platform: string,
  buildId: string,
  legs?: LegRun | Map<string, string[]>
): RequestStep {
  if (legs instanceof Map) {
    // the leg's digest, read before any tag moves: the registry must hold it
    const digest = legs.get(platform)?.[index] ?? ''
    return manifestRequest('staged', 'GET', image, digest, { platform })
  }
  if (legs) return legStep(legs, 'staged', image, platform)
  const tag = stagingTag(buildId, platform)
  return manifestRequest('staged', 'GET', image, tag, { platform })
}

/** mode gate: each leg's digest the handover input names, read: the registry must hold it. */
export function handedOverSteps(
  images: Image[],
  platforms: string[],
  legs: Map<string, string[]>
): RequestStep[] {
  return images.flatMap((image, index) =>
    platforms.map(platform => stagedStep(image, index, platform, '', legs))
  )
}

/**
 * mode merge: each leg's digest (from the handover input, its artifact, else its tag), then one
 * index of them per image.
 */
export function mergeStage(
  images: Image[],
  platforms: string[],
  buildId: string,
  legs?: LegRun | Map<string, string[]>
): Step[] {
  return images.flatMap((image, index) => {
    const staged = platforms.map(platform =>
      stagedStep(image, index, platform, buildId, legs)
    )
    return [
      ...staged,
      ...imagetoolsSteps(
        image,
        // a digest handed over is named as it is (the staged step checks the registry holds it)
        staged.map(step => `${image.name}@${legDigest(step.reference)}`),
        [image.registry]
      )
    ]
  })
}

/**
 * mode merge, tags set: each leg's handover index deleted by digest (its tag goes, the image it
 * named stays).
 */
export function discardSteps(
  images: Image[],
  platforms: string[],
  buildId: string
): RequestStep[] {
  return images.flatMap(image =>
    platforms.map(platform =>
      manifestRequest(
        'discard',
        'DELETE',
        image,
        handoverDigest(stagingTag(buildId, platform)),
        { platform, when: 'the registry deletes manifests' }
      )
    )
  )
}
