/** The fresh read the guards decide on, against a registry another run writes to meanwhile. */
import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { readStates } from '../../../src/publish/registry-read.js'
import type { RegistryClient } from '../../../src/registry/client.js'
import type { RequestStep } from '../../../src/plan/steps.js'

const IMAGE = parseImageName('127.0.0.1:5001/o/app')
const WRITTEN = `sha256:${'b'.repeat(64)}`

const read = (reference: string): RequestStep => ({
  step: 'read',
  method: 'GET',
  url: `http://127.0.0.1:5001/v2/o/app/${reference === '' ? 'tags/list' : `manifests/${reference}`}`,
  image: IMAGE,
  reference
})

/**
 * A registry where 2.0.0 is being written by another run: its tag is listed,
 * and its manifest is found only from the `readableFrom`-th read of it on.
 */
function writtenMeanwhile(readableFrom: number) {
  let reads = 0
  const registry = {
    listTags: () => Promise.resolve(['2.0.0']),
    getDigest: (_image: string, reference: string) => {
      if (reference !== '2.0.0') return Promise.resolve(undefined)
      reads++
      return Promise.resolve(reads >= readableFrom ? WRITTEN : undefined)
    }
  } as unknown as RegistryClient
  return { registry, reads: () => reads }
}

describe('readStates: a tag another run writes while this run reads', () => {
  it.each([
    {
      name: 'readable at once: read once',
      readableFrom: 1,
      reads: 1,
      digest: WRITTEN
    },
    {
      name: 'listed before its manifest could be read: read again until it can',
      readableFrom: 3,
      reads: 3,
      digest: WRITTEN
    },
    {
      name: 'never readable: read four times, then left unknown for the guards',
      readableFrom: 99,
      reads: 4,
      digest: undefined
    }
  ])('$name', async ({ readableFrom, reads, digest }) => {
    const fake = writtenMeanwhile(readableFrom)
    const [state] = await readStates(
      fake.registry,
      [read(''), read('2.0.0'), read('2.0')],
      () => ''
    )
    expect(state.existingDigests['2.0.0']).toBe(digest)
    expect(fake.reads()).toBe(reads)
  })
})
