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
  'mode "rollback" goes back to a release of the same repository: its tag such as 1.4.2, or the ' +
  'image named in images with it'

/** A release's version tag: 1.4.2 or v1.4.2, no pre-release. */
const RELEASE = /^v?(\d+)\.(\d+)\.\d+$/

const LINE_ALLOWED =
  'mode "rollback" moves tags back within their line, named by its release tag: latest to a ' +
  'release (1.4.2), 1 to a 1.y.z, 1.4 to a 1.4.z'

/**
 * The source's release within the line of every tag: `latest` any release, `1` a 1.y.z, `1.4` a
 * 1.4.z. A digest names no version, so the line cannot be checked before the registry is read:
 * refused too.
 */
function checkLine(value: string, reference: string, tags: string[]): void {
  const release = RELEASE.exec(reference)
  if (release === null) {
    const what = isSha256Digest(reference)
      ? 'a digest names no line'
      : 'no release'
    throw new InputError('source', value, `${LINE_ALLOWED}; ${what}`)
  }
  const [, major, minor] = release
  for (const tag of tags) {
    const [tagMajor, tagMinor] = tag.replace(/^v/, '').split('.')
    const within =
      tag === 'latest' ||
      (tagMajor === major && (tagMinor === undefined || tagMinor === minor))
    if (!within)
      throw new InputError(
        'source',
        value,
        `${LINE_ALLOWED}; not in the line of tag "${tag}"`
      )
  }
}

/**
 * `1.4.2` in the first image's repository (each image resolves it in its own), or a full
 * reference naming one of the images; a release in the line of each of `tags`.
 */
export function rollbackSource(
  value: string,
  images: Image[],
  tags: string[]
): ImageReference {
  const [first] = images
  if (first === undefined)
    throw new InputError('images', '', 'mode "rollback" needs the image names')
  const reference =
    isSha256Digest(value) || isTag(value) ? value : ownReference(value, images)
  checkLine(value, reference, tags)
  return { image: first, reference }
}

/** The tag or digest of a full reference, which must name one of the images. */
function ownReference(value: string, images: Image[]): string {
  const given = parseImageReference(value, 'source')
  if (!images.some(image => image.name === given.image.name))
    throw new InputError('source', value, SOURCE_ALLOWED)
  return given.reference
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
