/** Checks of the line inputs buildx parses itself, so a line it would reject fails first. */
import { InputError } from '../errors/input-error.js'
import { inputFields } from '../csv/csv.js'
import { checkEach } from './parse.js'

/** `KEY=value`, or `KEY` alone (buildx takes the value from the environment). */
export function checkBuildArgs(lines: string[]): string[] {
  return checkEach(
    'build-args',
    lines,
    line => /^[^=\s]+(=|$)/.test(line),
    'expected KEY=value lines (or KEY alone to pass it from the environment); KEY not empty and ' +
      'without spaces'
  )
}

/** `name=path` (or `name=docker-image://…`, `name=https://…`): both halves given. */
export function checkBuildContexts(lines: string[]): string[] {
  return checkEach(
    'build-contexts',
    lines,
    line => /^[^=\s]+=\s*\S/.test(line),
    'expected name=path lines, e.g. alpine=docker-image://alpine:3.20 or src=./src'
  )
}

/** The cache backends buildkit has. */
const CACHE_TYPES = ['registry', 'local', 'inline', 'gha', 's3', 'azblob']

/** The attribute each cache type cannot do without, per input. */
const REQUIRED: Record<string, Record<string, string>> = {
  'cache-from': { registry: 'ref', local: 'src' },
  'cache-to': { registry: 'ref', local: 'dest' }
}

function cacheAttributes(line: string, input: string): Map<string, string> {
  const fields = inputFields(input, line, cacheAllowed(input))
  const attributes = new Map<string, string>()
  for (const field of fields) {
    const at = field.indexOf('=')
    if (at <= 0)
      throw new InputError(
        input,
        line,
        `"${field}" is not key=value; ${cacheAllowed(input)}`
      )
    attributes.set(field.slice(0, at).trim().toLowerCase(), field.slice(at + 1))
  }
  return attributes
}

function cacheAllowed(input: string): string {
  const example =
    input === 'cache-from'
      ? 'type=registry,ref=ghcr.io/o/app:cache, type=local,src=path, type=gha, or a bare image ' +
        'reference'
      : 'type=registry,ref=ghcr.io/o/app:cache,mode=max, type=local,dest=path, type=inline, ' +
        'type=gha'
  return `expected type=<${CACHE_TYPES.join('|')}> with its attributes, e.g. ${example}`
}

/** cache-from and cache-to lines as buildx parses them (a line without `=` is a registry ref). */
export function checkCacheLines(
  lines: string[],
  input: 'cache-from' | 'cache-to'
): string[] {
  for (const line of lines) {
    if (!line.includes('=')) {
      if (/\s/.test(line))
        throw new InputError(input, line, cacheAllowed(input))
      continue
    }
    const attributes = cacheAttributes(line, input)
    const type = attributes.get('type') ?? ''
    if (!CACHE_TYPES.includes(type))
      throw new InputError(input, line, cacheAllowed(input))
    const needed = REQUIRED[input][type]
    if (needed !== undefined && (attributes.get(needed) ?? '') === '')
      throw new InputError(
        input,
        line,
        `type=${type} needs ${needed}=…; ${cacheAllowed(input)}`
      )
  }
  return lines
}

/** The annotation levels buildx knows (`level[platform]:key=value`). */
const ANNOTATION_LEVELS = [
  'manifest',
  'index',
  'manifest-descriptor',
  'index-descriptor'
]

/** buildx's own pattern of an annotation key with an optional level prefix. */
const ANNOTATION_KEY = /^(?:([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?:)?(\S+)$/
/** A prefix that reads as levels (`index,manifest:`, `image[x]:`), known or not. */
const LEVEL_LIKE = /^[a-z,-]+(?:\[[^\]]*\])?:/
const ANNOTATIONS_ALLOWED =
  `expected [level[platform]:]key=value lines, level one of ${ANNOTATION_LEVELS.join(', ')}, ` +
  'e.g. org.opencontainers.image.title=App or manifest[linux/amd64]:com.example.key=value'

/** Annotation lines as buildx parses them: a level prefix must be one it knows. */
export function checkAnnotations(lines: string[]): string[] {
  return checkEach(
    'annotations',
    lines,
    line => {
      const at = line.indexOf('=')
      const key = line.slice(0, at)
      const match = at > 0 ? ANNOTATION_KEY.exec(key) : null
      const level = match?.[1]
      if (match === null) return false
      return level === undefined
        ? !LEVEL_LIKE.test(key)
        : ANNOTATION_LEVELS.includes(level)
    },
    ANNOTATIONS_ALLOWED
  )
}

/** What the `cache` input asks for: `auto` decides from the builder and the runner. */
const CACHE_KINDS = [
  'auto',
  'gha',
  'registry',
  'inline',
  'local',
  'off'
] as const
type CacheKind = (typeof CACHE_KINDS)[number]

/** The `cache` input, read: a kind, and the place `registry` and `local` need. */
export interface CacheSetting {
  kind: CacheKind
  /** registry: the cache's own image reference (never one of the image's tags). */
  ref?: string
  /** local: the folder the cache is kept in (one subfolder per image and platform). */
  dir?: string
}

const CACHE_ALLOWED =
  'expected auto (the default), gha, inline, off, registry,ref=<a cache reference of its own> ' +
  'or local,dir=<folder>'

/** `cache`: a kind, then (registry, local) the one attribute it needs. */
export function parseCacheSetting(value: string): CacheSetting {
  const trimmed = value.trim()
  if (trimmed === '') return { kind: 'auto' }
  const fields = inputFields('cache', trimmed, CACHE_ALLOWED).map(f => f.trim())
  const kind = CACHE_KINDS.find(k => k === fields[0].toLowerCase())
  if (kind === undefined) throw new InputError('cache', trimmed, CACHE_ALLOWED)
  const needed = { registry: 'ref', local: 'dir' } as Record<string, string>
  const key = needed[kind]
  const attributes = fields.slice(1)
  if (key === undefined) {
    if (attributes.length > 0)
      throw new InputError(
        'cache',
        trimmed,
        `${kind} takes no attributes; ${CACHE_ALLOWED}`
      )
    return { kind }
  }
  const prefix = `${key}=`
  const given = attributes.length === 1 && attributes[0].startsWith(prefix)
  const place = given ? attributes[0].slice(prefix.length).trim() : ''
  if (place === '' || /\s/.test(place))
    throw new InputError(
      'cache',
      trimmed,
      `${kind} needs ${key}=…; ${CACHE_ALLOWED}`
    )
  return { kind, [key]: place }
}
