import { describe, expect, it } from '@jest/globals'
import {
  decideTags,
  describeDecision,
  type GuardDecision,
  type GuardInput
} from '../../../src/guards/decide.js'
import type { ReleaseLine, Tag } from '../../../src/tags/tag-types.js'

const OLD = `sha256:${'a'.repeat(64)}`
const NEW = `sha256:${'b'.repeat(64)}`

const version = (name: string): Tag => ({ name, kind: 'version' })
const fixed = (name: string): Tag => ({ name, kind: 'fixed' })
const free = (name: string): Tag => ({ name, kind: 'floating' })
const on = (
  name: string,
  scope: ReleaseLine['scope'],
  release: string
): Tag => ({ name, kind: 'floating', line: { scope, version: release } })

/** The tags a stable release 1.4.5 publishes, latest owned by releases. */
const RELEASE_145 = [
  version('1.4.5'),
  on('1.4', 'minor', '1.4.5'),
  on('1', 'major', '1.4.5'),
  on('latest', 'latest', '1.4.5')
]

function guard(input: Partial<GuardInput> & { tags: Tag[] }): GuardDecision {
  return decideTags({
    existingTags: [],
    existingDigests: {},
    newDigest: NEW,
    floatingGuard: true,
    immutableTags: 'error',
    ...input
  })
}

interface Summary {
  exact: string[]
  floating: string[]
  skipped: string[]
  unchanged: string[]
  conflicts: number
}

const NOTHING: Summary = {
  exact: [],
  floating: [],
  skipped: [],
  unchanged: [],
  conflicts: 0
}

function summary(decision: GuardDecision): Summary {
  const names = (tags: Tag[]): string[] => tags.map(tag => tag.name)
  return {
    exact: names(decision.exact),
    floating: names(decision.floating),
    skipped: names(decision.skipped.map(s => s.tag)),
    unchanged: names(decision.unchanged),
    conflicts: decision.conflicts.length
  }
}

function reasonOf(decision: GuardDecision, name: string): string | undefined {
  return decision.skipped.find(s => s.tag.name === name)?.reason
}

