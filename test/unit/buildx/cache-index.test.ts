/**
 * The writer's order of BuildKit's cache entries: the index, then the blobs roots first by the
 * index's chains (remotecache v1's layers: `parent` -1 for a root, absent for layer 0).
 */
import { describe, expect, it } from '@jest/globals'
import { addLayerDepths, rootsFirst } from '../../../src/buildx/cache-index.js'

const digest = (c: string) => `sha256:${c.repeat(64)}`
const A = digest('a')
const B = digest('b')
const C = digest('c')
const D = digest('d')

const depthsOf = (...indexes: string[]) => {
  const depths = new Map<string, number>()
  for (const index of indexes) addLayerDepths(depths, index)
  return Object.fromEntries(depths)
}
const index = (layers: object[]) => JSON.stringify({ layers, records: [] })

describe('addLayerDepths', () => {
  it.each([
    {
      name: 'a chain sorted by digest, its root last (a layer under layer 0 has no parent key)',
      indexes: [
        index([{ blob: A, parent: 2 }, { blob: B }, { blob: C, parent: -1 }])
      ],
      depths: { [C]: 0, [A]: 1, [B]: 2 }
    },
    {
      name: 'two roots, one layer on each',
      indexes: [
        index([
          { blob: A, parent: -1 },
          { blob: B, parent: 3 },
          { blob: C },
          { blob: D, parent: -1 }
        ])
      ],
      depths: { [A]: 0, [D]: 0, [B]: 1, [C]: 1 }
    },
    {
      name: 'a blob in two chains, and in two indexes: its least depth',
      indexes: [
        index([{ blob: A, parent: -1 }, { blob: B }, { blob: C, parent: 1 }]),
        index([{ blob: C, parent: -1 }])
      ],
      depths: { [A]: 0, [B]: 1, [C]: 0 }
    },
    {
      name: 'a loop, a parent out of range and a layer with no blob: no depth',
      indexes: [
        index([
          { blob: A, parent: 1 },
          { blob: B },
          { blob: C, parent: 9 },
          { parent: -1 },
          { blob: D, parent: 3 }
        ])
      ],
      depths: { [D]: 1 }
    },
    {
      name: 'not an index, and layers that are not objects',
      indexes: ['not json', '{"layers":{}}', 'null', '{"layers":[null,7]}'],
      depths: {}
    }
  ])('$name', ({ indexes, depths }) => {
    expect(depthsOf(...indexes)).toEqual(depths)
  })
})

describe('rootsFirst', () => {
  const entry = (key: string) => ({ key })
  const blob = (d: string) => entry(`buildkit-blob-1-${d}`)
  it.each([
    {
      name: 'the index first, then the blobs by depth, then those the index does not name',
      entries: [blob(A), blob(B), blob(D), blob(C), entry('index-main')],
      depths: { [C]: 0, [A]: 1, [B]: 2 },
      order: [entry('index-main'), blob(C), blob(A), blob(B), blob(D)]
    },
    {
      name: 'blobs of one depth keep the order they came in',
      entries: [blob(B), blob(A), blob(D), blob(C)],
      depths: { [A]: 0, [B]: 0, [C]: 1, [D]: 1 },
      order: [blob(B), blob(A), blob(D), blob(C)]
    },
    {
      name: 'no depths: the order they came in',
      entries: [blob(B), blob(A)],
      depths: {},
      order: [blob(B), blob(A)]
    }
  ])('$name', ({ entries, depths, order }) => {
    expect(rootsFirst(entries, new Map(Object.entries(depths)))).toEqual(order)
  })
})
