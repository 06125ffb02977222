import { describe, expect, it } from '@jest/globals'
import {
  readMetadataEnv,
  type MetadataEnv
} from '../../../src/context/metadata-env.js'

const DEFAULTS: MetadataEnv = {
  annotationLevels: ['manifest'],
  setOutputEnv: true,
  shortShaLength: 7,
  prHeadSha: false
}

describe('readMetadataEnv', () => {
  it.each<{
    name: string
    env: Record<string, string>
    expected: Partial<MetadataEnv>
  }>([
    { name: 'nothing set: the defaults', env: {}, expected: {} },
    {
      name: 'annotation levels: a comma list',
      env: { DOCKER_METADATA_ANNOTATIONS_LEVELS: 'manifest,index' },
      expected: { annotationLevels: ['manifest', 'index'] }
    },
    {
      name: 'annotation levels: spaces trimmed',
      env: { DOCKER_METADATA_ANNOTATIONS_LEVELS: 'index, manifest' },
      expected: { annotationLevels: ['index', 'manifest'] }
    },
    {
      name: 'set output env: false',
      env: { DOCKER_METADATA_SET_OUTPUT_ENV: 'false' },
      expected: { setOutputEnv: false }
    },
    {
      name: 'set output env: Go booleans (0)',
      env: { DOCKER_METADATA_SET_OUTPUT_ENV: '0' },
      expected: { setOutputEnv: false }
    },
    {
      name: 'short sha length',
      env: { DOCKER_METADATA_SHORT_SHA_LENGTH: '12' },
      expected: { shortShaLength: 12 }
    },
    {
      name: 'pr head sha: true in any case',
      env: { DOCKER_METADATA_PR_HEAD_SHA: 'TRUE' },
      expected: { prHeadSha: true }
    },
    {
      name: 'pr head sha: false',
      env: { DOCKER_METADATA_PR_HEAD_SHA: 'false' },
      expected: { prHeadSha: false }
    }
  ])('$name', ({ env, expected }) => {
    expect(readMetadataEnv(env)).toEqual({ ...DEFAULTS, ...expected })
  })

  it.each([
    {
      name: 'short sha length not a number',
      env: { DOCKER_METADATA_SHORT_SHA_LENGTH: 'ten' },
      error:
        /DOCKER_METADATA_SHORT_SHA_LENGTH: invalid value "ten": expected a whole number/
    },
    {
      name: 'short sha length zero',
      env: { DOCKER_METADATA_SHORT_SHA_LENGTH: '0' },
      error: /DOCKER_METADATA_SHORT_SHA_LENGTH: invalid value "0"/
    },
    {
      name: 'set output env not a boolean',
      env: { DOCKER_METADATA_SET_OUTPUT_ENV: 'nope' },
      error:
        /DOCKER_METADATA_SET_OUTPUT_ENV: invalid value "nope": expected one of 1, t/
    }
  ])('rejects $name', ({ env, error }) => {
    expect(() => readMetadataEnv(env)).toThrow(error)
  })
})
