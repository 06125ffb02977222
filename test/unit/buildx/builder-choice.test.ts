import { describe, expect, it } from '@jest/globals'
import { buildxGitEnv } from '../../../src/buildx/builder-choice.js'
import type { Builder } from '../../../src/plan/builder.js'

const CONTAINERD: Builder = {
  name: 'default',
  driver: 'docker',
  store: 'containerd'
}
const CLASSIC_STORE: Builder = {
  name: 'default',
  driver: 'docker',
  store: 'classic'
}
const CONTAINER: Builder = { name: 'b', driver: 'docker-container' }

interface Row {
  name: string
  build: { provenance?: string; attests: string[] }
  builder?: Builder
  env: NodeJS.ProcessEnv
  expected: Record<string, string>
}

describe('buildxGitEnv: git is asked only when a provenance attestation needs it (containerd store unless said)', () => {
  it.each([
    {
      name: 'no provenance: BUILDX_GIT_INFO off',
      build: { provenance: 'false', attests: [] },
      env: {},
      expected: { BUILDX_GIT_INFO: 'false' }
    },
    {
      name: 'the classic store and no provenance asked: none is made there',
      build: { attests: [] },
      builder: CLASSIC_STORE,
      env: {},
      expected: { BUILDX_GIT_INFO: 'false' }
    },
    {
      name: 'the classic store with provenance asked for: git stays',
      build: { provenance: 'mode=min', attests: [] },
      builder: CLASSIC_STORE,
      env: {},
      expected: {}
    },
    {
      name: 'the classic store with an attests line of provenance',
      build: { attests: ['type=provenance,mode=min'] },
      builder: CLASSIC_STORE,
      env: {},
      expected: {}
    },
    {
      name: "a docker-container builder: buildx's own default makes one",
      build: { attests: [] },
      builder: CONTAINER,
      env: {},
      expected: {}
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
  ] as Row[])('$name', ({ build, builder, env, expected }) => {
    expect(buildxGitEnv(build, builder ?? CONTAINERD, env)).toEqual(expected)
  })
})
