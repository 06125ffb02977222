import { describe, expect, it } from '@jest/globals'
import { parseAge } from '../../../src/cleanup/cleanup-settings.js'
import {
  ageWords,
  afterRemovals,
  heldSince,
  pullRequestLeftovers,
  pullRequestRemovals,
  untaggedImages,
  pullRequestTags,
  untaggedRemovals,
  type ManifestLinks,
  type RepositoryState
} from '../../../src/cleanup/cleanup-plan.js'
import { CLOSED_PR } from './closed-pull-request.js'

// One repository as a release leaves it: a two-platform `latest` signed by cosign with an
// attestation referrer, pull requests' images, and an earlier `latest` no tag reaches any more.
const NOW = new Date('2026-11-26T12:00:00Z')
const DAY = 86_400_000
const d = (name: string) => `sha256:${name.padEnd(64, '0')}`
const hex = (digest: string) => digest.slice('sha256:'.length)
const ago = (days: number) => new Date(NOW.getTime() - days * DAY)

function image(children: string[] = [], days = 30, subject?: string) {
  const age = { time: ago(days), source: 'config' as const }
  return { children, age, ...(subject && { subject }) }
}

const MANIFESTS: Record<string, ManifestLinks> = {
  [d('a1')]: image([d('a2'), d('a3')], 1),
  [d('a2')]: image(),
  [d('a3')]: image(),
  [d('a4')]: image([], 1, d('a2')), // an attestation of latest's amd64 manifest
  [d('a5')]: image(), // cosign's signature of latest
  [d('b1')]: image(), // pr-7 alone
  [d('c1')]: image(), // pr-77
  [d('e1')]: image(), // main-abc123, which pr-7 also was at one time
  [d('f1')]: image([d('f2'), d('f3')], 20), // an earlier latest
  [d('f2')]: image(),
  [d('f3')]: image(),
  [d('f4')]: image([], 20, d('f2')), // its attestation
  [d('f5')]: image(), // its cosign signature
  [d('g1')]: image([], 2) // a recent orphan
}

const STATE: RepositoryState = {
  tags: {
    latest: d('a1'),
    [`sha256-${hex(d('a1'))}.sig`]: d('a5'),
    [`sha256-${hex(d('f1'))}.sig`]: d('f5'),
    'pr-7': d('b1'),
    'pr-77': d('c1'),
    'main-abc123': d('e1')
  },
  manifests: MANIFESTS
}

describe('pullRequestTags', () => {
  it.each([
    { name: 'zero-config defaults: the pr tag', tags: [], expected: ['pr-7'] },
    {
      name: 'rules: the pr and branch rules, not the commit rule',
      tags: ['type=ref,event=pr', 'type=ref,event=branch', 'type=sha'],
      expected: ['pr-7']
    },
    {
      name: 'a prefixed pr rule',
      tags: ['type=ref,event=pr,prefix=review-'],
      expected: ['review-7']
    }
  ])('$name', ({ tags, expected }) => {
    expect(pullRequestTags(CLOSED_PR, { tags, flavor: [] }, NOW)).toStrictEqual(
      { number: 7, tags: expected }
    )
  })

  it('refuses a run that is no pull request, naming the input', () => {
    const push = { ...CLOSED_PR, eventName: 'push', ref: 'refs/heads/main' }
    delete push.prNumber
    expect(() => pullRequestTags(push, { tags: [], flavor: [] }, NOW)).toThrow(
      /^input "cleanup": invalid value "pr": .*this run's event is "push"$/
    )
  })
})

describe('pullRequestRemovals', () => {
  it.each([
    {
      name: "pr-7 alone: its digest goes, pr-77's stays",
      state: STATE,
      expected: [{ tag: 'pr-7', digest: d('b1'), tombstone: false }]
    },
    {
      name: 'pr-7 on the digest main-abc123 holds: removed through a tombstone',
      state: { ...STATE, tags: { ...STATE.tags, 'pr-7': d('e1') } },
      expected: [{ tag: 'pr-7', digest: d('e1'), tombstone: true }]
    },
    {
      name: "pr-7 on a child of latest's index: a tombstone",
      state: { ...STATE, tags: { ...STATE.tags, 'pr-7': d('a2') } },
      expected: [{ tag: 'pr-7', digest: d('a2'), tombstone: true }]
    },
    {
      name: "pr-7's digest goes, and with it its cosign signature's tag",
      state: {
        ...STATE,
        tags: { ...STATE.tags, [`sha256-${hex(d('b1'))}.sig`]: d('c9') }
      },
      expected: [
        { tag: 'pr-7', digest: d('b1'), tombstone: false },
        { tag: `sha256-${hex(d('b1'))}.sig`, digest: d('c9'), tombstone: false }
      ]
    },
    {
      name: "pr-7 through a tombstone: its digest's signature stays",
      state: {
        ...STATE,
        tags: {
          ...STATE.tags,
          'pr-7': d('e1'),
          [`sha256-${hex(d('e1'))}.sig`]: d('c9')
        }
      },
      expected: [{ tag: 'pr-7', digest: d('e1'), tombstone: true }]
    },
    {
      name: "pr-7 on an index of its own: its children and attestation go, latest's child stays",
      state: {
        tags: { ...STATE.tags, 'pr-7': d('h1') },
        manifests: {
          ...STATE.manifests,
          [d('h1')]: image([d('h2'), d('a2')], 1),
          [d('h2')]: image(),
          [d('h3')]: image([], 1, d('h2'))
        }
      },
      expected: [
        { tag: 'pr-7', digest: d('h1'), tombstone: false },
        { tag: undefined, digest: d('h2'), tombstone: false },
        { tag: undefined, digest: d('h3'), tombstone: false }
      ]
    },
    {
      name: 'no pr-7 in the repository: nothing',
      state: { ...STATE, tags: { latest: d('a1'), 'pr-77': d('c1') } },
      expected: []
    }
  ])('$name', ({ state, expected }) => {
    const removals = pullRequestRemovals(state, ['pr-7'], 7)
    expect(
      removals.map(({ tag, digest, tombstone }) => ({ tag, digest, tombstone }))
    ).toStrictEqual(expected)
  })
})

