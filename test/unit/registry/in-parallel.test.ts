import { describe, expect, it } from '@jest/globals'
import { inParallel } from '../../../src/registry/in-parallel.js'

/** A turn of the event loop: each started item waits one before it settles. */
const turn = () => new Promise(resolve => setImmediate(resolve))

describe('inParallel: every item, a few at a time', () => {
  it.each([
    { name: 'fewer items than the limit', items: 3, limit: 8, most: 3 },
    { name: 'more items than the limit', items: 20, limit: 8, most: 8 },
    { name: 'one at a time', items: 5, limit: 1, most: 1 },
    { name: 'no items', items: 0, limit: 8, most: 0 }
  ])('$name: each runs once, at most the limit at once', async row => {
    const done: number[] = []
    let running = 0
    let most = 0
    await inParallel(
      Array.from({ length: row.items }, (_, i) => i),
      row.limit,
      async item => {
        running += 1
        most = Math.max(most, running)
        await turn()
        running -= 1
        done.push(item)
      }
    )
    expect(done.sort((a, b) => a - b)).toEqual(
      Array.from({ length: row.items }, (_, i) => i)
    )
    expect(most).toBe(row.most)
  })

  it('the first failure rejects, and no item starts after it', async () => {
    const started: number[] = []
    const run = inParallel(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async item => {
        started.push(item)
        if (item === 0) throw new Error('item 0 failed')
        await turn()
      }
    )
    await expect(run).rejects.toThrow('item 0 failed')
    // the other three workers had started before it failed; none takes another after
    for (let i = 0; i < 5; i++) await turn()
    expect(started).toEqual([0, 1, 2, 3])
  })
})
