import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import semver from 'semver'
import {
  compareReleaseVersions,
  coreVersion,
  parseReleaseVersion,
  type ReleaseVersion
} from '../../../src/tags/version.js'

function parsed(tagName: string): ReleaseVersion {
  const version = parseReleaseVersion(tagName)
  if (version === undefined) throw new Error(`not a version: ${tagName}`)
  return version
}

describe('parseReleaseVersion', () => {
  it.each([
    {
      name: 'v-prefixed X.Y.Z',
      tag: 'v1.2.3',
      expected: {
        major: 1,
        minor: 2,
        patch: 3,
        prerelease: '',
        build: '',
        stable: true,
        full: '1.2.3'
      }
    },
    {
      name: 'bare X.Y.Z',
      tag: '1.2.3',
      expected: {
        major: 1,
        minor: 2,
        patch: 3,
        prerelease: '',
        build: '',
        stable: true,
        full: '1.2.3'
      }
    },
    {
      name: 'capital V prefix',
      tag: 'V10.20.30',
      expected: {
        major: 10,
        minor: 20,
        patch: 30,
        prerelease: '',
        build: '',
        stable: true,
        full: '10.20.30'
      }
    },
    {
      name: 'zeros without leading zeros',
      tag: 'v0.0.0',
      expected: {
        major: 0,
        minor: 0,
        patch: 0,
        prerelease: '',
        build: '',
        stable: true,
        full: '0.0.0'
      }
    },
    {
      name: 'loose X.Y has no patch',
      tag: 'v1.2',
      expected: {
        major: 1,
        minor: 2,
        prerelease: '',
        build: '',
        stable: true,
        full: '1.2'
      }
    },
    {
      name: 'dotted pre-release',
      tag: 'v2.0.0-rc.1',
      expected: {
        major: 2,
        minor: 0,
        patch: 0,
        prerelease: 'rc.1',
        build: '',
        stable: false,
        full: '2.0.0-rc.1'
      }
    },
    {
      name: 'undotted pre-release',
      tag: 'v2.0.0-rc1',
      expected: {
        major: 2,
        minor: 0,
        patch: 0,
        prerelease: 'rc1',
        build: '',
        stable: false,
        full: '2.0.0-rc1'
      }
    },
    {
      name: 'word pre-release',
      tag: '3.1.4-beta',
      expected: {
        major: 3,
        minor: 1,
        patch: 4,
        prerelease: 'beta',
        build: '',
        stable: false,
        full: '3.1.4-beta'
      }
    },
    {
      name: 'attached pre-release (PEP 440 style)',
      tag: 'v1.0.0rc1',
      expected: {
        major: 1,
        minor: 0,
        patch: 0,
        prerelease: 'rc1',
        build: '',
        stable: false,
        full: '1.0.0rc1'
      }
    },
    {
      name: 'loose X.Y with pre-release',
      tag: 'v1.2-alpha.2',
      expected: {
        major: 1,
        minor: 2,
        prerelease: 'alpha.2',
        build: '',
        stable: false,
        full: '1.2-alpha.2'
      }
    },
    {
      name: 'build metadata: + becomes _',
      tag: 'v2.0.0+build.5',
      expected: {
        major: 2,
        minor: 0,
        patch: 0,
        prerelease: '',
        build: 'build.5',
        stable: false,
        full: '2.0.0_build.5'
      }
    },
    {
      name: 'pre-release and build metadata',
      tag: '1.0.0-alpha.2+exp.sha.5114f85',
      expected: {
        major: 1,
        minor: 0,
        patch: 0,
        prerelease: 'alpha.2',
        build: 'exp.sha.5114f85',
        stable: false,
        full: '1.0.0-alpha.2_exp.sha.5114f85'
      }
    },
    {
      name: 'hyphens inside identifiers',
      tag: '1.0.0-x-y.7+b-1',
      expected: {
        major: 1,
        minor: 0,
        patch: 0,
        prerelease: 'x-y.7',
        build: 'b-1',
        stable: false,
        full: '1.0.0-x-y.7_b-1'
      }
    }
  ])('$name: $tag', ({ tag, expected }) => {
    expect(parseReleaseVersion(tag)).toStrictEqual(expected)
  })

  it.each([
    { name: 'word and date', tag: 'deploy-2024-11' },
    { name: 'major only', tag: '1' },
    { name: 'v and major only', tag: 'v1' },
    { name: 'four parts', tag: '1.2.3.4' },
    { name: 'wildcard part', tag: 'v1.2.x' },
    { name: 'leading zero major', tag: '01.2.3' },
    { name: 'leading zero minor', tag: '1.02.3' },
    { name: 'leading zero patch', tag: 'v1.2.03' },
    { name: 'empty', tag: '' },
    { name: 'only v', tag: 'v' },
    { name: 'double v', tag: 'vv1.2.3' },
    { name: 'other prefix', tag: 'release-1.2.3' },
    { name: 'empty pre-release', tag: '1.2.3-' },
    { name: 'empty build', tag: '1.2.3+' },
    { name: 'empty pre-release identifier', tag: '1.2.3-rc..1' },
    { name: 'dot before pre-release', tag: '1.2.3.rc1' },
    { name: 'trailing dot', tag: '1.2.' },
    { name: 'whitespace', tag: ' 1.2.3' },
    { name: 'slash', tag: 'v1.2.3/fix' },
    { name: 'underscore build', tag: 'v2.0.0_build.5' },
    { name: 'non-ASCII identifier', tag: '1.2.3-ü' },
    { name: 'beyond safe integers', tag: '1.2.99999999999999999999' }
  ])('$name: $tag is not a version', ({ tag }) => {
    expect(parseReleaseVersion(tag)).toBeUndefined()
  })
})

