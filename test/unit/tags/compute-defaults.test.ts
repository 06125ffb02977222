import { describe, expect, it } from '@jest/globals'
import type { RefContext } from '../../../src/context/context-types.js'
import { computeTags } from '../../../src/tags/compute.js'
import type { ReleaseLine, Tag } from '../../../src/tags/tag-types.js'

// Zero-config (empty `tags`): the defaults come from defaults.ts; here only
// what computeTags adds on top: flavor prefix/suffix/onlatest and latest=.

function refContext(overrides: Partial<RefContext> = {}): RefContext {
  return {
    eventName: 'push',
    ref: 'refs/heads/main',
    sha: '860c1904a1ce19322e91ac35af1ab07466440c37',
    defaultBranches: ['master', 'main'],
    repository: { fullName: 'a/b', htmlUrl: 'https://github.com/a/b' },
    ...overrides
  }
}

const floating = (name: string, line?: ReleaseLine): Tag =>
  line === undefined
    ? { name, kind: 'floating' }
    : { name, kind: 'floating', line }
const version = (name: string): Tag => ({ name, kind: 'version' })
const v123 = (scope: ReleaseLine['scope']): ReleaseLine => ({
  scope,
  version: '1.2.3'
})
const tag123 = { ref: 'refs/tags/v1.2.3' }

interface Row {
  name: string
  ctx: Partial<RefContext>
  tags?: string[]
  flavor: string[]
  expected: Tag[]
}

describe('computeTags without tags rules', () => {
  it.each<Row>([
    {
      name: 'default branch: latest',
      ctx: {},
      flavor: [],
      expected: [floating('latest')]
    },
    {
      name: 'prefix skips latest',
      ctx: {},
      flavor: ['prefix=app-'],
      expected: [floating('latest')]
    },
    {
      name: 'prefix onlatest',
      ctx: {},
      flavor: ['prefix=app-,onlatest=true'],
      expected: [floating('app-latest')]
    },
    {
      name: 'latest=false drops latest',
      ctx: {},
      flavor: ['latest=false'],
      expected: []
    },
    {
      name: 'suffix on a branch tag',
      ctx: { ref: 'refs/heads/tickets/DM-42' },
      flavor: ['suffix=-alpine'],
      expected: [floating('tickets-DM-42-alpine')]
    },
    {
      name: 'latest=true adds latest to a branch',
      ctx: { ref: 'refs/heads/dev' },
      flavor: ['latest=true'],
      expected: [floating('dev'), floating('latest')]
    },
    {
      name: 'release tag: no latest by default',
      ctx: tag123,
      flavor: [],
      expected: [
        version('1.2.3'),
        floating('1.2', v123('minor')),
        floating('1', v123('major'))
      ]
    },
    {
      name: 'release tag with latest=release and a prefix',
      ctx: tag123,
      flavor: ['latest=release', 'prefix=app-'],
      expected: [
        version('app-1.2.3'),
        floating('app-1.2', v123('minor')),
        floating('app-1', v123('major')),
        floating('latest', v123('latest'))
      ]
    },
    {
      name: 'pull request',
      ctx: {
        eventName: 'pull_request',
        ref: 'refs/pull/42/merge',
        prNumber: 42
      },
      flavor: [],
      expected: [floating('pr-42')]
    },
    {
      name: 'schedule',
      ctx: { eventName: 'schedule' },
      flavor: [],
      expected: [floating('nightly')]
    },
    {
      name: 'only comment lines count as no rules',
      ctx: {},
      tags: ['# type=sha'],
      flavor: [],
      expected: [floating('latest')]
    }
  ])('$name', ({ ctx, tags, flavor, expected }) => {
    const result = computeTags(
      refContext(ctx),
      { tags: tags ?? [], flavor },
      new Date(0)
    )
    expect(result.tags).toEqual(expected)
    expect(result.version).toBe(expected[0]?.name ?? '')
  })
})
