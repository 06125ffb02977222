import { CsvSyntaxError, splitAttribute, splitCsvLine } from '../tags/csv.js'
import { InputError } from '../errors.js'

export interface Image {
  /** Lower-cased repository name, with the registry host when one was given. */
  name: string
  /** The registry host the image lives on (docker.io when none was given). */
  registry: string
}

const DOMAIN_COMPONENT = '(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])'
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:]+\\])(?::([0-9]+))?`
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`)
const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`)
const MAX_NAME_LENGTH = 255
const MAX_PORT = 65535
const NAME_RULES =
  'lower-case path components of letters, digits and single separators ' +
  '(. _ __ -), an optional registry host[:port] (port 1-65535)'
const ALLOWED =
  'an image name like "ghcr.io/owner/app" or "owner/app": ' +
  `${NAME_RULES}, no tag or digest; optional ",enable=false"`

/**
 * docker's rule: the first segment of a name is a registry host if it has a
 * '.' or ':', is localhost, or has capitals (a namespace never does).
 */
export function isRegistryHost(segment: string): boolean {
  return (
    /[.:]/.test(segment) ||
    segment === 'localhost' ||
    segment !== segment.toLowerCase()
  )
}

/** A registry `host[:port]` per the reference grammar (capitals allowed), port 1-65535. */
export function isRegistryAddress(host: string): boolean {
  const match = DOMAIN_RE.exec(host)
  if (match === null) return false
  const port = match[1]
  return port === undefined || (Number(port) >= 1 && Number(port) <= MAX_PORT)
}

/**
 * Parses one image name per the docker reference grammar. `images` are
 * lower-cased first (metadata-action's habit, SPEC 1); any other input
 * (`source`) must already be lower-case in its path, as docker requires.
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
    path.every(component => PATH_COMPONENT_RE.test(component))
  if (!valid) throw new InputError(input, value, `expected ${ALLOWED}`)
  return { name, registry: host ?? 'docker.io' }
}

/**
 * Parses the `images` lines (metadata-action syntax: `name` or
 * `name=app,enable=false`), dropping disabled ones.
 */
export function parseImages(lines: string[]): Image[] {
  const images: Image[] = []
  for (const line of lines) {
    const { name, enabled } = parseImageLine(line)
    const image = parseImageName(name)
    if (enabled && !images.some(i => i.name === image.name)) images.push(image)
  }
  return images
}

function parseImageLine(line: string): { name: string; enabled: boolean } {
  let fields: string[]
  try {
    fields = splitCsvLine(line)
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw new InputError('images', line, error.message)
    throw error
  }
  let name: string | undefined
  let enabled = true
  for (const field of fields) {
    const attribute = splitAttribute(field) ?? {
      key: 'name',
      value: field.trim()
    }
    if (attribute.key === 'name') name = attribute.value
    else if (
      attribute.key === 'enable' &&
      /^(true|false)$/.test(attribute.value)
    )
      enabled = attribute.value === 'true'
    else throw new InputError('images', line, `expected ${ALLOWED}`)
  }
  if (name === undefined)
    throw new InputError('images', line, `expected ${ALLOWED}`)
  return { name, enabled }
}

/** An image plus the tag or digest it names: `registry/app:1.2.3` or `registry/app@sha256:…`. */
export interface ImageReference {
  image: Image
  /** A tag, or a digest (sha256:…). */
  reference: string
}

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/

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
    } catch (error) {
      if (error instanceof InputError)
        throw new InputError(input, value, allowed)
      throw error
    }
  }
  if (at >= 0) {
    const digest = text.slice(at + 1)
    if (!DIGEST_RE.test(digest)) throw new InputError(input, value, allowed)
    return {
      image: imageOf(text.slice(0, at)),
      reference: digest
    }
  }
  if (colon > lastSlash) {
    const tag = text.slice(colon + 1)
    if (!TAG_RE.test(tag)) throw new InputError(input, value, allowed)
    return {
      image: imageOf(text.slice(0, colon)),
      reference: tag
    }
  }
  return { image: imageOf(text), reference: 'latest' }
}
