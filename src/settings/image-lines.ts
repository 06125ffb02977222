import { inputFields, splitAttribute } from '../csv/csv.js'
import { InputError } from '../errors/input-error.js'
import {
  IMAGES_ALLOWED,
  parseImageName,
  type Image
} from '../reference/images.js'

/** The `images` lines (`name` or `name=app,enable=false`), disabled ones dropped. */
export function parseImages(lines: string[]): Image[] {
  const images: Image[] = []
  for (const line of lines) {
    let name: string | undefined
    let enabled = true
    for (const field of inputFields('images', line)) {
      const { key, value } = splitAttribute(field) ?? {
        key: 'name',
        value: field.trim()
      }
      if (key === 'name') name = value
      else if (key === 'enable' && /^(true|false)$/.test(value))
        enabled = value === 'true'
      else throw new InputError('images', line, `expected ${IMAGES_ALLOWED}`)
    }
    if (name === undefined)
      throw new InputError('images', line, `expected ${IMAGES_ALLOWED}`)
    const image = parseImageName(name)
    if (enabled && !images.some(i => i.name === image.name)) images.push(image)
  }
  return images
}
