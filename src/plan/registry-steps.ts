/** The registry requests every image-producing mode shares: read, tag, read back. */
import type { Image } from '../reference/images.js'
import { apiUrl } from '../reference/repository.js'
import type { Tag } from '../tags/tag-types.js'
import { DIGEST, manifestRequest, type RequestStep } from './steps.js'

/** GET of the image's tag list: the one request whose reference is ''. */
export function tagListStep(
  step: 'read' | 'read-back' | 'layers',
  image: Image
): RequestStep {
  return {
    step,
    method: 'GET',
    url: apiUrl(image, `/v2/${image.repository}/tags/list`),
    image,
    reference: ''
  }
}

/** Whether the digest was withdrawn (mode rollback's mark): read where floating tags would move. */
function withdrawnStep(image: Image, tags: Tag[]): RequestStep[] {
  if (!tags.some(tag => tag.kind === 'floating')) return []
  return [
    {
      step: 'withdrawn',
      method: 'GET',
      url: apiUrl(image, `/v2/${image.repository}/referrers/${DIGEST}`),
      image,
      reference: DIGEST
    }
  ]
}

/**
 * The fresh read: tag lists, where our tags point, and the manifest they will point at (its bytes
 * go into each PUT); then whether that digest is this commit's release, or was withdrawn.
 */
export function readSteps(images: Image[], tags: Tag[]): RequestStep[] {
  return images.flatMap(image => [
    tagListStep('read', image),
    ...tags.map(tag => manifestRequest('read', 'HEAD', image, tag.name)),
    manifestRequest('read', 'GET', image, DIGEST),
    ...tags
      .filter(tag => tag.kind === 'version')
      .map(tag =>
        manifestRequest('revision', 'GET', image, tag.name, {
          when: `${tag.name} exists on another digest`
        })
      ),
    ...withdrawnStep(image, tags)
  ])
}

/**
 * The tag phase: each release tag this run writes read again right before any tag moves (another
 * run may have written it since the read), then one manifest PUT per tag: every exact tag
 * (release, fixed) of every image, then the floating ones.
 */
export function tagSteps(images: Image[], tags: Tag[]): RequestStep[] {
  const floating = (tag: Tag) => tag.kind === 'floating'
  const ordered = [...tags.filter(t => !floating(t)), ...tags.filter(floating)]
  const rechecks = tags
    .filter(tag => tag.kind === 'version')
    .flatMap(tag =>
      images.map(image =>
        manifestRequest('recheck', 'HEAD', image, tag.name, {
          tag,
          when: `this run writes ${tag.name}`
        })
      )
    )
  return [
    ...rechecks,
    ...ordered.flatMap(tag =>
      images.map(image =>
        manifestRequest('tag', 'PUT', image, tag.name, { tag })
      )
    )
  ]
}

/**
 * The read-back: tag lists and where our tags point; a floating tag moved meanwhile is repaired
 * where its line ends.
 */
export function readBackSteps(images: Image[], tags: Tag[]): RequestStep[] {
  return images.flatMap(image => [
    tagListStep('read-back', image),
    ...tags.map(tag =>
      manifestRequest('read-back', 'HEAD', image, tag.name, { tag })
    ),
    ...tags
      .filter(tag => tag.line !== undefined)
      .map(tag =>
        manifestRequest('repair', 'PUT', image, tag.name, {
          tag,
          when: `${tag.name} is not on the newest release of its line`
        })
      )
  ])
}
