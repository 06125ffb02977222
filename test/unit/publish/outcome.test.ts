import { describe, expect, it } from '@jest/globals'
import { inPlanOrder, type Pushed } from '../../../src/publish/outcome.js'

const DIGEST = `sha256:${'d'.repeat(64)}`
const REFS = [
  'ghcr.io/o/app:1.2.3',
  'ghcr.io/o/app:1.2',
  'ghcr.io/o/app:latest',
  'o/app:1.2.3',
  'o/app:latest'
]
const pushed = (ref: string): Pushed => ({ ref, digest: DIGEST })

describe('inPlanOrder', () => {
  it.each([
    {
      name: 'tags pointed in parallel come back in the plan order',
      landed: [
        'o/app:latest',
        'ghcr.io/o/app:1.2',
        'o/app:1.2.3',
        'ghcr.io/o/app:1.2.3'
      ],
      expected: [
        'ghcr.io/o/app:1.2.3',
        'ghcr.io/o/app:1.2',
        'o/app:1.2.3',
        'o/app:latest'
      ]
    },
    {
      name: 'already in order: unchanged',
      landed: ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:latest'],
      expected: ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:latest']
    },
    { name: 'nothing pushed', landed: [], expected: [] }
  ])('$name', ({ landed, expected }) => {
    expect(inPlanOrder(REFS, landed.map(pushed))).toEqual(expected.map(pushed))
  })
})
