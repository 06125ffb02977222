import { createHash } from 'node:crypto'

/**
 * docker's reference grammar (distribution/reference), the one copy here: hosts, path components,
 * tags, digests.
 */

const DOMAIN_COMPONENT = '(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])'
const DOMAIN =
  `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:]+\\])` +
  '(?::([0-9]+))?'
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`)
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const MAX_PORT = 65535

/** The registry of a name without a host (docker's default domain). */
export const DOCKER_HUB = 'docker.io'

/** The host that serves Docker Hub's registry API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io'

/** The longest image name (registry host and path). */
export const MAX_NAME_LENGTH = 255

/** What a name's path components may be, as an error message says it. */
export const NAME_RULES =
  'lower-case path components of letters, digits and single separators ' +
  '(. _ __ -), an optional registry host[:port] (port 1-65535)'

/**
 * docker's rule: a name's first segment is a host if it has '.' or ':', is localhost, or has
 * capitals.
 */
export function isRegistryHost(segment: string): boolean {
  return (
    /[.:]/.test(segment) ||
    segment === 'localhost' ||
    segment !== segment.toLowerCase()
  )
}

/** A registry `host[:port]` per the grammar (capitals allowed), port 1-65535. */
export function isRegistryAddress(host: string): boolean {
  const match = DOMAIN_RE.exec(host)
  if (match === null) return false
  const port = match[1]
  return port === undefined || (Number(port) >= 1 && Number(port) <= MAX_PORT)
}

/** One component of a repository path: "app", "my_team", "a__b". */
export function isPathComponent(component: string): boolean {
  return PATH_COMPONENT_RE.test(component)
}

/** The longest tag docker accepts. */
export const MAX_TAG_LENGTH = 128

/** The characters of a tag, as a regular-expression class body. */
export const TAG_CHARACTERS = 'A-Za-z0-9_.-'

const TAG_RE = new RegExp(
  `^[A-Za-z0-9_][${TAG_CHARACTERS}]{0,${MAX_TAG_LENGTH - 1}}$`
)

/** A tag: a word character first, then word characters, '.' and '-'; 128 at most. */
export function isTag(value: string): boolean {
  return TAG_RE.test(value)
}

const SHA256_DIGEST_RE = /^sha256:[0-9a-f]{64}$/
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/

/** A sha256 content digest, the only kind this action writes and reads blobs by. */
export function isSha256Digest(value: string): boolean {
  return SHA256_DIGEST_RE.test(value)
}

/** A content digest of any algorithm (`algorithm:hex`), as a manifest reference. */
export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value)
}

/** The sha256 digest of some content (a manifest's bytes, a text as UTF-8). */
export function sha256Digest(content: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`
}
