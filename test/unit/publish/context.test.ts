import { describe, expect, it } from '@jest/globals'
import type { Pushed } from '../../../src/action/outputs.js'
import { finalResult } from '../../../src/publish/context.js'

const DIGEST = `sha256:${'d'.repeat(64)}`
const REFS = [
  'ghcr.io/o/app:1.2.3',
  'ghcr.io/o/app:1.2',
  'ghcr.io/o/app:latest',
  'o/app:1.2.3',
  'o/app:latest'
]
const pushed = (ref: string): Pushed => ({ ref, digest: DIGEST })

describe('finalResult', () => {
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
    const result = finalResult(
      REFS,
      { pushed: landed.map(pushed), skipped: [] },
      { digest: DIGEST, imageId: 'sha256:1', metadata: {} }
    )
    expect(result.pushed).toEqual(expected.map(pushed))
  })

  it('carries the build and the skipped tags through', () => {
    const skipped = [{ ref: 'o/app:latest', reason: '2.0.0 is newer' }]
    const metadata = { 'containerimage.digest': DIGEST }
    expect(
      finalResult(
        REFS,
        { pushed: [pushed('o/app:1.2.3')], skipped },
        { digest: DIGEST, imageId: 'sha256:1', metadata }
      )
    ).toEqual({
      digest: DIGEST,
      imageid: 'sha256:1',
      metadata,
      pushed: [pushed('o/app:1.2.3')],
      skipped
    })
  })
})
