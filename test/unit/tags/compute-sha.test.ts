import { describe, expect, it } from '@jest/globals'
import { pr2, SHA, tagNames, type NamesRow } from './context-fixture.js'

// metadata-action's sha switches, as they reach the tags: the short sha
// length (DOCKER_METADATA_SHORT_SHA_LENGTH, read into the context) and the
// commit itself (DOCKER_METADATA_PR_HEAD_SHA puts the PR head there).

const HEAD = 'e84cc64499f50d72071c1a2ce65752ff3838f03f'

describe('computeTags: short sha length and commit', () => {
  it.each<NamesRow>([
    {
      name: 'type=sha: 7 characters by default',
      ctx: {},
      tags: ['type=sha'],
      expected: [`sha-${SHA.slice(0, 7)}`]
    },
    {
      name: 'type=sha: the short sha length of the context',
      ctx: { shortShaLength: 12 },
      tags: ['type=sha'],
      expected: [`sha-${SHA.slice(0, 12)}`]
    },
    {
      name: '{{sha}}: the short sha length of the context',
      ctx: { shortShaLength: 10 },
      tags: ['type=raw,value=build-{{sha}}'],
      expected: [`build-${SHA.slice(0, 10)}`]
    },
    {
      name: 'a length beyond the sha: the whole sha',
      ctx: { shortShaLength: 64 },
      tags: ['type=sha'],
      expected: [`sha-${SHA}`]
    },
    {
      name: 'type=sha,format=long ignores the length',
      ctx: { shortShaLength: 4 },
      tags: ['type=sha,format=long'],
      expected: [`sha-${SHA}`]
    },
    {
      name: 'PR with the head commit in the context: sha of the head',
      ctx: { ...pr2, sha: HEAD },
      tags: ['type=sha', 'type=raw,value={{sha}}'],
      // raw (priority 200) sorts before sha (100), as in metadata-action
      expected: [HEAD.slice(0, 7), `sha-${HEAD.slice(0, 7)}`]
    }
  ])('$name', row => {
    expect(tagNames(row)).toEqual(row.expected)
  })
})
