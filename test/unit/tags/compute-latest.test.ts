import { describe, expect, it } from '@jest/globals'
import {
  compute,
  gitTag,
  pr2,
  SEMVER_LINES,
  tagNames,
  type NamesRow
} from './context-fixture.js'

// Ordering, latest, flavor prefix/suffix, de-duplication, the version output
// and warnings in rule mode.

describe('computeTags: priority, latest and flavor', () => {
  it.each<NamesRow>([
    {
      name: 'default priorities order the tags (ref 600, raw 200, sha 100)',
      ctx: {},
      tags: ['type=sha', 'type=raw,value=foo', 'type=ref,event=branch'],
      expected: ['master', 'foo', 'sha-860c190']
    },
    {
      name: 'priority= moves a rule first',
      ctx: {},
      tags: ['type=ref,event=branch', 'type=sha,priority=1001'],
      expected: ['sha-860c190', 'master']
    },
    {
      name: 'equal priorities keep input order',
      ctx: {},
      tags: ['type=raw,value=b', 'type=raw,value=a'],
      expected: ['b', 'a']
    },
    {
      name: 'latest=auto: stable semver adds latest',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES,
      expected: ['1.2.3', '1.2', '1', 'latest']
    },
    {
      name: 'latest=false: no latest',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES,
      flavor: ['latest=false'],
      expected: ['1.2.3', '1.2', '1']
    },
    {
      name: 'latest=auto: decided by the first rule (raw first: no latest)',
      ctx: gitTag('v1.2.3'),
      tags: [...SEMVER_LINES, 'type=raw,value=stable,priority=950'],
      expected: ['stable', '1.2.3', '1.2', '1']
    },
    {
      name: 'latest=auto: no latest for a branch',
      ctx: {},
      tags: ['type=ref,event=branch'],
      expected: ['master']
    },
    {
      name: 'latest=true: latest for a branch',
      ctx: {},
      tags: ['type=ref,event=branch'],
      flavor: ['latest=true'],
      expected: ['master', 'latest']
    },
    {
      name: 'latest=auto: match adds latest',
      ctx: gitTag('v2.0'),
      tags: ['type=match,pattern=v(.*),group=1'],
      expected: ['2.0', 'latest']
    },
    {
      name: 'latest=auto: any ref tag adds latest',
      ctx: gitTag('deploy-1'),
      tags: ['type=ref,event=tag'],
      expected: ['deploy-1', 'latest']
    },
    {
      name: 'latest=release: stable semver adds latest',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES,
      flavor: ['latest=release'],
      expected: ['1.2.3', '1.2', '1', 'latest']
    },
    {
      name: 'latest=release: not for a branch',
      ctx: {},
      tags: ['type=ref,event=branch'],
      flavor: ['latest=release'],
      expected: ['master']
    },
    {
      name: 'latest=release: not for a non-version tag',
      ctx: gitTag('deploy-1'),
      tags: ['type=ref,event=tag'],
      flavor: ['latest=release'],
      expected: ['deploy-1']
    },
    {
      name: 'latest=release: not for a match that is no full version',
      ctx: gitTag('v2.0'),
      tags: ['type=match,pattern=v(.*),group=1'],
      flavor: ['latest=release'],
      expected: ['2.0']
    },
    {
      name: 'latest=release: not for a pre-release',
      ctx: gitTag('v2.0.0-rc.1'),
      tags: SEMVER_LINES,
      flavor: ['latest=release'],
      expected: ['2.0.0-rc.1']
    },
    {
      name: 'flavor prefix on every tag but latest',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES,
      flavor: ['prefix=app-'],
      expected: ['app-1.2.3', 'app-1.2', 'app-1', 'latest']
    },
    {
      name: 'flavor prefix with onlatest=true',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES.slice(0, 1),
      flavor: ['prefix=app-,onlatest=true'],
      expected: ['app-1.2.3', 'app-latest']
    },
    {
      name: 'flavor suffix with onlatest=true',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES.slice(0, 1),
      flavor: ['suffix=-alpine,onlatest=true'],
      expected: ['1.2.3-alpine', 'latest-alpine']
    },
    {
      name: 'onlatest applies to the prefix/suffix before it',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER_LINES.slice(0, 1),
      flavor: ['prefix=app-', 'suffix=-alpine,onlatest=true'],
      expected: ['app-1.2.3-alpine', 'latest-alpine']
    },
    {
      name: 'a rule prefix (sha-, pr-, or prefix=) replaces the flavor prefix',
      ctx: {},
      tags: ['type=sha', 'type=raw,value=x,prefix=', 'type=raw,value=y'],
      flavor: ['prefix=app-'],
      expected: ['x', 'app-y', 'sha-860c190']
    },
    {
      name: 'pr- replaces the flavor prefix',
      ctx: pr2,
      tags: ['type=ref,event=pr'],
      flavor: ['prefix=app-'],
      expected: ['pr-2']
    },
    {
      name: 'rule prefix and suffix',
      ctx: {},
      tags: ['type=ref,event=branch,prefix=br-,suffix=-x'],
      flavor: ['suffix=-alpine'],
      expected: ['br-master-x']
    },
    {
      name: 'flavor prefix with an expression',
      ctx: {},
      tags: ['type=raw,value=x'],
      flavor: ['prefix={{branch}}-'],
      expected: ['master-x']
    },
    {
      name: 'duplicates keep the first occurrence',
      ctx: gitTag('v1.2.3'),
      tags: [
        'type=semver,pattern={{version}}',
        'type=raw,value=1.2.3',
        'type=ref,event=tag',
        'type=semver,pattern={{raw}}'
      ],
      expected: ['1.2.3', 'v1.2.3', 'latest']
    },
    {
      name: 'a raw latest and the flavor latest give one latest',
      ctx: gitTag('v1.2.3'),
      tags: ['type=semver,pattern={{version}}', 'type=raw,value=latest'],
      expected: ['1.2.3', 'latest']
    }
  ])('$name', row => {
    expect(tagNames(row)).toEqual(row.expected)
  })
})

