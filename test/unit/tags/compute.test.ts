import { describe, expect, it } from '@jest/globals'
import {
  branch,
  gitTag,
  pr2,
  SHA,
  single,
  tagNames,
  type NamesRow
} from './context-fixture.js'

// Facts from docker/metadata-action's README tables (v5/v6): event/ref and
// rules in, tag names out. Rule mode only; the zero-config path is tested in
// compute-defaults.test.ts.

const BASIC = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr'
]
const SEMVER = [
  'type=ref,event=branch',
  'type=ref,event=pr',
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}'
]

describe('computeTags: README usage examples', () => {
  it.each<NamesRow>([
    { name: 'basic: pull request', ctx: pr2, tags: BASIC, expected: ['pr-2'] },
    {
      name: 'basic: master',
      ctx: branch('master'),
      tags: BASIC,
      expected: ['master']
    },
    {
      name: 'basic: releases/v1',
      ctx: branch('releases/v1'),
      tags: BASIC,
      expected: ['releases-v1']
    },
    {
      name: 'basic: tag v1.2.3',
      ctx: gitTag('v1.2.3'),
      tags: BASIC,
      expected: ['v1.2.3', 'latest']
    },
    {
      name: 'basic: tag v2.0.8-beta.67',
      ctx: gitTag('v2.0.8-beta.67'),
      tags: BASIC,
      expected: ['v2.0.8-beta.67', 'latest']
    },
    {
      name: 'basic: workflow_dispatch',
      ctx: { eventName: 'workflow_dispatch' },
      tags: BASIC,
      expected: ['master']
    },
    {
      name: 'basic: schedule',
      ctx: { eventName: 'schedule' },
      tags: BASIC,
      expected: ['nightly', 'master']
    },
    {
      name: 'semver: pull request',
      ctx: pr2,
      tags: SEMVER,
      expected: ['pr-2']
    },
    {
      name: 'semver: master',
      ctx: branch('master'),
      tags: SEMVER,
      expected: ['master']
    },
    {
      name: 'semver: releases/v1',
      ctx: branch('releases/v1'),
      tags: SEMVER,
      expected: ['releases-v1']
    },
    {
      name: 'semver: tag v1.2.3',
      ctx: gitTag('v1.2.3'),
      tags: SEMVER,
      expected: ['1.2.3', '1.2', 'latest']
    },
    {
      name: 'semver: pre-release gets its version only',
      ctx: gitTag('v2.0.8-beta.67'),
      tags: SEMVER,
      expected: ['2.0.8-beta.67']
    },
    {
      name: 'bake: semver and sha',
      ctx: gitTag('v1.2.3'),
      tags: [...SEMVER, 'type=sha'],
      expected: ['1.2.3', '1.2', 'sha-860c190', 'latest']
    }
  ])('$name', row => {
    expect(tagNames(row)).toEqual(row.expected)
  })
})

describe('computeTags: README tables of schedule, edge, ref, raw, sha', () => {
  it.each<NamesRow>([
    {
      name: 'schedule: default nightly',
      ...single({ eventName: 'schedule' }, 'type=schedule', ['nightly'])
    },
    {
      name: 'schedule: date',
      ...single(
        { eventName: 'schedule' },
        "type=schedule,pattern={{date 'YYYYMMDD'}}",
        ['20200110']
      )
    },
    {
      name: 'schedule: date in Asia/Tokyo',
      ...single(
        { eventName: 'schedule' },
        "type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
        ['20200110-093000']
      )
    },
    { name: 'schedule: not on a push', ...single({}, 'type=schedule', []) },
    {
      name: 'edge on the default branch',
      ...single({}, 'type=edge', ['edge'])
    },
    {
      name: 'edge on another branch',
      ...single(branch('dev'), 'type=edge', [])
    },
    {
      name: 'edge branch=dev on dev',
      ...single(branch('dev'), 'type=edge,branch=dev', ['edge'])
    },
    { name: 'edge on a tag', ...single(gitTag('v1.2.3'), 'type=edge', []) },
    { name: 'ref pr', ...single(pr2, 'type=ref,event=pr', ['pr-2']) },
    {
      name: 'ref branch master',
      ...single({}, 'type=ref,event=branch', ['master'])
    },
    {
      name: 'ref branch my/branch',
      ...single(branch('my/branch'), 'type=ref,event=branch', ['my-branch'])
    },
    {
      name: 'ref tag v1.2.3',
      ...single(gitTag('v1.2.3'), 'type=ref,event=tag', ['v1.2.3'])
    },
    {
      name: 'ref tag beta',
      ...single(gitTag('v2.0.8-beta.67'), 'type=ref,event=tag', [
        'v2.0.8-beta.67'
      ])
    },
    {
      name: 'ref pr on pull_request_target (ref is the base branch)',
      ...single(
        {
          eventName: 'pull_request_target',
          ref: 'refs/heads/master',
          prNumber: 7
        },
        'type=ref,event=pr',
        ['pr-7']
      )
    },
    {
      name: 'ref branch not on pull_request_target',
      ...single(
        {
          eventName: 'pull_request_target',
          ref: 'refs/heads/master',
          prNumber: 7
        },
        'type=ref,event=branch',
        []
      )
    },
    { name: 'raw value=', ...single({}, 'type=raw,value=foo', ['foo']) },
    { name: 'raw bare value', ...single({}, 'type=raw,bar', ['bar']) },
    { name: 'raw shorthand line', ...single({}, 'foo', ['foo']) },
    { name: 'sha short', ...single({}, 'type=sha', ['sha-860c190']) },
    { name: 'sha long', ...single({}, 'type=sha,format=long', [`sha-${SHA}`]) },
    { name: 'sha own prefix', ...single({}, 'type=sha,prefix=', ['860c190']) },
    { name: 'sha without a sha', ...single({ sha: '' }, 'type=sha', []) }
  ])('$name', row => {
    expect(tagNames(row)).toEqual(row.expected)
  })
})

