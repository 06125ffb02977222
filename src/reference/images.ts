import { InputError } from '../errors/input-error.js'
import {
  DOCKER_HUB,
  isPathComponent,
  isRegistryAddress,
  isRegistryHost,
  isSha256Digest,
  isTag,
  MAX_NAME_LENGTH,
  NAME_RULES
} from './grammar.js'
import { parseRegistry, type RepositoryReference } from './repository.js'

/**
 * An image name parsed once, where the input is read: the name docker tags, and where the registry
 * API finds it.
 */
export interface Image extends RepositoryReference {
  /** Lower-cased repository name, with the registry host when one was given. */
  name: string
}

export const IMAGES_ALLOWED =
  'an image name like "ghcr.io/owner/app" or "owner/app": ' +
  `${NAME_RULES}, no tag or digest; optional ",enable=false"`

/**
 * One image name per docker's grammar: `images` lower-cased first (metadata-action's habit, SPEC
 * 1), others (`source`) must be already.
 */
export function parseImageName(value: string, input = 'images'): Image {
  const name = input === 'images' ? value.trim().toLowerCase() : value.trim()
  const segments = name.split('/')
  const hasHost = segments.length > 1 && isRegistryHost(segments[0])
  const host = hasHost ? segments[0] : undefined
  const path = hasHost ? segments.slice(1) : segments
  const valid =
    name.length > 0 &&
    name.length <= MAX_NAME_LENGTH &&
    (host === undefined || isRegistryAddress(host)) &&
    path.every(isPathComponent)
  if (!valid) throw new InputError(input, value, `expected ${IMAGES_ALLOWED}`)
  const endpoint = parseRegistry(host ?? DOCKER_HUB)
  // Docker Hub's official images live under library/
  const official = endpoint.registry === DOCKER_HUB && path.length === 1
  const repository = `${official ? 'library/' : ''}${path.join('/')}`
  return { name, ...endpoint, repository }
}

/** An image plus the tag or digest it names: `registry/app:1.2.3` or `registry/app@sha256:…`. */
export interface ImageReference {
  image: Image
  /** A tag, or a digest (sha256:…). */
  reference: string
}

/** Parses `name:tag` or `name@sha256:…` (for `source`); a name alone means `latest`. */
export function parseImageReference(
  value: string,
  input: string
): ImageReference {
  const text = value.trim()
  const at = text.indexOf('@')
  const lastSlash = text.lastIndexOf('/')
  const colon = text.lastIndexOf(':')
  const allowed =
    'expected an image reference like "ghcr.io/owner/app:1.2.3" or ' +
    `"ghcr.io/owner/app@sha256:<64 hex>": ${NAME_RULES}`
  const imageOf = (name: string): Image => {
    try {
      return parseImageName(name, input)
    } catch {
      // parseImageName's own error quotes the name alone
      throw new InputError(input, value, allowed)
    }
  }
  // a digest after `@`, else a tag after the last `:` of the last segment
  const cut = at >= 0 ? at : colon > lastSlash ? colon : -1
  if (cut < 0) return { image: imageOf(text), reference: 'latest' }
  const reference = text.slice(cut + 1)
  if (!(at >= 0 ? isSha256Digest(reference) : isTag(reference)))
    throw new InputError(input, value, allowed)
  return { image: imageOf(text.slice(0, cut)), reference }
}