describe('pullRequestLeftovers', () => {
  // untagged: the earlier latest f1 (no label), the recent orphan g1 written by pull request 7
  it.each([
    {
      name: "pull request 7's untagged image goes; the earlier latest, unlabelled, stays",
      writers: { [d('f1')]: '', [d('g1')]: '7' },
      expected: [d('g1')]
    },
    {
      name: "pull request 77's untagged image is not 7's",
      writers: { [d('f1')]: '', [d('g1')]: '77' },
      expected: []
    },
    {
      name: 'an untagged index pull request 7 wrote goes whole: children, attestation, signature',
      writers: { [d('f1')]: '7', [d('g1')]: '' },
      expected: [d('f1'), d('f2'), d('f3'), d('f4'), d('f5')]
    }
  ])('$name', ({ writers, expected }) => {
    const removals = pullRequestLeftovers(STATE, writers, 7)
    expect(removals.map(r => r.digest)).toStrictEqual(expected)
    for (const removal of removals)
      expect(removal.reason).toBe(
        'pull request #7 closed; an untagged image it wrote ' +
          '(dev.docker-publish-action.pull-request=7)'
      )
  })
})

describe('untaggedRemovals', () => {
  const WEEK = 7 * DAY
  it.each([
    {
      name: "the earlier latest's index, children, attestation and signature; not the recent one",
      policy: { olderThanMs: WEEK, keep: 0 },
      state: STATE,
      expected: [d('f1'), d('f2'), d('f3'), d('f4'), d('f5')]
    },
    {
      name: 'older-than 1d takes the recent orphan too, newest first',
      policy: { olderThanMs: DAY, keep: 0 },
      state: STATE,
      expected: [d('g1'), d('f1'), d('f2'), d('f3'), d('f4'), d('f5')]
    },
    {
      name: 'keep 1 keeps the newest orphan image whole, children included',
      policy: { olderThanMs: DAY, keep: 1 },
      state: STATE,
      expected: [d('f1'), d('f2'), d('f3'), d('f4'), d('f5')]
    },
    {
      name: "an orphan index sharing latest's child: the child stays, the rest goes",
      policy: { olderThanMs: 0, keep: 0 },
      state: {
        ...STATE,
        manifests: { ...MANIFESTS, [d('f1')]: image([d('a2'), d('f2')], 20) }
      },
      expected: [d('g1'), d('f1'), d('f2'), d('f4'), d('f5'), d('f3')]
    },
    {
      name: 'an orphan whose age is unknown stays',
      policy: { olderThanMs: 0, keep: 0 },
      state: { tags: {}, manifests: { [d('h1')]: { children: [] } } },
      expected: []
    }
  ])('$name', ({ state, policy, expected }) => {
    const removals = untaggedRemovals(state, policy, NOW)
    expect(removals.map(r => r.digest)).toStrictEqual(expected)
  })

  it('says why: the image no tag reaches, its age and where it was read, and what each other one goes with', () => {
    const removals = untaggedRemovals(
      STATE,
      { olderThanMs: WEEK, keep: 0 },
      NOW
    )
    const when = ago(20).toISOString()
    const age = `20 days old: created ${when} (its config's created)`
    expect(removals.slice(0, 2).map(r => [r.reason, r.age])).toStrictEqual([
      [`no tag reaches it; ${age}`, { time: when, source: 'config' }],
      [
        `goes with ${d('f1')}, which no tag reaches (${age})`,
        { time: when, source: 'config' }
      ]
    ])
  })

  it.each([
    {
      name: "GHCR's push time, in hours",
      age: {
        time: new Date(NOW.getTime() - 5 * 3_600_000),
        source: 'package version' as const
      },
      words:
        "5 hours old: pushed 2026-11-26T07:00:00.000Z (GHCR's package version)"
    },
    {
      name: 'a referrer written a day ago',
      age: { time: ago(1), source: 'referrer' as const },
      words:
        '1 day old: pushed 2026-11-25T12:00:00.000Z (a signature or referrer of it was written then)'
    }
  ])('an age in words: $name', ({ age, words }) => {
    expect(ageWords(age, NOW)).toBe(words)
  })
})