describe('computeTags: global expressions', () => {
  it.each<NamesRow>([
    {
      name: 'unquoted commit_date format: ISO 8601, sanitized (metadata-action pr12)',
      ...single(
        { commitDate: new Date('2020-01-10T00:30:00Z') },
        'type=raw,value={{commit_date YYYY-MM-DD-HHmmSS}}',
        ['2020-01-10T00-30-00Z']
      )
    },
    {
      name: 'sha with {{branch}}- prefix',
      ...single({}, 'type=sha,prefix={{branch}}-', ['master-860c190'])
    },
    {
      name: 'raw mytag-{{branch}}-{{sha}}',
      ...single({}, 'type=raw,value=mytag-{{branch}}-{{sha}}', [
        'mytag-master-860c190'
      ])
    },
    {
      name: '{{branch}} on my/branch',
      ...single(branch('my/branch'), 'type=raw,value=b-{{branch}}', [
        'b-my-branch'
      ])
    },
    {
      name: '{{branch}} is the head branch on a PR (ours)',
      ...single(pr2, 'type=raw,value=b-{{branch}}', ['b-feature-login'])
    },
    {
      name: '{{branch}} is empty on a tag',
      ...single(gitTag('v1.2.3'), 'type=raw,value=b-{{branch}}', ['b-'])
    },
    {
      name: '{{tag}} on a tag',
      ...single(gitTag('v1.2.3'), 'type=raw,value=t-{{tag}}', ['t-v1.2.3'])
    },
    {
      name: '{{tag}} is empty on a branch',
      ...single({}, 'type=raw,value=t-{{tag}}', ['t-'])
    },
    {
      name: '{{base_ref}} on a PR',
      ...single(pr2, 'type=raw,value=base-{{base_ref}}', ['base-master'])
    },
    {
      name: '{{base_ref}} on a tag push',
      ...single(
        { ...gitTag('v1.2.3'), baseRef: 'refs/heads/master' },
        'type=raw,value=base-{{base_ref}}',
        ['base-master']
      )
    },
    {
      name: '{{base_ref}} is empty on a branch',
      ...single({ baseRef: 'master' }, 'type=raw,value=base-{{base_ref}}', [
        'base-'
      ])
    },
    {
      name: 'latest on the default branch',
      ...single({}, 'type=raw,value=latest,enable={{is_default_branch}}', [
        'latest'
      ])
    },
    {
      name: 'no latest on another branch',
      ...single(
        branch('dev'),
        'type=raw,value=latest,enable={{is_default_branch}}',
        []
      )
    },
    {
      name: 'no latest on a PR',
      ...single(pr2, 'type=raw,value=latest,enable={{is_default_branch}}', [])
    },
    {
      name: 'major zero disabled by enable=false',
      ctx: gitTag('v0.1.2'),
      tags: [
        'type=semver,pattern={{version}}',
        'type=semver,pattern={{major}}.{{minor}}',
        'type=semver,pattern={{major}},enable=false'
      ],
      flavor: ['latest=false'],
      expected: ['0.1.2', '0.1']
    },
    {
      name: 'commit_date in a raw value',
      ...single(
        { commitDate: new Date('2019-12-31T23:00:00Z') },
        "type=raw,value={{commit_date 'YYYY.MM.DD'}}",
        ['2019.12.31']
      )
    }
  ])('$name', row => {
    expect(tagNames(row)).toEqual(row.expected)
  })
})
