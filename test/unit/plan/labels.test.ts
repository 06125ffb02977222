import { describe, expect, it } from '@jest/globals'
import { refContextFromRunner } from '../../../src/context/ref-context.js'
import type { RefContext } from '../../../src/context/context-types.js'
import { formatKeyValues } from '../../../src/argv/format.js'
import {
  mergeKeyValues,
  ociLabels,
  pullRequestLabel
} from '../../../src/plan/labels.js'
import { describePublication } from '../../../src/plan/publication.js'
import { parseSettings } from '../../../src/settings/settings.js'
import { loadEvent, SHAS, type EventName } from '../../fixtures/events.js'

const CREATED = new Date('2024-11-07T16:05:00.000Z')

const CTX: RefContext = {
  eventName: 'push',
  ref: 'refs/tags/v1.2.3',
  sha: SHAS.release,
  defaultBranches: ['main'],
  repository: {
    fullName: 'acme/webapp',
    htmlUrl: 'https://github.com/acme/webapp',
    description: 'Web front end of the Acme shop',
    license: 'MIT'
  }
}

describe('ociLabels', () => {
  it('labels a tag push from its event payload', () => {
    const fixture = loadEvent('push-tag')
    const ctx = refContextFromRunner(fixture.env, fixture.payload, '')
    expect(ociLabels(ctx, '1.2.3', CREATED)).toStrictEqual({
      'org.opencontainers.image.created': '2024-11-07T16:05:00.000Z',
      'org.opencontainers.image.description': 'Web front end of the Acme shop',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.revision': SHAS.release,
      'org.opencontainers.image.source': 'https://github.com/acme/webapp',
      'org.opencontainers.image.title': 'webapp',
      'org.opencontainers.image.url': 'https://github.com/acme/webapp',
      'org.opencontainers.image.version': '1.2.3'
    })
  })

  it.each([
    {
      name: 'no description nor license',
      ctx: {
        ...CTX,
        repository: {
          fullName: 'acme/deploy-tools',
          htmlUrl: 'https://github.com/acme/deploy-tools'
        }
      },
      version: 'deploy-2024-11',
      keys: ['created', 'revision', 'source', 'title', 'url', 'version']
    },
    {
      name: 'a local checkout without a GitHub URL',
      ctx: { ...CTX, repository: { fullName: 'webapp', htmlUrl: '' } },
      version: 'main',
      keys: ['created', 'revision', 'title', 'version']
    },
    {
      name: 'an empty version',
      ctx: CTX,
      version: '',
      keys: [
        'created',
        'description',
        'licenses',
        'revision',
        'source',
        'title',
        'url'
      ]
    },
    {
      name: 'a blank description',
      ctx: { ...CTX, repository: { ...CTX.repository, description: '  ' } },
      version: '1.2.3',
      keys: [
        'created',
        'licenses',
        'revision',
        'source',
        'title',
        'url',
        'version'
      ]
    }
  ])('leaves out empty values: $name', ({ ctx, version, keys }) => {
    const labels = ociLabels(ctx, version, CREATED)
    expect(Object.keys(labels)).toEqual(
      keys.map(key => `org.opencontainers.image.${key}`)
    )
  })

  it('title: the repository name', () => {
    const labels = ociLabels(CTX, '1.2.3', CREATED)
    expect(labels['org.opencontainers.image.title']).toBe('webapp')
  })

  it('rejects an invalid creation date', () => {
    expect(() => ociLabels(CTX, '1.2.3', new Date('nope'))).toThrow(
      /creation date is not a valid date/
    )
  })
})

