import { describe, expect, it } from '@jest/globals'
import { parseBuildMetadata } from '../../../src/buildx/metadata.js'

const INDEX = `sha256:${'1'.repeat(64)}`
const CONFIG = `sha256:${'2'.repeat(64)}`

describe('parseBuildMetadata', () => {
  it.each([
    {
      name: 'a pushed build: containerimage.digest and the config digest',
      raw: {
        'buildx.build.ref': 'builder/builder0/x1y2',
        'containerimage.config.digest': CONFIG,
        'containerimage.descriptor': {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: INDEX,
          size: 856
        },
        'containerimage.digest': INDEX,
        'image.name': 'ghcr.io/o/app:1.2.3'
      },
      digest: INDEX,
      imageId: CONFIG
    },
    {
      name: 'no containerimage.digest: the descriptor digest',
      raw: {
        'containerimage.config.digest': CONFIG,
        'containerimage.descriptor': { digest: INDEX }
      },
      digest: INDEX,
      imageId: CONFIG
    },
    {
      name: 'an empty containerimage.digest: the descriptor digest',
      raw: {
        'containerimage.digest': '',
        'containerimage.descriptor': { digest: INDEX }
      },
      digest: INDEX,
      imageId: ''
    },
    {
      name: 'a build that only loaded: no digest, the image id',
      raw: { 'containerimage.config.digest': CONFIG },
      digest: '',
      imageId: CONFIG
    },
    {
      name: 'no metadata at all',
      raw: {},
      digest: '',
      imageId: ''
    },
    {
      name: 'values that are not strings count as missing',
      raw: {
        'containerimage.digest': 42,
        'containerimage.config.digest': null
      },
      digest: '',
      imageId: ''
    }
  ])('$name', ({ raw, digest, imageId }) => {
    expect(parseBuildMetadata(JSON.stringify(raw))).toEqual({
      digest,
      imageId,
      raw
    })
  })

  it('a file that is not JSON is an error', () => {
    expect(() => parseBuildMetadata('')).toThrow(SyntaxError)
  })
})
