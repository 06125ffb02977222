import { describe, expect, it } from '@jest/globals'
import {
  legOutputName,
  legOutputs,
  parseHandover
} from '../../../src/settings/leg-outputs.js'

const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const PLATFORMS = ['linux/amd64', 'linux/arm64']

/** The JSON of needs.legs.outputs: each leg's output under its own name, others as given. */
function needs(
  legs: [string, string[]][],
  more: Record<string, string> = {}
): string {
  const outputs = Object.fromEntries(
    legs.map(([platform, digests]) => {
      const set = legOutputs(platform, digests)
      return [legOutputName(platform), set[legOutputName(platform)]]
    })
  )
  return JSON.stringify({ ...outputs, ...more })
}

describe('legOutputName', () => {
  it.each([
    ['linux/amd64', 'leg-linux-amd64'],
    ['linux/arm/v7', 'leg-linux-arm-v7'],
    ['linux/386', 'leg-linux-386']
  ])('%s: %s', (platform, name) => {
    expect(legOutputName(platform)).toBe(name)
  })

  it('a leg sets handover and its own name, one value naming no image', () => {
    const outputs = legOutputs('linux/arm64', [A])
    expect(Object.keys(outputs)).toEqual(['handover', 'leg-linux-arm64'])
    expect(JSON.parse(outputs.handover)).toEqual({
      platform: 'linux/arm64',
      digests: [A]
    })
  })
})

describe('parseHandover', () => {
  it.each([
    {
      name: 'both legs, the outputs of platforms not run left empty',
      text: needs(
        [
          ['linux/amd64', [A]],
          ['linux/arm64', [B]]
        ],
        { 'leg-linux-s390x': '', other: 'x' }
      ),
      images: 1,
      legs: { 'linux/amd64': [A], 'linux/arm64': [B] }
    },
    {
      name: 'two images: one digest each, in the order of images',
      text: needs([
        ['linux/amd64', [A, B]],
        ['linux/arm64', [B, A]]
      ]),
      images: 2,
      legs: { 'linux/amd64': [A, B], 'linux/arm64': [B, A] }
    }
  ])('$name', ({ text, images, legs }) => {
    expect(Object.fromEntries(parseHandover(text, PLATFORMS, images))).toEqual(
      legs
    )
  })

  it.each([
    {
      name: 'not JSON',
      text: 'leg-linux-amd64',
      error:
        /^input "handover": invalid value "leg-linux-amd64": the JSON of needs/
    },
    {
      name: 'a JSON list',
      text: '[]',
      error: /^input "handover": invalid value "\[\]": the JSON of needs/
    },
    {
      name: 'a leg missing (failed, or its output not declared)',
      text: needs([['linux/amd64', [A]]]),
      error:
        /^input "handover": no leg result for linux\/arm64 \(output leg-linux-arm64 empty or absent\)/
    },
    {
      name: 'no leg at all (an always() merge after failed legs)',
      text: '{}',
      error: /no leg result for linux\/amd64, linux\/arm64 /
    },
    {
      name: 'a leg of a platform not asked for',
      text: needs([
        ['linux/amd64', [A]],
        ['linux/arm64', [B]],
        ['linux/s390x', [B]]
      ]),
      error:
        /the linux\/s390x leg was not asked for \(platforms: linux\/amd64,linux\/arm64\)/
    },
    {
      name: "an output holding another platform's leg",
      text: JSON.stringify({
        'leg-linux-amd64': legOutputs('linux/arm64', [A]).handover,
        'leg-linux-arm64': legOutputs('linux/arm64', [B]).handover
      }),
      error: /output leg-linux-amd64 holds the linux\/arm64 leg's record/
    },
    {
      name: 'a digest that is none',
      text: needs([
        ['linux/amd64', ['sha256:abc']],
        ['linux/arm64', [B]]
      ]),
      error: /the linux\/amd64 leg hands over "sha256:abc", no sha256 digest/
    },
    {
      name: 'legs of other images',
      text: needs([
        ['linux/amd64', [A]],
        ['linux/arm64', [B]]
      ]),
      images: 2,
      error: /the linux\/amd64 leg hands over 1 image\(s\) and images lists 2/
    },
    {
      name: 'an output that is no record',
      text: JSON.stringify({ 'leg-linux-amd64': 'sha256:x' }),
      error: /output leg-linux-amd64 is not a leg's record: sha256:x/
    }
  ])('$name: fails naming it', ({ text, images = 1, error }) => {
    expect(() => parseHandover(text, PLATFORMS, images)).toThrow(error)
  })
})
