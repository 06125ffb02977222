import { describe, expect, it } from '@jest/globals'
import { buildxGitEnv } from '../../../src/publish/environment.js'

describe('buildxGitEnv: git is asked only when a provenance attestation needs it', () => {
  it.each([
    {
      name: 'no provenance: BUILDX_GIT_INFO off',
      build: { provenance: 'false', attests: [] },
      env: {},
      expected: { BUILDX_GIT_INFO: 'false' }
    },
    {
      name: 'provenance given',
      build: { provenance: 'mode=max', attests: [] },
      env: {},
      expected: {}
    },
    {
      name: "provenance not given: build-push-action's default makes one",
      build: { attests: [] },
      env: {},
      expected: {}
    },
    {
      name: 'provenance: false wins over an attests line of its type',
      build: { provenance: 'false', attests: ['type=provenance,mode=min'] },
      env: {},
      expected: { BUILDX_GIT_INFO: 'false' }
    },
    {
      name: 'an sbom attestation alone',
      build: { provenance: 'false', attests: ['type=sbom'] },
      env: {},
      expected: { BUILDX_GIT_INFO: 'false' }
    },
    {
      name: 'the user set BUILDX_GIT_INFO',
      build: { provenance: 'false', attests: [] },
      env: { BUILDX_GIT_INFO: 'true' },
      expected: {}
    },
    {
      name: 'the user asked for git labels',
      build: { provenance: 'false', attests: [] },
      env: { BUILDX_GIT_LABELS: 'full' },
      expected: {}
    }
  ])('$name', ({ build, env, expected }) => {
    expect(buildxGitEnv(build, env)).toEqual(expected)
  })
})
