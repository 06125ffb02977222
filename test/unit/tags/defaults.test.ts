import { describe, expect, it } from '@jest/globals'
import type { RefContext } from '../../../src/context/context-types.js'
import { defaultTags, type LatestFrom } from '../../../src/tags/defaults.js'
import type { ReleaseLine, Tag } from '../../../src/tags/tag-types.js'

function refContext(overrides: Partial<RefContext>): RefContext {
  return {
    eventName: 'push',
    ref: 'refs/heads/main',
    sha: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
    defaultBranches: ['master', 'main'],
    repository: {
      fullName: 'acme/app',
      htmlUrl: 'https://github.com/acme/app'
    },
    ...overrides
  }
}

const version = (name: string): Tag => ({ name, kind: 'version' })
const fixed = (name: string): Tag => ({ name, kind: 'fixed' })
function floating(name: string, line?: ReleaseLine): Tag {
  return line === undefined
    ? { name, kind: 'floating' }
    : { name, kind: 'floating', line }
}
const minor = (name: string, of: string): Tag =>
  floating(name, { scope: 'minor', version: of })
const major = (name: string, of: string): Tag =>
  floating(name, { scope: 'major', version: of })
const latest = (of: string): Tag =>
  floating('latest', { scope: 'latest', version: of })

interface Row {
  name: string
  ctx: Partial<RefContext>
  latestFrom?: LatestFrom
  expected: Tag[]
}

const push = (ref: string, extra: Partial<RefContext> = {}) => ({
  eventName: 'push',
  ref,
  ...extra
})

const specTable: Row[] = [
  {
    name: 'push to main (master and main both count)',
    ctx: push('refs/heads/main'),
    expected: [floating('latest')]
  },
  {
    name: 'push to master (master and main both count)',
    ctx: push('refs/heads/master'),
    expected: [floating('latest')]
  },
  {
    name: 'push to the custom default branch',
    ctx: push('refs/heads/develop', { defaultBranches: ['develop'] }),
    expected: [floating('latest')]
  },
  {
    name: 'main is a plain branch when another branch is the default',
    ctx: push('refs/heads/main', { defaultBranches: ['develop'] }),
    expected: [floating('main')]
  },
  {
    name: 'push to another branch',
    ctx: push('refs/heads/tickets/DM-42'),
    expected: [floating('tickets-DM-42')]
  },
  {
    name: 'stable tag with v',
    ctx: push('refs/tags/v1.2.3'),
    expected: [version('1.2.3'), minor('1.2', '1.2.3'), major('1', '1.2.3')]
  },
  {
    name: 'stable tag without v',
    ctx: push('refs/tags/1.2.3'),
    expected: [version('1.2.3'), minor('1.2', '1.2.3'), major('1', '1.2.3')]
  },
  {
    name: '0.x version: no bare 0',
    ctx: push('refs/tags/0.4.1'),
    expected: [version('0.4.1'), minor('0.4', '0.4.1')]
  },
  {
    name: 'loose X.Y',
    ctx: push('refs/tags/v1.2'),
    expected: [version('1.2'), major('1', '1.2.0')]
  },
  {
    name: 'loose 0.Y: no bare 0',
    ctx: push('refs/tags/v0.4'),
    expected: [version('0.4')]
  },
  {
    name: 'dotted pre-release',
    ctx: push('refs/tags/v2.0.0-rc.1'),
    expected: [version('2.0.0-rc.1')]
  },
  {
    name: 'undotted pre-release',
    ctx: push('refs/tags/v2.0.0-rc1'),
    expected: [version('2.0.0-rc1')]
  },
  {
    name: 'build metadata',
    ctx: push('refs/tags/v2.0.0+build.5'),
    expected: [version('2.0.0_build.5')]
  },
  {
    name: 'tag that is not a version',
    ctx: push('refs/tags/deploy-2024-11'),
    expected: [fixed('deploy-2024-11')]
  },
  {
    name: 'pull_request for PR 42',
    ctx: {
      eventName: 'pull_request',
      ref: 'refs/pull/42/merge',
      prNumber: 42
    },
    expected: [floating('pr-42')]
  },
  {
    name: 'pull_request_target for PR 42 (ref is the base branch)',
    ctx: {
      eventName: 'pull_request_target',
      ref: 'refs/heads/main',
      prNumber: 42
    },
    expected: [floating('pr-42')]
  },
  {
    name: 'schedule (ref is the default branch)',
    ctx: { eventName: 'schedule', ref: 'refs/heads/main' },
    expected: [floating('nightly')]
  }
]

