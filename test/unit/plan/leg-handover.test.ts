import { describe, expect, it } from '@jest/globals'
import {
  checkLegRecord,
  legArtifactBase,
  legArtifactName,
  legRecord,
  newestLeg,
  stagingTag,
  type LegRun
} from '../../../src/plan/leg-handover.js'
import { isTag } from '../../../src/reference/grammar.js'

const RUN: LegRun = {
  url: 'https://results.example',
  runId: '77',
  attempt: '1',
  sha: 'a'.repeat(40),
  repository: 'octo/app'
}
const DIGEST = `sha256:${'b'.repeat(64)}`
const IMAGE = 'ghcr.io/octo/app'
const WANT = {
  run: RUN,
  image: IMAGE,
  platform: 'linux/amd64',
  artifact: 'leg-x'
}
const record = (changes: Record<string, unknown> = {}) =>
  JSON.stringify({
    ...legRecord(RUN, IMAGE, 'linux/amd64', DIGEST),
    ...changes
  })

describe('legArtifactName', () => {
  // the characters @actions/artifact refuses in a name
  const REFUSED = /["':<>|*?\r\n\\/]/
  const names = [
    ['ghcr.io/octo/app', 'linux/amd64'],
    ['ghcr.io/octo/app', 'linux/arm64'],
    ['ghcr.io/octo/app', 'linux/arm/v7'],
    ['127.0.0.1:5001/octo/app', 'linux/amd64'],
    ['octo/a_b/c', 'linux/amd64'],
    ['octo/a/b_c', 'linux/amd64'],
    [`ghcr.io/${'x'.repeat(200)}`, 'linux/amd64']
  ].map(([image, platform]) =>
    legArtifactName(image, platform, '12', 'a1b2c3d4')
  )

  it.each(names)('%s holds no character artifact names refuse', name => {
    expect(name).not.toMatch(REFUSED)
    expect(name.length).toBeLessThanOrEqual(120)
  })

  it('is one per image and platform (names that slug alike differ by their hash)', () => {
    expect(new Set(names).size).toBe(names.length)
  })

  it.each([
    { name: 'attempt 1', attempt: '1', suffix: undefined, want: '-a1' },
    { name: 'attempt 3', attempt: '3', suffix: undefined, want: '-a3' },
    {
      name: 'a retried upload',
      attempt: '2',
      suffix: '0f0f0f0f',
      want: '-a2-0f0f0f0f'
    }
  ])(
    '$name: the base the merge looks for, then $want',
    ({ attempt, suffix, want }) => {
      expect(legArtifactName(IMAGE, 'linux/amd64', attempt, suffix)).toBe(
        `${legArtifactBase(IMAGE, 'linux/amd64')}${want}`
      )
    }
  )
})

describe('newestLeg', () => {
  const base = legArtifactBase(IMAGE, 'linux/amd64')
  const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, second))
  const leg = (name: string, id: number, second?: number) => ({
    name,
    id,
    ...(second === undefined ? {} : { createdAt: at(second) })
  })
  const arm64 = legArtifactName(IMAGE, 'linux/arm64', '9')
  it.each([
    { name: 'none listed', listed: [], want: undefined },
    {
      name: "only another platform's (its base is not a prefix of ours)",
      listed: [leg(arm64, 5, 1)],
      want: undefined
    },
    {
      name: 'an older action’s name without the attempt is not taken',
      listed: [leg(base, 5, 1)],
      want: undefined
    },
    {
      name: 'a name that only starts like ours',
      listed: [leg(`${base}-a2x`, 5, 1), leg(`${base}-a1`, 4, 1)],
      want: `${base}-a1`
    },
    {
      name: 're-run failed jobs: attempt 2 over attempt 1',
      listed: [leg(`${base}-a1`, 4, 1), leg(`${base}-a2`, 7, 9)],
      want: `${base}-a2`
    },
    {
      name: 'two attempts racing: the higher attempt, though uploaded first',
      listed: [leg(`${base}-a3`, 7, 1), leg(`${base}-a2`, 8, 9)],
      want: `${base}-a3`
    },
    {
      name: 'attempt 10 over attempt 9 (by number, not text)',
      listed: [leg(`${base}-a9`, 7, 1), leg(`${base}-a10`, 8, 1)],
      want: `${base}-a10`
    },
    {
      name: 'one attempt, a retried upload beside a failed one: the newer upload',
      listed: [leg(`${base}-a2-0f0f0f0f`, 3, 9), leg(`${base}-a2`, 8, 1)],
      want: `${base}-a2-0f0f0f0f`
    },
    {
      name: 'same attempt and time: the higher id',
      listed: [leg(`${base}-a2-11111111`, 8), leg(`${base}-a2`, 7)],
      want: `${base}-a2-11111111`
    }
  ])('$name', ({ listed, want }) => {
    expect(newestLeg(listed, base)?.name).toBe(want)
  })
})

