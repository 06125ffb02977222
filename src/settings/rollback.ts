/**
 * mode rollback's inputs: the release to go back to (`source`, in the images' own repository), the
 * floating tags that move (`tags`) and why (`reason`).
 */
import { InputError } from '../errors/input-error.js'
import { isSha256Digest, isTag } from '../reference/grammar.js'
import {
  parseImageReference,
  type Image,
  type ImageReference
} from '../reference/images.js'

/** The floating tags of a release line: latest, a major (1, v1) or a minor (1.4, v1.4). */
const FLOATING = /^(latest|v?\d+(\.\d+)?)$/

const SOURCE_ALLOWED =
  'mode "rollback" goes back to a release of the same repository: a tag such as 1.4.2, a digest ' +
  'sha256:<64 hex>, or the image named in images with one of them'

/**
 * `1.4.2` or `sha256:…` in the first image's repository (each image resolves it in its own), or a
 * full reference naming one of the images.
 */
export function rollbackSource(value: string, images: Image[]): ImageReference {
  const [first] = images
  if (first === undefined)
    throw new InputError('images', '', 'mode "rollback" needs the image names')
  if (isSha256Digest(value) || (isTag(value) && !value.includes('/')))
    return { image: first, reference: value }
  const given = parseImageReference(value, 'source')
  if (!images.some(image => image.name === given.image.name))
    throw new InputError('source', value, SOURCE_ALLOWED)
  return { image: first, reference: given.reference }
}

/** The tags a rollback moves: floating tags only, named one a line; never a release's own tag. */
export function rollbackTags(lines: string[]): string[] {
  if (lines.length === 0)
    throw new InputError(
      'tags',
      '',
      'mode "rollback" moves the floating tags named here, e.g. latest and 1'
    )
  for (const line of lines)
    if (!FLOATING.test(line))
      throw new InputError(
        'tags',
        line,
        'mode "rollback" moves floating tags only (latest, a major such as 1, a minor such ' +
          'as 1.4); exact tags (1.5.0, sha-…, any other name) never move'
      )
  return lines
}

/** Why the tags go back: a sentence, carried by the withdrawn mark. */
export function rollbackReason(value: string): string {
  const reason = value.trim()
  if (reason === '' || /[\r\n]/.test(reason))
    throw new InputError(
      'reason',
      reason,
      'mode "rollback" needs one line that says why, e.g. "1.5.0 corrupts uploads (#812)"'
    )
  return reason
}
