import { describe, expect, it } from '@jest/globals'
import { isTag, MAX_TAG_LENGTH } from '../../../src/reference/grammar.js'
import { sanitizeTag } from '../../../src/tags/sanitize.js'

/** prefix, then fill repeated, to exactly length UTF-16 units. */
const long = (prefix: string, length: number, fill = 'x'): string =>
  (prefix + fill.repeat(length)).slice(0, length)

describe('sanitizeTag', () => {
  it.each([
    { name: 'slash', value: 'tickets/DM-42', expected: 'tickets-DM-42' },
    {
      name: 'a run of #, / and space is one dash',
      value: 'feature/#12 fix',
      expected: 'feature-12-fix'
    },
    { name: 'leading dot', value: '.hidden', expected: 'hidden' },
    { name: 'leading dashes', value: '--x', expected: 'x' },
    { name: 'leading dots and dashes', value: '.-.x.y', expected: 'x.y' },
    { name: 'only disallowed characters', value: '@@@', expected: undefined },
    { name: 'only a non-ASCII letter', value: 'ü', expected: undefined },
    { name: 'empty', value: '', expected: undefined },
    { name: 'only dots', value: '...', expected: undefined },
    { name: 'non-ASCII inside', value: 'grüße', expected: 'gr-e' },
    { name: 'emoji', value: 'ship-🚀-it', expected: 'ship---it' },
    { name: 'leading underscore stays', value: '_x', expected: '_x' },
    { name: 'trailing dash stays', value: 'x/', expected: 'x-' },
    {
      name: 'valid tag unchanged',
      value: 'v1.2.3_b-4',
      expected: 'v1.2.3_b-4'
    },
    {
      name: 'exactly 128 characters unchanged',
      value: long('a', MAX_TAG_LENGTH),
      expected: long('a', MAX_TAG_LENGTH)
    },
    {
      name: '128 characters after dropping a leading dot: no hash',
      value: `.${long('a', MAX_TAG_LENGTH)}`,
      expected: long('a', MAX_TAG_LENGTH)
    }
  ])('$name', ({ value, expected }) => {
    expect(sanitizeTag(value)).toBe(expected)
  })

  it.each([
    { name: '129 characters', value: long('feature/', 129) },
    { name: '200-character branch', value: long('feature/', 200) },
    { name: '200 characters with unicode', value: long('ü/', 200, 'ß-a') }
  ])('$name: cut to 128, ends with - and 8 hex', ({ value }) => {
    const tag = sanitizeTag(value)
    expect(tag).toHaveLength(MAX_TAG_LENGTH)
    expect(tag).toMatch(/-[0-9a-f]{8}$/)
    expect(isTag(tag ?? '')).toBe(true)
  })

  it('keeps the start of a long value', () => {
    expect(sanitizeTag(long('feature/', 200))).toMatch(
      /^feature-x{111}-[0-9a-f]{8}$/
    )
  })

  it.each([
    {
      name: 'different endings',
      a: long('a', 150) + 'b'.repeat(50),
      b: long('a', 150) + 'c'.repeat(50)
    },
    {
      name: 'endings that differ only in disallowed characters',
      a: long('a', 150) + '@'.repeat(50),
      b: long('a', 150) + '#'.repeat(50)
    }
  ])('two 200-character names sharing 150: $name', ({ a, b }) => {
    expect(sanitizeTag(a)).not.toBe(sanitizeTag(b))
  })

  it('is stable: the same value gives the same tag', () => {
    const value = long('feature/', 300)
    expect(sanitizeTag(value)).toBe(sanitizeTag(value))
  })
})

describe('isTag', () => {
  it.each([
    { name: 'plain', value: 'latest', expected: true },
    { name: 'version', value: '1.2.3', expected: true },
    { name: 'leading underscore', value: '_x', expected: true },
    { name: '128 characters', value: long('a', 128), expected: true },
    { name: '129 characters', value: long('a', 129), expected: false },
    { name: 'leading dot', value: '.x', expected: false },
    { name: 'leading dash', value: '-x', expected: false },
    { name: 'slash', value: 'a/b', expected: false },
    { name: 'empty', value: '', expected: false }
  ])('$name', ({ value, expected }) => {
    expect(isTag(value)).toBe(expected)
  })
})