const otherEvents: Row[] = [
  {
    name: 'release event: by its tag ref',
    ctx: { eventName: 'release', ref: 'refs/tags/v1.2.3' },
    expected: [version('1.2.3'), minor('1.2', '1.2.3'), major('1', '1.2.3')]
  },
  {
    name: 'create of a tag: by its ref',
    ctx: { eventName: 'create', ref: 'refs/tags/v3.0.0-beta' },
    expected: [version('3.0.0-beta')]
  },
  {
    name: 'workflow_dispatch on a branch',
    ctx: { eventName: 'workflow_dispatch', ref: 'refs/heads/feature/x' },
    expected: [floating('feature-x')]
  },
  {
    name: 'workflow_dispatch on the default branch',
    ctx: { eventName: 'workflow_dispatch', ref: 'refs/heads/main' },
    expected: [floating('latest')]
  },
  {
    name: 'workflow_dispatch on a tag',
    ctx: { eventName: 'workflow_dispatch', ref: 'refs/tags/v0.1.0' },
    expected: [version('0.1.0'), minor('0.1', '0.1.0')]
  },
  {
    name: 'pull_request without a payload number: from the ref',
    ctx: { eventName: 'pull_request', ref: 'refs/pull/7/merge' },
    expected: [floating('pr-7')]
  },
  {
    name: 'other event on a pull request ref',
    ctx: { eventName: 'pull_request_review', ref: 'refs/pull/9/head' },
    expected: [floating('pr-9')]
  },
  {
    name: 'pull_request_target without any number',
    ctx: { eventName: 'pull_request_target', ref: 'refs/heads/main' },
    expected: []
  },
  {
    name: 'no usable ref',
    ctx: { eventName: 'repository_dispatch', ref: '' },
    expected: []
  },
  {
    name: 'unknown ref namespace',
    ctx: { eventName: 'push', ref: 'refs/notes/commits' },
    expected: []
  }
]

const latestFromRelease: Row[] = [
  {
    name: 'release: the default branch gets its own name',
    ctx: push('refs/heads/main'),
    latestFrom: 'release',
    expected: [floating('main')]
  },
  {
    name: 'release: a custom default branch gets its own name',
    ctx: push('refs/heads/release/stable', {
      defaultBranches: ['release/stable']
    }),
    latestFrom: 'release',
    expected: [floating('release-stable')]
  },
  {
    name: 'release: another branch is unchanged',
    ctx: push('refs/heads/tickets/DM-42'),
    latestFrom: 'release',
    expected: [floating('tickets-DM-42')]
  },
  {
    name: 'release: a stable version also moves latest',
    ctx: push('refs/tags/v1.2.3'),
    latestFrom: 'release',
    expected: [
      version('1.2.3'),
      minor('1.2', '1.2.3'),
      major('1', '1.2.3'),
      latest('1.2.3')
    ]
  },
  {
    name: 'release: a 0.x version moves latest too',
    ctx: push('refs/tags/0.4.1'),
    latestFrom: 'release',
    expected: [version('0.4.1'), minor('0.4', '0.4.1'), latest('0.4.1')]
  },
  {
    name: 'release: loose X.Y points latest at X.Y.0',
    ctx: push('refs/tags/v1.2'),
    latestFrom: 'release',
    expected: [version('1.2'), major('1', '1.2.0'), latest('1.2.0')]
  },
  {
    name: 'release: a pre-release never moves latest',
    ctx: push('refs/tags/v2.0.0-rc.1'),
    latestFrom: 'release',
    expected: [version('2.0.0-rc.1')]
  },
  {
    name: 'release: build metadata never moves latest',
    ctx: push('refs/tags/v2.0.0+build.5'),
    latestFrom: 'release',
    expected: [version('2.0.0_build.5')]
  },
  {
    name: 'release: a non-version tag does not move latest',
    ctx: push('refs/tags/deploy-2024-11'),
    latestFrom: 'release',
    expected: [fixed('deploy-2024-11')]
  },
  {
    name: 'release: schedule stays nightly',
    ctx: { eventName: 'schedule', ref: 'refs/heads/main' },
    latestFrom: 'release',
    expected: [floating('nightly')]
  }
]

const sanitizing: Row[] = [
  {
    name: 'slashes in a branch',
    ctx: push('refs/heads/feature/team/login-page'),
    expected: [floating('feature-team-login-page')]
  },
  {
    name: 'unicode in a branch',
    ctx: push('refs/heads/fix/über-größe'),
    expected: [floating('fix-ber-gr-e')]
  },
  {
    name: 'emoji and spaces in a branch',
    ctx: push('refs/heads/🚀 launch day'),
    expected: [floating('launch-day')]
  },
  {
    name: 'a branch that sanitizes to nothing is left out',
    ctx: push('refs/heads/ü'),
    expected: []
  },
  {
    name: 'leading dot in a branch',
    ctx: push('refs/heads/.hidden'),
    expected: [floating('hidden')]
  },
  {
    name: 'slashes in a non-version tag',
    ctx: push('refs/tags/release/2024-11'),
    expected: [fixed('release-2024-11')]
  },
  {
    name: 'a non-version tag that sanitizes to nothing is left out',
    ctx: push('refs/tags/@@@'),
    expected: []
  },
  {
    name: 'a default branch with a slash is still latest',
    ctx: push('refs/heads/release/stable', {
      defaultBranches: ['release/stable']
    }),
    expected: [floating('latest')]
  }
]

describe('defaultTags', () => {
  it.each([...specTable, ...otherEvents, ...latestFromRelease, ...sanitizing])(
    '$name',
    ({ ctx, latestFrom, expected }) => {
      expect(
        defaultTags(refContext(ctx), latestFrom ?? 'default-branch')
      ).toStrictEqual(expected)
    }
  )

  it('cuts a long branch to 128 characters', () => {
    const branch = `feature/${'a'.repeat(300)}`
    const [tag] = defaultTags(
      refContext(push(`refs/heads/${branch}`)),
      'default-branch'
    )
    expect(tag.name).toMatch(/^feature-a{111}-[0-9a-f]{8}$/)
  })
})
