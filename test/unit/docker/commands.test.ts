import { describe, expect, it } from '@jest/globals'
import { plannedCommands } from '../../../src/docker/commands.js'
import { ociArgs, releaseRun } from './run-fixture.js'

// The commands the plan and the dry run print, for each mode, from inputs
// parsed as the action parses them and the plan of a v1.2.3 release.

const LOGINS = [
  ['login', 'ghcr.io', '--username', 'octo', '--password-stdin'],
  ['login', 'docker.io', '--username', 'octodock', '--password-stdin']
]
const LOGOUTS = [
  ['logout', 'ghcr.io'],
  ['logout', 'docker.io']
]
const RELEASE_TAGS = [
  '--tag',
  'ghcr.io/octo/app:1.2.3',
  '--tag',
  'ghcr.io/octo/app:1.2',
  '--tag',
  'ghcr.io/octo/app:latest',
  '--tag',
  'octo/app:1.2.3',
  '--tag',
  'octo/app:1.2',
  '--tag',
  'octo/app:latest'
]
const OCI = [...ociArgs('--label'), ...ociArgs('--annotation')]
const SECRET = ['--secret', 'id=NPM_TOKEN,src=<file>']
const ATTESTATIONS_OFF = ['--provenance=false', '--sbom=false']

const buildx = (...args: string[]) => [
  'buildx',
  'build',
  ...args,
  '--metadata-file',
  '<metadata-file>',
  '.'
]
const imagetools = (...args: string[]) => [
  'buildx',
  'imagetools',
  'create',
  ...args
]

interface Row {
  name: string
  inputs: Record<string, string>
  expected: string[][]
}

describe('plannedCommands', () => {
  it.each<Row>([
    {
      name: 'build, push (default): logins, buildx pushes each image under the first tag, logouts',
      inputs: {
        platforms: 'linux/amd64,linux/arm64',
        'build-args': 'NODE_VERSION=20',
        'cache-from': 'type=gha',
        'cache-to': 'type=gha,mode=max'
      },
      expected: [
        ...LOGINS,
        buildx(
          '--platform',
          'linux/amd64,linux/arm64',
          '--tag',
          'ghcr.io/octo/app:1.2.3',
          '--tag',
          'octo/app:1.2.3',
          ...OCI,
          '--build-arg',
          'NODE_VERSION=20',
          '--cache-from',
          'type=gha',
          '--cache-to',
          'type=gha,mode=max',
          ...SECRET,
          ...ATTESTATIONS_OFF,
          '--push'
        ),
        ...LOGOUTS
      ]
    },
    {
      name: 'build, push: false: no login, the build alone, neither --push nor --load',
      inputs: { push: 'false' },
      expected: [
        buildx(...RELEASE_TAGS, ...OCI, ...SECRET, ...ATTESTATIONS_OFF)
      ]
    },
    {
      name: 'build, push: false, load: true: --load',
      inputs: { push: 'false', load: 'true', secrets: '' },
      expected: [buildx(...RELEASE_TAGS, ...OCI, ...ATTESTATIONS_OFF, '--load')]
    },
    {
      name: 'build, user labels merged with the OCI ones, attestations on',
      inputs: {
        push: 'false',
        secrets: '',
        labels: 'maintainer=octo',
        provenance: 'mode=max',
        sbom: 'true'
      },
      expected: [
        buildx(
          ...RELEASE_TAGS,
          '--label',
          'maintainer=octo',
          ...ociArgs('--label'),
          ...ociArgs('--annotation'),
          '--provenance=mode=max',
          '--sbom=true'
        )
      ]
    },
    {
      name: 'promote: login to the source registry too, one imagetools create for every image',
      inputs: {
        mode: 'promote',
        source: 'registry.example.com/octo/app:sha-860c190'
      },
      expected: [
        [
          'login',
          'registry.example.com',
          '--username',
          'octo',
          '--password-stdin'
        ],
        ...LOGINS,
        imagetools(
          '--tag',
          'ghcr.io/octo/app:1.2.3',
          '--tag',
          'octo/app:1.2.3',
          'registry.example.com/octo/app:sha-860c190'
        ),
        ['logout', 'registry.example.com'],
        ...LOGOUTS
      ]
    },
    {
      name: 'digest: one platform built under the run staging tag, pushed per image',
      inputs: { mode: 'digest', platforms: 'linux/arm/v7' },
      expected: [
        ...LOGINS,
        buildx(
          '--platform',
          'linux/arm/v7',
          '--tag',
          'ghcr.io/octo/app:build-123-1-linux-arm-v7',
          '--tag',
          'octo/app:build-123-1-linux-arm-v7',
          ...OCI,
          ...SECRET,
          ...ATTESTATIONS_OFF,
          '--load'
        ),
        ['push', 'ghcr.io/octo/app:build-123-1-linux-arm-v7'],
        ['push', 'octo/app:build-123-1-linux-arm-v7'],
        ...LOGOUTS
      ]
    },
    {
      name: 'merge: per image, one index from the staged platforms under the first tag',
      inputs: { mode: 'merge', platforms: 'linux/amd64,linux/arm64' },
      expected: [
        ...LOGINS,
        imagetools(
          '--tag',
          'ghcr.io/octo/app:1.2.3',
          'ghcr.io/octo/app@<digest of build-123-1-linux-amd64>',
          'ghcr.io/octo/app@<digest of build-123-1-linux-arm64>'
        ),
        imagetools(
          '--tag',
          'octo/app:1.2.3',
          'octo/app@<digest of build-123-1-linux-amd64>',
          'octo/app@<digest of build-123-1-linux-arm64>'
        ),
        ...LOGOUTS
      ]
    },
    {
      name: 'merge with no tag computed: logins and logouts only',
      inputs: {
        mode: 'merge',
        platforms: 'linux/amd64',
        tags: 'type=ref,event=pr'
      },
      expected: [...LOGINS, ...LOGOUTS]
    }
  ])('$name', async ({ inputs, expected }) => {
    const { settings, plan } = await releaseRun(inputs)
    expect(plannedCommands(settings, plan, '<metadata-file>')).toEqual(expected)
  })
})
