import type { RefContext } from '../../../src/context/context-types.js'
import { computeTags } from '../../../src/tags/compute.js'
import type { TagResult } from '../../../src/tags/tag-types.js'

// The run the rule-mode compute tests share: a push to master of
// octocat/Hello-World at one commit and one clock. A row changes only the
// part of the context it is about.

export const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37'
const NOW = new Date('2020-01-10T00:30:00Z')

function refContext(overrides: Partial<RefContext> = {}): RefContext {
  return {
    eventName: 'push',
    ref: 'refs/heads/master',
    sha: SHA,
    defaultBranches: ['master', 'main'],
    repository: {
      fullName: 'octocat/Hello-World',
      htmlUrl: 'https://github.com/octocat/Hello-World'
    },
    ...overrides
  }
}

export const branch = (name: string): Partial<RefContext> => ({
  ref: `refs/heads/${name}`
})
export const gitTag = (name: string): Partial<RefContext> => ({
  ref: `refs/tags/${name}`
})
/** Pull request #2 from feature/login into master. */
export const pr2: Partial<RefContext> = {
  eventName: 'pull_request',
  ref: 'refs/pull/2/merge',
  prNumber: 2,
  prHeadRef: 'feature/login',
  baseRef: 'master'
}

/** A release's semver rules: the version, its minor line, its major line. */
export const SEMVER_LINES = [
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=semver,pattern={{major}}'
]

export function compute(
  ctx: Partial<RefContext>,
  tags: string[],
  flavor: string[] = []
): TagResult {
  return computeTags(refContext(ctx), { tags, flavor }, NOW)
}

/** A row whose expectation is the tag names, in order. */
export interface NamesRow {
  name: string
  ctx: Partial<RefContext>
  tags: string[]
  flavor?: string[]
  expected: string[]
}

export function tagNames(row: NamesRow): string[] {
  return compute(row.ctx, row.tags, row.flavor).tags.map(tag => tag.name)
}

/** One rule alone, without latest, as in the README's pattern tables. */
export const single = (
  ctx: Partial<RefContext>,
  rule: string,
  expected: string[]
): Omit<NamesRow, 'name'> => ({
  ctx,
  tags: [rule],
  flavor: ['latest=false'],
  expected
})