describe('checkLegRecord', () => {
  it("hands over the digest of this run's leg", () => {
    expect(checkLegRecord(record(), WANT)).toBe(DIGEST)
  })

  it.each([
    {
      name: 'another run',
      text: record({ runId: '78' }),
      error:
        /leg-x is refused: runId "78", not "77", so it is not a leg of this run/
    },
    {
      name: 'another commit',
      text: record({ sha: 'c'.repeat(40) }),
      error: /sha "c{40}", not "a{40}"/
    },
    {
      name: 'another repository',
      text: record({ repository: 'evil/app' }),
      error: /repository "evil\/app", not "octo\/app"/
    },
    {
      name: 'another image',
      text: record({ image: 'ghcr.io/octo/other' }),
      error: /image "ghcr.io\/octo\/other", not "ghcr.io\/octo\/app"/
    },
    {
      name: 'another platform',
      text: record({ platform: 'linux/arm64' }),
      error: /platform "linux\/arm64", not "linux\/amd64"/
    },
    {
      name: 'another run and commit: both said',
      text: record({ runId: '78', sha: 'c'.repeat(40) }),
      error: /runId "78", not "77"; sha "c{40}", not "a{40}"/
    },
    {
      name: 'no run id at all',
      text: record({ runId: 77 }),
      error: /runId "", not "77"/
    },
    {
      name: 'a digest that is none',
      text: record({ digest: 'sha256:nope' }),
      error: /digest "sha256:nope" is not a sha256 digest/
    },
    {
      name: 'not JSON',
      text: 'PK\u0003\u0004',
      error: /leg-x is refused: its leg.json is not a leg record/
    },
    {
      name: 'a JSON list',
      text: '[]',
      error: /its leg.json is not a leg record/
    }
  ])('refuses $name', ({ text, error }) => {
    expect(() => checkLegRecord(text, WANT)).toThrow(error)
  })
})

describe('stagingTag', () => {
  it.each([
    {
      name: 'the run id, linux/amd64',
      buildId: '123',
      platform: 'linux/amd64',
      expected: 'build-123-linux-amd64'
    },
    {
      name: 'a platform variant',
      buildId: '123',
      platform: 'linux/arm/v7',
      expected: 'build-123-linux-arm-v7'
    },
    {
      name: 'no run id: the short commit',
      buildId: '860c1904a1ce',
      platform: 'linux/s390x',
      expected: 'build-860c1904a1ce-linux-s390x'
    }
  ])('$name', ({ buildId, platform, expected }) => {
    const tag = stagingTag(buildId, platform)
    expect(tag).toBe(expected)
    expect(isTag(tag)).toBe(true)
  })

  it('each platform of a run stages under its own tag', () => {
    const platforms = [
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v6',
      'linux/arm/v7'
    ]
    const tags = new Set(platforms.map(p => stagingTag('123', p)))
    expect(tags.size).toBe(platforms.length)
  })
})
