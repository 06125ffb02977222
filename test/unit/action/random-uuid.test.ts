import { describe, expect, it } from '@jest/globals'
import { randomUUID, uuidOf } from '../../../src/action/random-uuid.js'

const V4 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('uuidOf: 16 bytes as a version 4 UUID', () => {
  it.each([
    {
      name: 'all zero: only the version and variant bits set',
      bytes: Buffer.alloc(16),
      uuid: '00000000-0000-4000-8000-000000000000'
    },
    {
      name: 'all ones: the version and variant bits cleared to theirs',
      bytes: Buffer.alloc(16, 0xff),
      uuid: 'ffffffff-ffff-4fff-bfff-ffffffffffff'
    },
    {
      name: 'counting bytes, in order',
      bytes: Buffer.from([...Array(16).keys()]),
      uuid: '00010203-0405-4607-8809-0a0b0c0d0e0f'
    }
  ])('$name', ({ bytes, uuid }) => {
    expect(uuidOf(bytes)).toBe(uuid)
  })
})

describe('randomUUID: the delimiters of the Action outputs', () => {
  it('version 4 UUIDs, none repeated, across several reads of the random source', () => {
    const uuids = Array.from({ length: 300 }, () => randomUUID())
    for (const uuid of uuids) expect(uuid).toMatch(V4)
    expect(new Set(uuids).size).toBe(uuids.length)
  })
})