describe('computeTags: version output and warnings', () => {
  it('version is the first tag, flavor included (metadata-action)', () => {
    const result = compute(gitTag('v1.2.3'), SEMVER_LINES, ['suffix=-alpine'])
    expect(result.version).toBe('1.2.3-alpine')
  })

  it('version is empty when no tag applies', () => {
    expect(compute({}, ['type=semver,pattern={{version}}'])).toEqual({
      version: '',
      tags: [],
      warnings: []
    })
  })

  it.each([
    {
      name: 'invalid semver',
      ctx: gitTag('v1.2'),
      tags: ['type=semver,pattern={{version}}'],
      warning: /"v1.2" is not a valid semver/
    },
    {
      name: 'invalid pep440',
      ctx: gitTag('release-x'),
      tags: ['type=pep440,pattern={{version}}'],
      warning: /not a PEP 440 version/
    },
    {
      name: 'match does not match',
      ctx: gitTag('x'),
      tags: ['type=match,pattern=v(.*)'],
      warning: /pattern does not match "x"/
    },
    {
      name: 'match group missing',
      ctx: gitTag('v1'),
      tags: ['type=match,pattern=v(a)?1,group=1'],
      warning: /group 1 did not capture/
    },
    {
      name: 'semver match= misses',
      ctx: gitTag('v1.2.3'),
      tags: ['type=semver,pattern={{version}},match=^x(.*)'],
      warning: /does not match "v1.2.3"/
    },
    {
      name: 'value sanitizes to nothing',
      ctx: {},
      tags: ['type=raw,value=---'],
      warning: /"---" has no valid tag characters/
    },
    {
      name: 'value is empty',
      ctx: {},
      tags: ['type=raw,value={{tag}}'],
      warning: /gave an empty tag/
    }
  ])('warns: $name', ({ ctx, tags, warning }) => {
    const result = compute(ctx, tags)
    expect(result.warnings).toEqual([expect.stringMatching(warning)])
  })

  it('semver match= that misses still uses the whole value (metadata-action code)', () => {
    const result = compute(
      gitTag('v1.2.3'),
      ['type=semver,pattern={{version}},match=^x(.*)'],
      ['latest=false']
    )
    expect(result.tags.map(tag => tag.name)).toEqual(['1.2.3'])
  })
})
