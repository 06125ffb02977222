import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import type { Publication } from '../../../src/plan/publication.js'
import { planText } from '../../../src/plan/text.js'

const RELEASE: Publication = {
  version: '1.2.3',
  tags: [
    { name: '1.2.3', kind: 'version' },
    {
      name: '1.2',
      kind: 'floating',
      line: { scope: 'minor', version: '1.2.3' }
    },
    { name: 'sha-860c190', kind: 'fixed' },
    { name: 'edge', kind: 'floating' }
  ],
  images: [parseImageName('o/app')],
  refs: ['o/app:1.2.3', 'o/app:1.2', 'o/app:sha-860c190', 'o/app:edge'],
  labels: { 'org.opencontainers.image.version': '1.2.3', a: 'b c' },
  annotations: {},
  buildArgs: [],
  warnings: [],
  notices: [],
  buildId: '123',
  sourceDateEpoch: 1714564800
}

describe('planText', () => {
  it.each([
    {
      name: 'every section; tags aligned with their kind and line; steps with their commands quoted',
      publication: RELEASE,
      steps: [
        {
          step: 'login' as const,
          argv: ['login', 'docker.io', '--username', 'octo', '--password-stdin']
        },
        {
          step: 'build' as const,
          argv: ['buildx', 'build', '--label', 'a=b c', '.']
        },
        {
          step: 'tag' as const,
          method: 'PUT' as const,
          url: 'https://registry-1.docker.io/v2/o/app/manifests/1.2'
        }
      ],
      guards: [
        'o/app:1.2.3 set first (exact tag)',
        'o/app:1.2 moves after the exact tags (floating tag)'
      ],
      expected: [
        'Version: 1.2.3',
        'Tags:',
        '  1.2.3        (version)',
        '  1.2          (floating, follows the minor line of 1.2.3)',
        '  sha-860c190  (fixed)',
        '  edge         (floating)',
        'References:',
        '  o/app:1.2.3',
        '  o/app:1.2',
        '  o/app:sha-860c190',
        '  o/app:edge',
        'Labels:',
        '  a=b c',
        '  org.opencontainers.image.version=1.2.3',
        'Annotations:',
        '  (none)',
        'Steps:',
        '  login     docker login docker.io --username octo --password-stdin',
        "  build     docker buildx build --label 'a=b c' .",
        '  tag       PUT https://registry-1.docker.io/v2/o/app/manifests/1.2',
        'The guards decide:',
        '  o/app:1.2.3 set first (exact tag)',
        '  o/app:1.2 moves after the exact tags (floating tag)'
      ]
    },
    {
      name: 'nothing to publish: (none) everywhere, no registry checks, warnings last',
      publication: {
        ...RELEASE,
        version: '',
        tags: [],
        refs: [],
        labels: {},
        warnings: ['type=semver: "main" is not a valid semver']
      },
      steps: [],
      guards: [],
      expected: [
        'Version: (none)',
        'Tags:',
        '  (none)',
        'References:',
        '  (none)',
        'Labels:',
        '  (none)',
        'Annotations:',
        '  (none)',
        'Steps:',
        '  (none)',
        'Warning: type=semver: "main" is not a valid semver'
      ]
    }
  ])('$name', ({ publication, steps, guards, expected }) => {
    expect(planText(publication, steps, guards)).toBe(expected.join('\n'))
  })
})
