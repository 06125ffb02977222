import {
  MAX_TAG_LENGTH,
  sha256Digest,
  TAG_CHARACTERS
} from '../reference/grammar.js'

const HASH_LENGTH = 8
const NOT_TAG_CHARACTERS = new RegExp(`[^${TAG_CHARACTERS}]+`, 'g')

/**
 * Turns any string into a valid docker tag, or undefined when nothing is left.
 * Each run of disallowed characters becomes one '-', leading '.'/'-' go, and an
 * over-long value is cut and ends in a hash of the whole value, so two long
 * names that share their first 119 characters still get distinct tags.
 */
export function sanitizeTag(value: string): string | undefined {
  const cleaned = value.replace(NOT_TAG_CHARACTERS, '-').replace(/^[.-]+/, '')
  if (cleaned === '') return undefined
  if (cleaned.length <= MAX_TAG_LENGTH) return cleaned
  const hash = sha256Digest(value).slice(7, 7 + HASH_LENGTH)
  const keep = MAX_TAG_LENGTH - HASH_LENGTH - 1
  return `${cleaned.slice(0, keep)}-${hash}`
}
