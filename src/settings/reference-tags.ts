/** build-push-action's `tags` (`ghcr.io/o/app:1.2.3`), published as given (no `latest` added). */
import { InputError } from '../errors/input-error.js'
import { parseImageReference, type Image } from '../reference/images.js'

/** A `tags` line that names an image and a tag (a rule line has `=`). */
export function isReferenceLine(line: string): boolean {
  return !line.includes('=') && line.includes(':')
}

/** build-push-action splits reference lines at commas too (a rule line keeps its commas). */
export function splitReferenceLists(lines: string[]): string[] {
  return lines.flatMap(line =>
    isReferenceLine(line)
      ? line
          .split(',')
          .map(field => field.trim())
          .filter(field => field !== '')
      : [line]
  )
}

const ONE_WAY =
  'tags is either metadata-action rules (type=…) or build-push-action references ' +
  '(registry/name:tag), not both'
const SAME_TAGS =
  'every image gets the same tags here: give each image the same tags, or publish them in two steps'

function tagsByImage(lines: string[]) {
  const byImage = new Map<string, { image: Image; tags: string[] }>()
  for (const line of lines) {
    const { image, reference } = parseImageReference(line, 'tags')
    const entry = byImage.get(image.name) ?? { image, tags: [] }
    if (!entry.tags.includes(reference)) entry.tags.push(reference)
    byImage.set(image.name, entry)
  }
  return byImage
}

/**
 * The images and tags (rules, one per tag, in order) reference lines name; undefined when `tags`
 * holds rules.
 */
export function readReferenceTags(
  lines: string[],
  images: Image[],
  flavor: string[]
) {
  const references = lines.filter(isReferenceLine)
  if (references.length === 0) return undefined
  const rule = lines.find(line => !isReferenceLine(line))
  if (rule !== undefined) throw new InputError('tags', rule, ONE_WAY)
  const byImage = [...tagsByImage(references).values()]
  const [first] = byImage
  for (const { image, tags } of byImage) {
    const line = `${image.name}:${tags.join(',')}`
    if (images.length > 0 && !images.some(i => i.name === image.name))
      throw new InputError(
        'tags',
        line,
        `${image.name} is not among the images input (${images.map(i => i.name).join(', ')}): ` +
          `leave images empty, or name it there`
      )
    if (tags.join('\n') !== first.tags.join('\n'))
      throw new InputError('tags', line, SAME_TAGS)
  }
  return {
    images: byImage.map(entry => entry.image),
    tags: first.tags.map(tag => `type=raw,value=${tag}`),
    flavor: ['latest=false', ...flavor]
  }
}