describe('mergeKeyValues', () => {
  const base = {
    'org.opencontainers.image.title': 'webapp',
    'org.opencontainers.image.version': '1.2.3'
  }

  it.each([
    {
      name: 'a user value wins',
      lines: ['org.opencontainers.image.title=Acme Web'],
      expected: { ...base, 'org.opencontainers.image.title': 'Acme Web' }
    },
    {
      name: 'a new key is added',
      lines: ['maintainer=ops@acme.example'],
      expected: { ...base, maintainer: 'ops@acme.example' }
    },
    {
      name: 'the value keeps further = signs',
      lines: ['com.acme.query=a=1&b=2'],
      expected: { ...base, 'com.acme.query': 'a=1&b=2' }
    },
    {
      name: 'an empty value is kept',
      lines: ['org.opencontainers.image.version='],
      expected: { ...base, 'org.opencontainers.image.version': '' }
    },
    {
      name: 'blank lines are skipped, keys and values trimmed',
      lines: ['', '  com.acme.team = web', '   '],
      expected: { ...base, 'com.acme.team': 'web' }
    },
    {
      name: 'the last line wins',
      lines: ['tier=1', 'tier=2'],
      expected: { ...base, tier: '2' }
    }
  ])('$name', ({ lines, expected }) => {
    expect(mergeKeyValues(base, lines, 'labels')).toStrictEqual(expected)
  })

  it.each([
    {
      name: 'a line without =',
      input: 'labels',
      line: 'maintainer',
      error:
        /input "labels": invalid value "maintainer": expected one key=value/
    },
    {
      name: 'an empty key',
      input: 'annotations',
      line: '=value',
      error: /input "annotations": invalid value "=value"/
    }
  ])('rejects $name', ({ input, line, error }) => {
    expect(() => mergeKeyValues(base, ['a=b', line], input)).toThrow(error)
  })

  it('leaves the base untouched', () => {
    const copy = { ...base }
    mergeKeyValues(base, ['org.opencontainers.image.title=x'], 'labels')
    expect(base).toStrictEqual(copy)
  })
})

describe('formatKeyValues', () => {
  it.each<{ name: string; record: Record<string, string>; expected: string[] }>(
    [
      { name: 'nothing', record: {}, expected: [] },
      {
        name: 'sorted by key, whatever the insertion order',
        record: { b: '2', 'a.z': '', A: 'upper', a: 'x=y' },
        expected: ['A=upper', 'a=x=y', 'a.z=', 'b=2']
      }
    ]
  )('$name', ({ record, expected }) => {
    expect(formatKeyValues(record)).toEqual(expected)
  })

  it('round-trips through mergeKeyValues', () => {
    const labels = ociLabels(CTX, '1.2.3', CREATED)
    expect(mergeKeyValues({}, formatKeyValues(labels), 'labels')).toStrictEqual(
      labels
    )
  })
})

// SECURITY.md: a pull request run's images say which pull request wrote them.
describe('pullRequestLabel', () => {
  const ctxOf = (name: EventName) => {
    const fixture = loadEvent(name)
    return refContextFromRunner(fixture.env, fixture.payload, '')
  }

  it.each<{ name: string; event: EventName; expected: object }>([
    {
      name: 'pull_request names its number',
      event: 'pull-request',
      expected: { 'dev.docker-publish-action.pull-request': '42' }
    },
    {
      name: 'pull_request_target names its number',
      event: 'pull-request-target',
      expected: { 'dev.docker-publish-action.pull-request': '42' }
    },
    { name: 'a branch push adds nothing', event: 'push-branch', expected: {} },
    { name: 'a release adds nothing', event: 'release', expected: {} }
  ])('$name', ({ event: name, expected }) => {
    expect(pullRequestLabel(ctxOf(name))).toStrictEqual(expected)
  })

  it("is the run's last word: a labels line cannot clear it", async () => {
    const inputs: Record<string, string> = {
      images: 'ghcr.io/acme/webapp',
      labels: 'dev.docker-publish-action.pull-request='
    }
    const settings = await parseSettings(name => inputs[name] ?? '')
    const publication = describePublication(
      settings,
      ctxOf('pull-request'),
      CREATED
    )
    expect(publication.labels['dev.docker-publish-action.pull-request']).toBe(
      '42'
    )
  })
})
