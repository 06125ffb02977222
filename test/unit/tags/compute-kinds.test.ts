import { describe, expect, it } from '@jest/globals'
import type { RefContext } from '../../../src/context/context-types.js'
import type { ReleaseLine, Tag } from '../../../src/tags/tag-types.js'
import { compute, gitTag, pr2, SEMVER_LINES } from './context-fixture.js'

// Rule mode: how each tag behaves once pushed (kind) and which release line
// a floating tag follows.

const version = (name: string): Tag => ({ name, kind: 'version' })
const fixed = (name: string): Tag => ({ name, kind: 'fixed' })
const floating = (name: string, line?: ReleaseLine): Tag =>
  line === undefined
    ? { name, kind: 'floating' }
    : { name, kind: 'floating', line }

interface KindRow {
  name: string
  ctx: Partial<RefContext>
  tags: string[]
  flavor?: string[]
  expected: Tag[]
}

describe('computeTags: kinds and release lines', () => {
  it.each<KindRow>([
    {
      name: 'stable semver: version, minor and major lines, latest line',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES,
      expected: [
        version('1.2.3'),
        floating('1.2', { scope: 'minor', version: '1.2.3' }),
        floating('1', { scope: 'major', version: '1.2.3' }),
        floating('latest', { scope: 'latest', version: '1.2.3' })
      ]
    },
    {
      name: 'semver patterns: {{raw}} and X.Y.Z are versions, {{minor}} floats freely',
      ctx: gitTag('v1.2.3'),
      tags: [
        'type=semver,pattern={{raw}}',
        'type=semver,pattern={{major}}.{{minor}}.{{patch}}-x',
        'type=semver,pattern=m{{minor}}'
      ],
      flavor: ['latest=false'],
      expected: [version('v1.2.3'), version('1.2.3-x'), floating('m2')]
    },
    {
      name: 'pre-release semver: version only',
      ctx: gitTag('v2.0.0-rc.1'),
      tags: SEMVER_LINES,
      expected: [version('2.0.0-rc.1')]
    },
    {
      name: 'build metadata: {{raw}} keeps it with _, {{version}} drops it (semver)',
      ctx: gitTag('v1.2.3+build.5'),
      tags: ['type=semver,pattern={{raw}}', 'type=semver,pattern={{version}}'],
      flavor: ['latest=false'],
      expected: [version('v1.2.3_build.5'), version('1.2.3')]
    },
    {
      name: 'pep440: version and lines',
      ctx: gitTag('1.2'),
      tags: [
        'type=pep440,pattern={{version}}',
        'type=pep440,pattern={{major}}'
      ],
      expected: [
        version('1.2'),
        floating('1', { scope: 'major', version: '1.2.0' }),
        floating('latest', { scope: 'latest', version: '1.2.0' })
      ]
    },
    {
      name: 'pep440 post-release: version',
      ctx: gitTag('1.2.3.post1'),
      tags: ['type=pep440,pattern={{major}}'],
      expected: [version('1.2.3.post1')]
    },
    {
      name: 'ref tag: version tag, latest with its line',
      ctx: gitTag('v1.2.3'),
      tags: ['type=ref,event=tag'],
      expected: [
        version('v1.2.3'),
        floating('latest', { scope: 'latest', version: '1.2.3' })
      ]
    },
    {
      name: 'ref tag that is no version: fixed, plain latest',
      ctx: gitTag('deploy-1'),
      tags: ['type=ref,event=tag'],
      expected: [fixed('deploy-1'), floating('latest')]
    },
    {
      name: 'match: full version is a version, other values fixed',
      ctx: gitTag('v1.2.3'),
      tags: [
        'type=match,pattern=v(.*),group=1',
        'type=match,pattern=v(\\d),group=1'
      ],
      expected: [
        version('1.2.3'),
        fixed('1'),
        floating('latest', { scope: 'latest', version: '1.2.3' })
      ]
    },
    {
      name: 'branch, edge, sha, raw, raw latest on the default branch',
      ctx: {},
      tags: [
        'type=ref,event=branch',
        'type=edge',
        'type=sha',
        'type=raw,value=stable',
        'type=raw,value=latest'
      ],
      expected: [
        floating('edge'),
        floating('master'),
        fixed('stable'),
        floating('latest'),
        fixed('sha-860c190')
      ]
    },
    {
      name: 'pr and schedule float',
      ctx: pr2,
      tags: ['type=ref,event=pr'],
      expected: [floating('pr-2')]
    },
    {
      name: 'schedule floats',
      ctx: { eventName: 'schedule' },
      tags: ['type=schedule'],
      expected: [floating('nightly')]
    },
    {
      name: 'latest=true on a branch: latest without a line',
      ctx: {},
      tags: ['type=ref,event=branch'],
      flavor: ['latest=true'],
      expected: [floating('master'), floating('latest')]
    }
  ])('$name', row => {
    expect(compute(row.ctx, row.tags, row.flavor).tags).toEqual(row.expected)
  })
})
