import { describe, expect, it } from '@jest/globals'
import { imagetoolsCreateArgs } from '../../../src/argv/imagetools.js'

const AMD64 = `ghcr.io/o/app@sha256:${'a'.repeat(64)}`
const ARM64 = `ghcr.io/o/app@sha256:${'b'.repeat(64)}`
const CREATE = ['buildx', 'imagetools', 'create']

describe('imagetoolsCreateArgs', () => {
  it.each([
    {
      name: 'one target from one source (promote)',
      argv: imagetoolsCreateArgs(['ghcr.io/o/app:1.2.3'], ['ghcr.io/o/app:rc']),
      expected: [...CREATE, '--tag', 'ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:rc']
    },
    {
      name: 'several targets, platforms joined in source order (merge)',
      argv: imagetoolsCreateArgs(
        ['ghcr.io/o/app:1.2.3', 'o/app:1.2.3'],
        [AMD64, ARM64]
      ),
      expected: [
        ...CREATE,
        '--tag',
        'ghcr.io/o/app:1.2.3',
        '--tag',
        'o/app:1.2.3',
        AMD64,
        ARM64
      ]
    },
    {
      name: 'dry run: --dry-run before the tags',
      argv: imagetoolsCreateArgs(['ghcr.io/o/app:merge'], [AMD64], true),
      expected: [...CREATE, '--dry-run', '--tag', 'ghcr.io/o/app:merge', AMD64]
    }
  ])('$name', ({ argv, expected }) => {
    expect(argv).toEqual(expected)
  })
})
