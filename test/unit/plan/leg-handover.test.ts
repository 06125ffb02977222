import { describe, expect, it } from '@jest/globals'
import {
  checkLegRecord,
  legArtifactName,
  legRecord,
  type LegRun
} from '../../../src/plan/leg-handover.js'

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
  ].map(([image, platform]) => legArtifactName(image, platform))

  it.each(names)('%s holds no character artifact names refuse', name => {
    expect(name).not.toMatch(REFUSED)
    expect(name.length).toBeLessThanOrEqual(120)
  })

  it('is one per image and platform (names that slug alike differ by their hash)', () => {
    expect(new Set(names).size).toBe(names.length)
  })

  it('is the same in the leg and the merge', () => {
    expect(legArtifactName(IMAGE, 'linux/amd64')).toBe(names[0])
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