describe('decideTags: floating tags only move forward', () => {
  it.each<{
    name: string
    tags: Tag[]
    existing: string[]
    digests?: Record<string, string>
    floatingGuard?: boolean
    expected: Partial<Summary>
  }>([
    {
      name: 'a backport 1.4.5 after 2.0.0 moves 1.4 and 1 but not latest',
      tags: RELEASE_145,
      existing: ['1.4.4', '1.4', '1', '2.0.0', '2.0', '2', 'latest'],
      expected: {
        exact: ['1.4.5'],
        floating: ['1.4', '1'],
        skipped: ['latest']
      }
    },
    {
      name: '1.4.5 after 1.5.0 moves only 1.4',
      tags: RELEASE_145,
      existing: ['1.4.4', '1.4', '1.5.0', '1.5', '1', 'latest'],
      expected: {
        exact: ['1.4.5'],
        floating: ['1.4'],
        skipped: ['1', 'latest']
      }
    },
    {
      name: '1.4.5 with 1.5.0, 1.4.4 and 2.0.0 published moves only 1.4',
      tags: RELEASE_145,
      existing: ['1.5.0', '1.4.4', '2.0.0'],
      expected: {
        exact: ['1.4.5'],
        floating: ['1.4'],
        skipped: ['1', 'latest']
      }
    },
    {
      name: '1.4.5 after 1.4.6 moves nothing',
      tags: RELEASE_145,
      existing: ['1.4.6'],
      expected: { exact: ['1.4.5'], skipped: ['1.4', '1', 'latest'] }
    },
    {
      name: 'the first release in an empty repository moves everything',
      tags: RELEASE_145,
      existing: [],
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'a newer release than everything published moves everything',
      tags: RELEASE_145,
      existing: ['1.4.4', '1.3.9', '0.9.0', '1.4', '1', 'latest'],
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'the same version republished moves (equal is not newer)',
      tags: RELEASE_145,
      existing: ['1.4.5', '1.4', '1', 'latest'],
      digests: { '1.4.5': NEW },
      expected: { unchanged: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'newer pre-releases hold nothing back',
      tags: RELEASE_145,
      existing: ['1.4.6-rc.1', '1.5.0rc1', '2.0.0-beta', '2.0.0_build.5'],
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'tags that are not versions hold nothing back',
      tags: RELEASE_145,
      existing: ['main', 'pr-42', 'nightly', 'sha-9f9f9f9', 'deploy-2024-11'],
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'a loose X.Y release has a major line',
      tags: [version('1.2'), on('1', 'major', '1.2.0')],
      existing: ['1.3'],
      expected: { exact: ['1.2'], skipped: ['1'] }
    },
    {
      name: 'a v-spelled release counts in the plain channel',
      tags: RELEASE_145,
      existing: ['v1.5.0'],
      expected: {
        exact: ['1.4.5'],
        floating: ['1.4'],
        skipped: ['1', 'latest']
      }
    },
    {
      name: 'floating-guard false moves every floating tag',
      tags: RELEASE_145,
      existing: ['1.4.6', '1.5.0', '2.0.0'],
      floatingGuard: false,
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    }
  ])('$name', ({ tags, existing, digests = {}, floatingGuard, expected }) => {
    const decision = guard({
      tags,
      existingTags: existing,
      existingDigests: digests,
      floatingGuard: floatingGuard ?? true
    })
    expect(summary(decision)).toEqual({ ...NOTHING, ...expected })
  })

  it.each([
    {
      name: 'major line',
      tag: '1',
      existing: ['1.5.0', '1.4.4', '2.0.0'],
      reason: '1.5.0 is already published, newer than 1.4.5 in the 1.x line'
    },
    {
      name: 'minor line',
      tag: '1.4',
      existing: ['1.4.6'],
      reason: '1.4.6 is already published, newer than 1.4.5 in the 1.4.x line'
    },
    {
      name: 'latest',
      tag: 'latest',
      existing: ['1.5.0', '1.4.4', '2.0.0'],
      reason:
        '2.0.0 is already published, newer than 1.4.5 ' +
        '(latest follows the newest release)'
    },
    {
      name: 'the newest of several newer releases',
      tag: '1',
      existing: ['1.5.0', '1.7.2', '1.6.0', '2.0.0'],
      reason: '1.7.2 is already published, newer than 1.4.5 in the 1.x line'
    }
  ])('names the newer release: $name', ({ tag, existing, reason }) => {
    const decision = guard({ tags: RELEASE_145, existingTags: existing })
    expect(reasonOf(decision, tag)).toBe(reason)
  })
})

/** The mark a rollback left on a release (reference/withdrawal.ts). */
const WITHDRAWN = {
  reason: '1.5.0 corrupts uploads',
  actor: 'octocat',
  run: 'https://github.com/o/r/actions/runs/9/attempts/1',
  time: '2026-11-26T21:00:00.000Z'
}

/** The tags a release 1.5.0 publishes, latest owned by releases. */
const RELEASE_150 = [
  version('1.5.0'),
  on('1.5', 'minor', '1.5.0'),
  on('1', 'major', '1.5.0'),
  on('latest', 'latest', '1.5.0')
]

describe('decideTags: a withdrawn digest', () => {
  it.each<{
    name: string
    tags: Tag[]
    digests?: Record<string, string>
    floatingGuard?: boolean
    withdrawn?: typeof WITHDRAWN
    expected: Partial<Summary>
  }>([
    {
      name: 'a re-run of the withdrawn release keeps its exact tag, moves no floating tag',
      tags: RELEASE_150,
      digests: { '1.5.0': NEW, '1': OLD, latest: OLD },
      withdrawn: WITHDRAWN,
      expected: { unchanged: ['1.5.0'], skipped: ['1.5', '1', 'latest'] }
    },
    {
      name: 'a first push of a withdrawn digest still sets its exact and fixed tags',
      tags: [...RELEASE_150, fixed('sha-1a2b3c4')],
      withdrawn: WITHDRAWN,
      expected: {
        exact: ['1.5.0', 'sha-1a2b3c4'],
        skipped: ['1.5', '1', 'latest']
      }
    },
    {
      name: 'a floating tag already on the withdrawn digest stays unchanged',
      tags: [on('1.5', 'minor', '1.5.0')],
      digests: { '1.5': NEW },
      withdrawn: WITHDRAWN,
      expected: { floating: ['1.5'] }
    },
    {
      name: 'a rollback onto a withdrawn release moves nothing',
      tags: [free('latest'), free('1')],
      withdrawn: WITHDRAWN,
      expected: { skipped: ['latest', '1'] }
    },
    {
      name: 'the next release (not withdrawn) moves them forward',
      tags: RELEASE_150,
      digests: { '1': OLD, latest: OLD },
      expected: { exact: ['1.5.0'], floating: ['1.5', '1', 'latest'] }
    },
    {
      name: 'floating-guard false moves them onto a withdrawn digest too',
      tags: RELEASE_150,
      withdrawn: WITHDRAWN,
      floatingGuard: false,
      expected: { exact: ['1.5.0'], floating: ['1.5', '1', 'latest'] }
    }
  ])('$name', ({ tags, digests = {}, floatingGuard, withdrawn, expected }) => {
    const decision = guard({
      tags,
      existingTags: Object.keys(digests),
      existingDigests: digests,
      floatingGuard: floatingGuard ?? true,
      ...(withdrawn && { withdrawn })
    })
    expect(summary(decision)).toEqual({ ...NOTHING, ...expected })
  })

  it('says who withdrew the digest, when and why', () => {
    const decision = guard({ tags: [free('latest')], withdrawn: WITHDRAWN })
    expect(reasonOf(decision, 'latest')).toBe(
      'this digest was withdrawn by octocat on 2026-11-26T21:00:00.000Z ' +
        '(https://github.com/o/r/actions/runs/9/attempts/1): 1.5.0 corrupts uploads; ' +
        'floating tags never move onto a withdrawn release'
    )
  })
})

describe('decideTags: 0.x lines', () => {
  const release041 = [
    version('0.4.1'),
    on('0.4', 'minor', '0.4.1'),
    on('0', 'major', '0.4.1'),
    on('latest', 'latest', '0.4.1')
  ]

  it.each([
    {
      name: '0.5.0 holds back 0 and latest, not 0.4',
      existing: ['0.3.9', '0.5.0'],
      expected: { floating: ['0.4'], skipped: ['0', 'latest'] }
    },
    {
      name: '0.4.2 holds back the whole 0.4 line',
      existing: ['0.4.2'],
      expected: { skipped: ['0.4', '0', 'latest'] }
    },
    {
      name: '1.0.0 holds back only latest',
      existing: ['0.4.0', '1.0.0'],
      expected: { floating: ['0.4', '0'], skipped: ['latest'] }
    },
    {
      name: 'older 0.x releases hold nothing back',
      existing: ['0.1.0', '0.4.0', '0.3.12'],
      expected: { floating: ['0.4', '0', 'latest'] }
    }
  ])('$name', ({ existing, expected }) => {
    const decision = guard({ tags: release041, existingTags: existing })
    expect(summary(decision)).toEqual({
      ...NOTHING,
      exact: ['0.4.1'],
      ...expected
    })
  })
})

describe('decideTags: channels (flavor prefix/suffix)', () => {
  const debug = [
    version('1.4.5-debug'),
    on('1.4-debug', 'minor', '1.4.5'),
    on('1-debug', 'major', '1.4.5'),
    on('latest-debug', 'latest', '1.4.5')
  ]
  const prefixed = [
    version('app-1.4.5'),
    on('app-1.4', 'minor', '1.4.5'),
    on('app-1', 'major', '1.4.5'),
    on('app-latest', 'latest', '1.4.5')
  ]
  const both = [
    version('py3.11-1.4.5-slim'),
    on('py3.11-1-slim', 'major', '1.4.5'),
    on('py3.11-latest-slim', 'latest', '1.4.5')
  ]

  it.each([
    {
      name: 'a -debug channel is not held back by plain releases',
      tags: debug,
      existing: ['1.5.0', '2.0.0', '1.4.6'],
      expected: {
        exact: ['1.4.5-debug'],
        floating: ['1.4-debug', '1-debug', 'latest-debug']
      }
    },
    {
      name: 'a -debug channel is held back by its own releases',
      tags: debug,
      existing: ['1.5.0-debug', '1.4.4-debug'],
      expected: {
        exact: ['1.4.5-debug'],
        floating: ['1.4-debug'],
        skipped: ['1-debug', 'latest-debug']
      }
    },
    {
      name: 'the plain channel is not held back by -debug releases',
      tags: RELEASE_145,
      existing: ['1.5.0-debug', '2.0.0-debug', '1.4.6-debug'],
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'a prefix channel counts only its own releases',
      tags: prefixed,
      existing: ['1.5.0', 'app-2.0.0', 'other-1.9.0'],
      expected: {
        exact: ['app-1.4.5'],
        floating: ['app-1.4', 'app-1'],
        skipped: ['app-latest']
      }
    },
    {
      name: 'prefix and suffix together, digits in the prefix',
      tags: both,
      existing: ['py3.12-2.0.0-slim', 'py3.11-1.4.4', 'py3.11-1.6.0-slim'],
      expected: {
        exact: ['py3.11-1.4.5-slim'],
        skipped: ['py3.11-1-slim', 'py3.11-latest-slim']
      }
    },
    {
      name: 'prefix and suffix together, other channels ignored',
      tags: both,
      existing: ['py3.12-2.0.0-slim', 'py3.11-2.0.0', '2.0.0-slim'],
      expected: {
        exact: ['py3.11-1.4.5-slim'],
        floating: ['py3.11-1-slim', 'py3.11-latest-slim']
      }
    },
    {
      name: 'plain and -debug in one run: each tag follows its own channel',
      tags: [
        version('1.4.5-debug'),
        version('1.4.5'),
        on('1-debug', 'major', '1.4.5'),
        on('1', 'major', '1.4.5')
      ],
      existing: ['1.5.0-debug'],
      expected: {
        exact: ['1.4.5-debug', '1.4.5'],
        floating: ['1'],
        skipped: ['1-debug']
      }
    },
    {
      name: 'no version tag to learn from: no affixes',
      tags: [on('1.4-debug', 'minor', '1.4.5')],
      existing: ['1.4.6'],
      expected: { skipped: ['1.4-debug'] }
    },
    {
      name: 'a plain latest beside a -debug release follows the plain channel',
      tags: [version('1.4.5-debug'), on('latest', 'latest', '1.4.5')],
      existing: ['2.0.0-debug'],
      expected: { exact: ['1.4.5-debug'], floating: ['latest'] }
    }
  ])('$name', ({ tags, existing, expected }) => {
    const decision = guard({ tags, existingTags: existing })
    expect(summary(decision)).toEqual({ ...NOTHING, ...expected })
  })

  it('names the newer release of the channel', () => {
    const decision = guard({
      tags: debug,
      existingTags: ['1.5.0-debug', '2.0.0']
    })
    expect(reasonOf(decision, '1-debug')).toBe(
      '1.5.0-debug is already published, newer than 1.4.5 in the 1.x line'
    )
  })
})

describe('decideTags: release tags are immutable', () => {
  const elsewhere = {
    tags: RELEASE_145,
    existingTags: ['1.4.5', '1.4', '1'],
    existingDigests: { '1.4.5': OLD }
  }

  it.each<{
    name: string
    input: Partial<GuardInput>
    expected: Partial<Summary>
  }>([
    {
      name: 'error: a different digest stops the publish',
      input: { immutableTags: 'error' },
      expected: { floating: ['1.4', '1', 'latest'], conflicts: 1 }
    },
    {
      name: 'skip: keeps the tag and holds back its floating tags',
      input: { immutableTags: 'skip' },
      expected: { skipped: ['1.4.5', '1.4', '1', 'latest'] }
    },
    {
      name: 'skip holds back the floating tags with floating-guard false',
      input: { immutableTags: 'skip', floatingGuard: false },
      expected: { skipped: ['1.4.5', '1.4', '1', 'latest'] }
    },
    {
      name: 'overwrite: replaces the tag',
      input: { immutableTags: 'overwrite' },
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'error: unknown new digest (dry run of a build) is a conflict',
      input: { immutableTags: 'error', newDigest: '' },
      expected: { floating: ['1.4', '1', 'latest'], conflicts: 1 }
    },
    {
      name: 'skip: unknown new digest keeps the tag',
      input: { immutableTags: 'skip', newDigest: '' },
      expected: { skipped: ['1.4.5', '1.4', '1', 'latest'] }
    },
    {
      name: 'overwrite: unknown new digest replaces the tag',
      input: { immutableTags: 'overwrite', newDigest: '' },
      expected: { exact: ['1.4.5'], floating: ['1.4', '1', 'latest'] }
    },
    {
      name: 'an existing tag whose digest could not be read is a conflict',
      input: { existingDigests: {} },
      expected: { floating: ['1.4', '1', 'latest'], conflicts: 1 }
    }
  ])('$name', ({ input, expected }) => {
    const decision = guard({ ...elsewhere, ...input })
    expect(summary(decision)).toEqual({ ...NOTHING, ...expected })
  })

  it.each([
    { name: 'error', policy: 'error' as const },
    { name: 'skip', policy: 'skip' as const },
    { name: 'overwrite', policy: 'overwrite' as const }
  ])('$name: the same digest is unchanged', ({ policy }) => {
    const decision = guard({
      ...elsewhere,
      existingDigests: { '1.4.5': NEW },
      immutableTags: policy
    })
    expect(summary(decision)).toEqual({
      ...NOTHING,
      unchanged: ['1.4.5'],
      floating: ['1.4', '1', 'latest']
    })
  })

  it.each<{
    name: string
    tags: Tag[]
    existingDigests: Record<string, string>
    expected: Partial<Summary>
  }>([
    {
      name: 'a pre-release tag is immutable too',
      tags: [version('2.0.0-rc.1')],
      existingDigests: { '2.0.0-rc.1': OLD },
      expected: { skipped: ['2.0.0-rc.1'] }
    },
    {
      name: 'a kept release holds back only the floating tags of its version',
      tags: [
        version('2.0.0-rc.1'),
        version('1.4.5'),
        on('1.4', 'minor', '1.4.5')
      ],
      existingDigests: { '2.0.0-rc.1': OLD },
      expected: { skipped: ['2.0.0-rc.1'], exact: ['1.4.5'], floating: ['1.4'] }
    },
    {
      name: 'a kept channel release holds back its floating tags',
      tags: [version('1.4.5-debug'), on('1.4-debug', 'minor', '1.4.5')],
      existingDigests: { '1.4.5-debug': OLD },
      expected: { skipped: ['1.4.5-debug', '1.4-debug'] }
    },
    {
      name: 'fixed tags are not release tags',
      tags: [fixed('sha-1a2b3c4'), fixed('stable')],
      existingDigests: {},
      expected: { exact: ['sha-1a2b3c4', 'stable'] }
    }
  ])('skip: $name', ({ tags, existingDigests, expected }) => {
    const decision = guard({
      tags,
      existingTags: ['sha-1a2b3c4', 'stable', ...Object.keys(existingDigests)],
      existingDigests,
      immutableTags: 'skip'
    })
    expect(summary(decision)).toEqual({ ...NOTHING, ...expected })
  })

  it.each<{ name: string; input: Partial<GuardInput>; message: RegExp }>([
    {
      name: 'known digests',
      input: {},
      message: new RegExp(
        `^release tag 1\\.4\\.5 already exists at ${OLD}, and this run ` +
          'would replace it\\. .*immutable-tags: skip.*immutable-tags: overwrite'
      )
    },
    {
      name: 'unknown new digest',
      input: { newDigest: '' },
      message: new RegExp(
        `^release tag 1\\.4\\.5 already exists at ${OLD}, and this run ` +
          'would replace it\\. .*immutable-tags: skip.*immutable-tags: overwrite'
      )
    },
    {
      name: 'unreadable current digest',
      input: { existingDigests: {} },
      message:
        /^release tag 1\.4\.5 already exists at a digest that could not be read/
    }
  ])('error message: $name', ({ input, message }) => {
    const decision = guard({ ...elsewhere, ...input })
    expect(decision.conflicts).toEqual([expect.stringMatching(message)])
  })

  it.each([
    {
      name: 'known new digest',
      newDigest: NEW,
      tag: '1.4.5',
      reason: `already published at ${OLD}; kept as it is (immutable-tags: skip)`
    },
    {
      name: 'unknown new digest',
      newDigest: '',
      tag: '1.4.5',
      reason: `already published at ${OLD}; kept as it is (immutable-tags: skip)`
    },
    {
      name: 'floating tag of the kept release',
      newDigest: NEW,
      tag: '1',
      reason:
        'its release tag 1.4.5 was kept (immutable-tags: skip), so this tag ' +
        'must not point at an image that 1.4.5 does not'
    }
  ])('skip reason: $name', ({ newDigest, tag, reason }) => {
    const decision = guard({ ...elsewhere, newDigest, immutableTags: 'skip' })
    expect(reasonOf(decision, tag)).toBe(reason)
  })
})

describe('decideTags: other floating tags and order', () => {
  it.each([
    {
      name: 'branch, pr and nightly tags always float',
      tags: [free('tickets-DM-42'), free('pr-42'), free('nightly')],
      expected: { floating: ['tickets-DM-42', 'pr-42', 'nightly'] }
    },
    {
      name: 'latest from the default branch floats whatever is published',
      tags: [free('latest'), fixed('sha-1a2b3c4')],
      expected: { exact: ['sha-1a2b3c4'], floating: ['latest'] }
    },
    {
      name: 'order is kept within exact and within floating',
      tags: [
        free('latest'),
        fixed('sha-1a2b3c4'),
        free('edge'),
        version('1.4.5'),
        on('1.4', 'minor', '1.4.5'),
        fixed('stable'),
        on('1', 'major', '1.4.5')
      ],
      expected: {
        exact: ['sha-1a2b3c4', '1.4.5', 'stable'],
        floating: ['latest', 'edge', '1.4', '1']
      }
    }
  ])('$name', ({ tags, expected }) => {
    const decision = guard({
      tags,
      existingTags: ['9.9.9', 'latest', 'tickets-DM-42', 'pr-42', 'nightly']
    })
    expect(summary(decision)).toEqual({ ...NOTHING, ...expected })
  })

  it('keeps skipped tags in their computed order', () => {
    const decision = guard({
      tags: [
        on('latest', 'latest', '1.4.5'),
        version('1.4.5'),
        on('1', 'major', '1.4.5'),
        on('1.4', 'minor', '1.4.5')
      ],
      existingTags: ['1.4.6']
    })
    expect(summary(decision).skipped).toEqual(['latest', '1', '1.4'])
  })
})

describe('describeDecision', () => {
  it.each<{ name: string; input: GuardInput; lines: string[] }>([
    {
      name: 'a backport after 1.5.0 and 2.0.0',
      input: {
        tags: [...RELEASE_145, fixed('sha-1a2b3c4')],
        existingTags: ['1.5.0', '1.4.4', '2.0.0'],
        existingDigests: {},
        newDigest: NEW,
        floatingGuard: true,
        immutableTags: 'error'
      },
      lines: [
        'ghcr.io/a/b:1.4.5 set first (exact tag)',
        'ghcr.io/a/b:sha-1a2b3c4 set first (exact tag)',
        'ghcr.io/a/b:1.4 moves after the exact tags (floating tag)',
        'ghcr.io/a/b:1 held back: 1.5.0 is already published, newer than 1.4.5 in the 1.x line',
        'ghcr.io/a/b:latest held back: 2.0.0 is already published, newer than 1.4.5 (latest follows the newest release)'
      ]
    },
    {
      name: 'a re-run and a kept release',
      input: {
        tags: [version('1.4.5'), version('1.4.5-debug')],
        existingTags: ['1.4.5', '1.4.5-debug'],
        existingDigests: { '1.4.5': NEW, '1.4.5-debug': OLD },
        newDigest: NEW,
        floatingGuard: true,
        immutableTags: 'skip'
      },
      lines: [
        'ghcr.io/a/b:1.4.5 unchanged: already points at this digest',
        `ghcr.io/a/b:1.4.5-debug kept: already published at ${OLD}; kept as it is (immutable-tags: skip)`
      ]
    },
    {
      name: 'a conflict shows only what stops the publish',
      input: {
        tags: RELEASE_145,
        existingTags: ['1.4.5'],
        existingDigests: { '1.4.5': OLD },
        newDigest: NEW,
        floatingGuard: true,
        immutableTags: 'error'
      },
      lines: [
        `ghcr.io/a/b: release tag 1.4.5 already exists at ${OLD}, and this run would replace it. Release tags are immutable: set immutable-tags: skip to keep it and publish the other tags, or immutable-tags: overwrite to replace it.`,
        'ghcr.io/a/b: nothing is tagged (immutable-tags: error)'
      ]
    }
  ])('$name', ({ input, lines }) => {
    expect(describeDecision(decideTags(input), 'ghcr.io/a/b')).toEqual(lines)
  })
})