describe('untaggedImages', () => {
  it.each([
    {
      name: "the earlier latest's index (not its children or signature) and the recent orphan",
      state: STATE,
      expected: [d('f1'), d('g1')]
    },
    {
      name: "a dangling signature whose image is gone: the signature's own manifest",
      state: {
        tags: { latest: d('a1'), [`sha256-${hex(d('f1'))}.sig`]: d('f5') },
        manifests: { [d('a1')]: image(), [d('f5')]: image() }
      },
      expected: [d('f5')]
    },
    {
      name: 'everything tagged: none',
      state: { tags: { latest: d('a1') }, manifests: { [d('a1')]: image() } },
      expected: []
    }
  ])('$name', ({ state, expected }) => {
    expect(untaggedImages(state).sort()).toStrictEqual(expected)
  })
})

describe('afterRemovals then untaggedRemovals (pr and untagged in one step)', () => {
  const WEEK = 7 * DAY
  it.each([
    {
      name: "pr-7's digest deleted: untagged does not list it again",
      state: { ...STATE, manifests: { ...MANIFESTS, [d('b1')]: image() } },
      expected: [d('f1'), d('f2'), d('f3'), d('f4'), d('f5')]
    },
    {
      name: "pr-7's index deleted with its children: untagged does not list them again",
      state: {
        ...STATE,
        manifests: {
          ...MANIFESTS,
          [d('b1')]: image([d('b2')]),
          [d('b2')]: image()
        }
      },
      expected: [d('f1'), d('f2'), d('f3'), d('f4'), d('f5')]
    },
    {
      name: 'pr-7 through a tombstone: main-abc123 keeps its digest',
      state: { ...STATE, tags: { ...STATE.tags, 'pr-7': d('e1') } },
      expected: [d('b1'), d('f1'), d('f2'), d('f3'), d('f4'), d('f5')]
    }
  ])('$name', ({ state, expected }) => {
    const pr = pullRequestRemovals(state, ['pr-7'], 7)
    const after = afterRemovals(state, pr)
    expect(after.tags['pr-7']).toBeUndefined()
    const removals = untaggedRemovals(
      after,
      { olderThanMs: WEEK, keep: 0 },
      NOW
    )
    expect(removals.map(r => r.digest).sort()).toStrictEqual(expected)
  })
})

describe('heldSince: what the read again keeps of the planned removals', () => {
  // pr-7 planned to go whole: its index b1 and its platform manifests b2 and b3
  const PLANNED: RepositoryState = {
    tags: { ...STATE.tags, 'pr-7': d('b1') },
    manifests: {
      ...MANIFESTS,
      [d('b1')]: image([d('b2'), d('b3')]),
      [d('b2')]: image(),
      [d('b3')]: image()
    }
  }
  const removals = pullRequestRemovals(PLANNED, ['pr-7'], 7)
  it.each([
    {
      name: 'nothing moved: nothing kept',
      now: PLANNED,
      expected: []
    },
    {
      name: 'a release tagged the index since: it is kept whole',
      now: { ...PLANNED, tags: { ...PLANNED.tags, '1.0.0': d('b1') } },
      expected: [
        [d('b1'), 'tag 1.0.0 reaches it since the read'],
        [d('b2'), 'tag 1.0.0 reaches it since the read'],
        [d('b3'), 'tag 1.0.0 reaches it since the read']
      ]
    },
    {
      name: 'pr-7 moved to a new index sharing b2 (a re-run of the reopened pull request): pr-7 and what it reaches now are kept',
      now: {
        tags: { ...PLANNED.tags, 'pr-7': d('b4') },
        manifests: { ...PLANNED.manifests, [d('b4')]: image([d('b2')]) }
      },
      expected: [
        [d('b1'), `pr-7 no longer points at ${d('b1')}`],
        [d('b2'), 'tag pr-7 reaches it since the read']
      ]
    }
  ])('$name', ({ now, expected }) => {
    expect(removals.map(r => r.digest)).toStrictEqual([
      d('b1'),
      d('b2'),
      d('b3')
    ])
    const held = heldSince(now, removals)
    expect(
      removals.flatMap(r => (held.has(r) ? [[r.digest, held.get(r)]] : []))
    ).toStrictEqual(expected)
  })
})

describe('parseAge', () => {
  it.each([
    { name: 'empty: 7 days', value: '', expected: 7 * DAY },
    { name: 'days', value: '30d', expected: 30 * DAY },
    { name: 'hours', value: '24h', expected: DAY },
    { name: 'minutes', value: '90m', expected: 90 * 60_000 }
  ])('$name', ({ value, expected }) => {
    expect(parseAge(value)).toBe(expected)
  })

  it.each(['7', '1w', '-1d', 'soon'])('refuses %p, naming the input', value => {
    expect(() => parseAge(value)).toThrow(
      `input "older-than": invalid value "${value}": an age: a whole number and d, h or m`
    )
  })
})
