import { describe, expect, it } from '@jest/globals'
import { gitTag, single, tagNames, type NamesRow } from './context-fixture.js'

// Facts from docker/metadata-action's README tables of type=semver, pep440
// and match (v5/v6), plus semver match= (metadata-action PR #536).

describe('computeTags: README tables of semver, pep440, match', () => {
  it.each<NamesRow>([
    {
      name: 'semver v1.2.3 {{raw}}',
      ...single(gitTag('v1.2.3'), 'type=semver,pattern={{raw}}', ['v1.2.3'])
    },
    {
      name: 'semver v1.2.3 {{version}}',
      ...single(gitTag('v1.2.3'), 'type=semver,pattern={{version}}', ['1.2.3'])
    },
    {
      name: 'semver v1.2.3 {{major}}.{{minor}}',
      ...single(gitTag('v1.2.3'), 'type=semver,pattern={{major}}.{{minor}}', [
        '1.2'
      ])
    },
    {
      name: 'semver v1.2.3 v{{major}}',
      ...single(gitTag('v1.2.3'), 'type=semver,pattern=v{{major}}', ['v1'])
    },
    {
      name: 'semver v1.2.3 {{minor}}',
      ...single(gitTag('v1.2.3'), 'type=semver,pattern={{minor}}', ['2'])
    },
    {
      name: 'semver v1.2.3 {{patch}}',
      ...single(gitTag('v1.2.3'), 'type=semver,pattern={{patch}}', ['3'])
    },
    {
      name: 'semver beta {{raw}}',
      ...single(gitTag('v2.0.8-beta.67'), 'type=semver,pattern={{raw}}', [
        'v2.0.8-beta.67'
      ])
    },
    {
      name: 'semver beta {{version}}',
      ...single(gitTag('v2.0.8-beta.67'), 'type=semver,pattern={{version}}', [
        '2.0.8-beta.67'
      ])
    },
    {
      name: 'semver beta {{major}}.{{minor}}',
      ...single(
        gitTag('v2.0.8-beta.67'),
        'type=semver,pattern={{major}}.{{minor}}',
        ['2.0.8-beta.67']
      )
    },
    {
      name: 'semver value= on a branch',
      ...single({}, 'type=semver,pattern={{version}},value=v1.0.0', ['1.0.0'])
    },
    {
      name: 'semver not on a branch without value=',
      ...single({}, 'type=semver,pattern={{version}}', [])
    },
    {
      name: 'semver match= strips a tag prefix',
      ...single(
        gitTag('release/v1.2.3'),
        'type=semver,pattern={{major}}.{{minor}},match=release/v(\\d+\\.\\d+\\.\\d+)$',
        ['1.2']
      )
    },
    {
      name: 'semver match= on docker-v23.0.0',
      ...single(
        gitTag('docker-v23.0.0'),
        'type=semver,pattern={{major}},match=docker-(.*)',
        ['23']
      )
    },
    {
      name: 'semver major zero',
      ...single(gitTag('v0.1.2'), 'type=semver,pattern={{major}}.{{minor}}', [
        '0.1'
      ])
    },
    {
      name: 'pep440 1.2.3 {{raw}}',
      ...single(gitTag('1.2.3'), 'type=pep440,pattern={{raw}}', ['1.2.3'])
    },
    {
      name: 'pep440 1.2.3 {{version}}',
      ...single(gitTag('1.2.3'), 'type=pep440,pattern={{version}}', ['1.2.3'])
    },
    {
      name: 'pep440 v1.2.3 {{version}}',
      ...single(gitTag('v1.2.3'), 'type=pep440,pattern={{version}}', ['1.2.3'])
    },
    {
      name: 'pep440 1.2.3 {{major}}.{{minor}}',
      ...single(gitTag('1.2.3'), 'type=pep440,pattern={{major}}.{{minor}}', [
        '1.2'
      ])
    },
    {
      name: 'pep440 1.2.3 v{{major}}',
      ...single(gitTag('1.2.3'), 'type=pep440,pattern=v{{major}}', ['v1'])
    },
    {
      name: 'pep440 v1.2.3rc2 {{raw}}',
      ...single(gitTag('v1.2.3rc2'), 'type=pep440,pattern={{raw}}', [
        'v1.2.3rc2'
      ])
    },
    {
      name: 'pep440 1.2.3rc2 {{version}}',
      ...single(gitTag('1.2.3rc2'), 'type=pep440,pattern={{version}}', [
        '1.2.3rc2'
      ])
    },
    {
      name: 'pep440 1.2.3rc2 {{major}}.{{minor}}',
      ...single(gitTag('1.2.3rc2'), 'type=pep440,pattern={{major}}.{{minor}}', [
        '1.2.3rc2'
      ])
    },
    {
      name: 'pep440 1.2.3post1',
      ...single(
        gitTag('1.2.3post1'),
        'type=pep440,pattern={{major}}.{{minor}}',
        ['1.2.3.post1']
      )
    },
    {
      name: 'pep440 1.2.3beta2',
      ...single(
        gitTag('1.2.3beta2'),
        'type=pep440,pattern={{major}}.{{minor}}',
        ['1.2.3b2']
      )
    },
    {
      name: 'pep440 1.0dev4',
      ...single(gitTag('1.0dev4'), 'type=pep440,pattern={{major}}.{{minor}}', [
        '1.0.dev4'
      ])
    },
    {
      name: 'match \\d.\\d.\\d group 0',
      ...single(gitTag('v1.2.3'), 'type=match,pattern=\\d.\\d.\\d', ['1.2.3'])
    },
    {
      name: 'match v(.*) group 1',
      ...single(gitTag('v2.0.8-beta.67'), 'type=match,pattern=v(.*),group=1', [
        '2.0.8-beta.67'
      ])
    },
    {
      name: 'match v(\\d.\\d) group 1',
      ...single(
        gitTag('v2.0.8-beta.67'),
        'type=match,pattern=v(\\d.\\d),group=1',
        ['2.0']
      )
    },
    {
      name: 'match \\d+ group 0',
      ...single(gitTag('20200110-RC2'), 'type=match,pattern=\\d+', ['20200110'])
    },
    {
      name: 'match p1/v(\\d.\\d.\\d)',
      ...single(
        gitTag('p1/v1.2.3'),
        'type=match,pattern=p1/v(\\d.\\d.\\d),group=1',
        ['1.2.3']
      )
    },
    {
      name: 'match /re/flags form',
      ...single(gitTag('V1.2.3'), 'type=match,pattern=/v(.*)/i,group=1', [
        '1.2.3'
      ])
    },
    {
      name: 'match value=',
      ...single({}, 'type=match,pattern=v(.*),group=1,value=v1.0.0', ['1.0.0'])
    }
  ])('$name', row => {
    expect(tagNames(row)).toEqual(row.expected)
  })
})
