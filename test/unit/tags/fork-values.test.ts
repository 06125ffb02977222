import { describe, expect, it } from '@jest/globals'
import type { RefContext } from '../../../src/context/context-types.js'
import { branch, compute, pr2 } from './context-fixture.js'

// SECURITY.md: on a pull request event, {{branch}} (the head ref) and
// {{base_ref}} are chosen by the pull request's author. A tag they name
// never becomes latest, a version, the default branch's tag or another
// release-side tag; per-PR images from them keep working.

/** pull_request_target from a fork whose head ref is `head`. */
const forkPr = (head: string): Partial<RefContext> => ({
  ...pr2,
  eventName: 'pull_request_target',
  ref: 'refs/heads/master',
  prHeadRef: head
})

const RAW_BRANCH = ['type=raw,value={{branch}}']

interface Row {
  name: string
  ctx: Partial<RefContext>
  tags: string[]
  flavor?: string[]
}

describe('fork-named tags on pull request events', () => {
  it('refuses a head ref named 1.2.3 as a raw tag, naming the input (issue 18, case 2)', () => {
    expect(() => compute(forkPr('1.2.3'), RAW_BRANCH)).toThrow(
      'input "tags": invalid value "type=raw,value={{branch}}": on this pull_request_target event it gives "1.2.3" from {{branch}} or {{base_ref}}, which the pull request\'s author chooses, and such a value may not make a version tag; give the tag a fixed part, e.g. type=raw,value=preview-{{branch}}'
    )
  })

  it.each<Row & { error: RegExp }>([
    {
      name: 'head ref latest',
      ctx: forkPr('latest'),
      tags: RAW_BRANCH,
      error: /gives "latest".*may not make latest;/
    },
    {
      name: 'head ref v2, a version line',
      ctx: forkPr('v2'),
      tags: RAW_BRANCH,
      error: /gives "v2".*a version tag/
    },
    {
      name: 'head ref master, the default branch',
      ctx: forkPr('master'),
      tags: RAW_BRANCH,
      error: /the default branch's tag/
    },
    {
      name: 'head ref edge',
      ctx: forkPr('edge'),
      tags: RAW_BRANCH,
      error: /the default branch's tag/
    },
    {
      name: 'head ref nightly',
      ctx: forkPr('nightly'),
      tags: RAW_BRANCH,
      error: /the schedule's tag/
    },
    {
      name: "another PR's tag through a fixed prefix",
      ctx: forkPr('43'),
      tags: ['type=raw,value=pr-{{branch}}'],
      error: /gives "pr-43".*another pull request's tag/
    },
    {
      name: '{{base_ref}} naming the default branch',
      ctx: forkPr('x'),
      tags: ['type=raw,value={{base_ref}}'],
      error: /gives "master".*the default branch's tag/
    },
    {
      name: 'a semver value= from the head ref',
      ctx: forkPr('1.2.3'),
      tags: ['type=semver,pattern={{version}},value={{branch}}'],
      error: /gives "1\.2\.3"/
    },
    {
      name: 'on pull_request too',
      ctx: { ...pr2, prHeadRef: 'latest' },
      tags: RAW_BRANCH,
      error: /on this pull_request event it gives "latest"/
    },
    {
      name: 'a flavor prefix from the head ref',
      ctx: forkPr('1.'),
      tags: ['type=raw,value=2.3'],
      flavor: ['prefix={{branch}}'],
      error: /input "tags".*gives "1\.2\.3"/
    },
    {
      name: 'a flavor prefix on the zero-config tags',
      ctx: forkPr('1.2.3-'),
      tags: [],
      flavor: ['prefix={{branch}}'],
      error: /input "flavor".*gives "1\.2\.3-pr-2"/
    }
  ])('refuses $name', ({ ctx, tags, flavor, error }) => {
    expect(() => compute(ctx, tags, flavor)).toThrow(error)
  })

  it.each<Row & { expected: string[] }>([
    {
      name: 'a per-PR branch image',
      ctx: forkPr('feature/login'),
      tags: RAW_BRANCH,
      expected: ['feature-login']
    },
    {
      name: 'a version-named head ref behind a fixed part',
      ctx: forkPr('1.2.3'),
      tags: ['type=raw,value=preview-{{branch}}'],
      expected: ['preview-1.2.3']
    },
    {
      name: "the PR's own pr- tag from the head ref",
      ctx: forkPr('2'),
      tags: ['type=raw,value=pr-{{branch}}'],
      expected: ['pr-2']
    },
    {
      name: 'the zero-config pr tag',
      ctx: forkPr('latest'),
      tags: [],
      expected: ['pr-2']
    },
    {
      name: 'a sha tag with a branch prefix',
      ctx: forkPr('feature'),
      tags: ['type=sha,prefix={{branch}}-'],
      expected: ['feature-860c190']
    },
    {
      name: 'a raw latest the workflow itself names',
      ctx: forkPr('x'),
      tags: ['type=raw,value=latest'],
      expected: ['latest']
    },
    {
      name: 'a branch push named 1.2.3 (who pushes is trusted)',
      ctx: branch('1.2.3'),
      tags: RAW_BRANCH,
      expected: ['1.2.3']
    }
  ])('keeps $name', ({ ctx, tags, flavor, expected }) => {
    expect(
      compute(ctx, tags, flavor ?? ['latest=false']).tags.map(t => t.name)
    ).toEqual(expected)
  })
})

// guards/fork-tags.ts: the tags the author named carry the PR's number, so
// the guards can hold them back from an image other runs wrote.
describe('fork-named tags carry their pull request', () => {
  it.each<Row & { expected: Record<string, string | undefined> }>([
    {
      name: 'a head ref tag beside the zero-config-like pr tag',
      ctx: forkPr('develop'),
      tags: ['type=ref,event=pr', 'type=raw,value={{branch}}'],
      expected: { 'pr-2': undefined, develop: '2' }
    },
    {
      name: 'a sha tag with a branch prefix',
      ctx: forkPr('feature'),
      tags: ['type=sha,prefix={{branch}}-'],
      expected: { 'feature-860c190': '2' }
    },
    {
      name: 'the zero-config tags under a flavor prefix from the head ref',
      ctx: forkPr('feature-'),
      tags: [],
      flavor: ['prefix={{branch}}'],
      expected: { 'feature-pr-2': '2' }
    },
    {
      name: 'a raw value the workflow fixes',
      ctx: forkPr('x'),
      tags: ['type=raw,value=preview'],
      expected: { preview: undefined }
    },
    {
      name: 'a branch push named develop (who pushes is trusted)',
      ctx: branch('develop'),
      tags: RAW_BRANCH,
      expected: { develop: undefined }
    }
  ])('$name', ({ ctx, tags, flavor, expected }) => {
    const computed = compute(ctx, tags, flavor ?? ['latest=false']).tags
    expect(
      Object.fromEntries(computed.map(t => [t.name, t.pullRequest]))
    ).toEqual(expected)
  })
})
