import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { RefContext } from '../../../src/context/context-types.js'
import { defaultTags } from '../../../src/tags/defaults.js'
import { MAX_TAG_LENGTH } from '../../../src/reference/grammar.js'
import { sanitizeTag } from '../../../src/tags/sanitize.js'

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

/** Characters that branch names and tags really carry, plus trouble. */
const tricky = fc.constantFrom(
  '#',
  '@',
  ' ',
  '.',
  '-',
  '_',
  '/',
  'a',
  'Z',
  '0',
  'ü',
  'ß',
  '🚀',
  '\u0000',
  '\n'
)

/** Any string: UTF-16 units (lone surrogates too), code points, tricky. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 1000 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ maxLength: 1000 }),
  fc.string({ unit: tricky, maxLength: 1000 }),
  fc
    .tuple(fc.constantFrom('.', '-', '..', '-.'), fc.string({ maxLength: 200 }))
    .map(([lead, rest]) => lead + rest)
)

const tagChar = fc.constantFrom(...'abcxyzABCXYZ0123456789_.-'.split(''))

function refContext(ref: string): RefContext {
  return {
    eventName: 'push',
    ref,
    sha: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
    defaultBranches: ['main'],
    repository: {
      fullName: 'acme/app',
      htmlUrl: 'https://github.com/acme/app'
    }
  }
}

describe('sanitizeTag properties', () => {
  it('returns undefined or a valid tag for any string', () => {
    fc.assert(
      fc.property(anyString, value => {
        const tag = sanitizeTag(value)
        expect(tag === undefined || TAG.test(tag)).toBe(true)
      }),
      { numRuns: 500 }
    )
  })

  it('leaves a valid tag unchanged', () => {
    const validTag = fc
      .tuple(
        fc.constantFrom('a', 'Z', '0', '_'),
        fc.string({ unit: tagChar, maxLength: MAX_TAG_LENGTH - 1 })
      )
      .map(([first, rest]) => first + rest)
    fc.assert(
      fc.property(validTag, value => {
        expect(sanitizeTag(value)).toBe(value)
      })
    )
  })

  it('gives distinct long valid names distinct tags', () => {
    const longName = fc
      .tuple(
        fc.constantFrom('a', 'Z', '0', '_'),
        fc.string({
          unit: tagChar,
          minLength: MAX_TAG_LENGTH,
          maxLength: 1000
        })
      )
      .map(([first, rest]) => first + rest)
    fc.assert(
      fc.property(longName, longName, (a, b) => {
        fc.pre(a !== b)
        expect(sanitizeTag(a)).not.toBe(sanitizeTag(b))
      })
    )
  })

  it('gives distinct long names with a shared 150-character start distinct tags', () => {
    const start = fc.string({ unit: tagChar, minLength: 150, maxLength: 150 })
    fc.assert(
      fc.property(start, anyString, anyString, (shared, endA, endB) => {
        fc.pre(endA !== endB)
        const a = `x${shared}${endA}`
        const b = `x${shared}${endB}`
        expect(sanitizeTag(a)).not.toBe(sanitizeTag(b))
      })
    )
  })

  it('lets no long value grow past 128 or lose its start', () => {
    const longName = fc.string({
      unit: tagChar,
      minLength: MAX_TAG_LENGTH + 1,
      maxLength: 1000
    })
    fc.assert(
      fc.property(longName, value => {
        const kept = `x${value}`
        const tag = sanitizeTag(kept)
        expect(tag).toHaveLength(MAX_TAG_LENGTH)
        expect(tag?.slice(0, 100)).toBe(kept.slice(0, 100))
      })
    )
  })
})

describe('defaultTags properties', () => {
  it('yields only valid tags for any branch pushed as refs/heads/<name>', () => {
    fc.assert(
      fc.property(
        anyString,
        fc.constantFrom('default-branch', 'release'),
        (branch, latestFrom) => {
          const tags = defaultTags(
            refContext(`refs/heads/${branch}`),
            latestFrom
          )
          expect(tags.length).toBeLessThanOrEqual(1)
          expect(tags.every(tag => TAG.test(tag.name))).toBe(true)
        }
      ),
      { numRuns: 500 }
    )
  })

  it('yields only valid tags for any tag pushed as refs/tags/<name>', () => {
    fc.assert(
      fc.property(
        anyString,
        fc.constantFrom('default-branch', 'release'),
        (tagName, latestFrom) => {
          const tags = defaultTags(
            refContext(`refs/tags/${tagName}`),
            latestFrom
          )
          expect(tags.every(tag => TAG.test(tag.name))).toBe(true)
          expect(new Set(tags.map(tag => tag.name)).size).toBe(tags.length)
        }
      ),
      { numRuns: 500 }
    )
  })
})
