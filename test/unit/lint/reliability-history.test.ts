import { describe, expect, it } from '@jest/globals'
// @ts-expect-error: a plain node script, no declarations
import { markdown } from '../../../scripts/reliability.mjs'

// scripts/reliability.mjs rewrites docs/reliability-cases.md from the results it finds: the soak
// history (runs whose results are gone, and the soak table a new run replaces) is kept across
// rewrites.

const soak = (seed: number, held: boolean) => ({
  suite: 'soak',
  category: 'soak: docker-container (the step’s own)',
  case: `seed ${seed} #1: registry: 503 on a blob upload`,
  held,
  ms: 1500,
  left: '-',
  schedule: { struck: true, released: held, boundMs: 120000 },
  at: '2026-11-26T10:00:00.000Z'
})
const run = { commit: 'abc1234', dirty: false, date: '2026-11-26' }
const write = (records: object[], previous = ''): string =>
  (markdown as (r: object[], o: object, p: string) => string)(
    records,
    run,
    previous
  )

describe('docs/reliability-cases.md keeps its soak history', () => {
  it.each([
    {
      name: 'a new soak: the table it replaces moves into the history, under its run',
      first: [soak(47, true)],
      second: [soak(48, true)],
      has: [
        '## Soak history',
        '### Run 2026-11-26 at commit abc1234',
        'Seed 47, 1 schedules per kind.',
        'Seed 48, 1 schedules per kind.'
      ],
      absent: []
    },
    {
      name: 'a run without the soak: the last soak table kept in the history',
      first: [soak(47, true)],
      second: [],
      has: ['## Soak history', 'Seed 47, 1 schedules per kind.'],
      absent: []
    },
    {
      name: 'the same soak written again: nothing moved',
      first: [soak(47, true)],
      second: [soak(47, true)],
      has: ['Seed 47, 1 schedules per kind.'],
      absent: ['## Soak history']
    }
  ])('$name', ({ first, second, has, absent }) => {
    const text = write(second, write(first))
    for (const line of has) expect(text).toContain(line)
    for (const line of absent) expect(text).not.toContain(line)
    // written again from the same results, the history stays as it was
    expect(write(second, text)).toBe(text)
  })

  it('a hand-written history survives a rewrite', () => {
    const history =
      '## Soak history\n\n| seed | held |\n|---|---|\n| 46 | 225 / 225 |\n'
    const previous = write([soak(48, true)]).replace('**', `${history}\n**`)
    expect(write([soak(48, true)], previous)).toContain('| 46 | 225 / 225 |')
  })
})