describe('coreVersion', () => {
  it.each([
    { name: 'full version', tag: '1.2.3', expected: '1.2.3' },
    { name: 'loose X.Y counts as X.Y.0', tag: 'v1.2', expected: '1.2.0' },
    { name: 'drops pre-release', tag: '2.0.0-rc.1', expected: '2.0.0' }
  ])('$name', ({ tag, expected }) => {
    expect(coreVersion(parsed(tag))).toBe(expected)
  })
})

describe('compareReleaseVersions', () => {
  it.each([
    { name: 'patch', lower: '1.2.3', higher: '1.2.4' },
    { name: 'minor beats patch', lower: '1.2.9', higher: '1.3.0' },
    { name: 'major beats minor', lower: '1.99.0', higher: '2.0.0' },
    { name: 'numbers, not strings', lower: '1.9.0', higher: '1.10.0' },
    { name: 'backport below newer major', lower: '1.4.5', higher: '2.0.0' },
    { name: 'pre-release below release', lower: '2.0.0-rc.1', higher: '2.0.0' },
    { name: 'numeric identifiers', lower: '1.0.0-rc.2', higher: '1.0.0-rc.10' },
    { name: 'numeric below alpha', lower: '1.0.0-1', higher: '1.0.0-alpha' },
    { name: 'ASCII order', lower: '1.0.0-alpha', higher: '1.0.0-beta' },
    {
      name: 'shorter set below longer',
      lower: '1.0.0-alpha',
      higher: '1.0.0-alpha.1'
    },
    { name: 'loose below next patch', lower: 'v1.2', higher: '1.2.1' },
    { name: 'loose pre-release', lower: '1.2-rc1', higher: '1.2' }
  ])('$name: $lower < $higher', ({ lower, higher }) => {
    expect(compareReleaseVersions(parsed(lower), parsed(higher))).toBeLessThan(
      0
    )
    expect(
      compareReleaseVersions(parsed(higher), parsed(lower))
    ).toBeGreaterThan(0)
  })

  it.each([
    { name: 'identical', a: '1.2.3', b: '1.2.3' },
    { name: 'v prefix does not count', a: 'v1.2.3', b: '1.2.3' },
    { name: 'X.Y counts as X.Y.0', a: 'v1.2', b: '1.2.0' },
    { name: 'build metadata does not count', a: '1.2.3+build.5', b: '1.2.3' },
    {
      name: 'a leading zero in a pre-release number',
      a: '1.0.0-rc.01',
      b: '1.0.0-rc.1'
    }
  ])('$name: $a == $b', ({ a, b }) => {
    expect(compareReleaseVersions(parsed(a), parsed(b))).toBe(0)
  })

  it('sorts like semver for any strict semver versions', () => {
    const part = fc.nat({ max: 20 })
    const identifier = fc.oneof(
      fc.nat({ max: 20 }).map(String),
      fc.constantFrom('alpha', 'beta', 'rc', 'RC', 'x-y')
    )
    const version = fc
      .record({
        major: part,
        minor: part,
        patch: part,
        pre: fc.array(identifier, { maxLength: 3 })
      })
      .map(({ major, minor, patch, pre }) => {
        const suffix = pre.length === 0 ? '' : `-${pre.join('.')}`
        return `${major}.${minor}.${patch}${suffix}`
      })
    fc.assert(
      fc.property(version, version, (a, b) => {
        const ours = Math.sign(compareReleaseVersions(parsed(a), parsed(b)))
        expect(ours).toBe(semver.compare(a, b))
      })
    )
  })
})
