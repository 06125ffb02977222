import { describe, expect, it } from '@jest/globals'
import { decideTags, describeDecision } from '../../../src/guards/decide.js'
import {
  forkTagHeldReason,
  writerDigests,
  type Writers
} from '../../../src/guards/fork-tags.js'
import type { Tag } from '../../../src/tags/tag-types.js'

// SECURITY.md: a tag a pull request's author named is created when absent,
// and moves only off an image that this pull request's own runs wrote.

const PUSHED = `sha256:${'a'.repeat(64)}`
const OWN = `sha256:${'b'.repeat(64)}`
const OTHER_PR = `sha256:${'c'.repeat(64)}`
const NEW = `sha256:${'d'.repeat(64)}`

/** What the label reads found: a push run's image has none. */
const WRITERS: Writers = { [PUSHED]: '', [OWN]: '42', [OTHER_PR]: '7' }

const forkNamed = (name: string): Tag => ({
  name,
  kind: 'floating',
  pullRequest: '42'
})

describe('forkTagHeldReason', () => {
  it.each<{
    name: string
    tag: Tag
    current?: string
    newDigest?: string
    /** undefined: it may be written; else the reason it is held back. */
    held: unknown
  }>([
    {
      name: 'an absent fork-named tag is created',
      tag: forkNamed('develop'),
      held: undefined
    },
    {
      name: "a fork-named tag on this PR's earlier image moves",
      tag: forkNamed('feature-login'),
      current: OWN,
      held: undefined
    },
    {
      name: 'a fork-named tag already on the new digest stays unchanged',
      tag: forkNamed('develop'),
      current: PUSHED,
      newDigest: PUSHED,
      held: undefined
    },
    {
      name: "a fork-named tag on a push run's image is held back",
      tag: forkNamed('develop'),
      current: PUSHED,
      held: expect.stringMatching(
        /^it holds sha256:a+, which a push or release run wrote \(no dev\.docker-publish-action\.pull-request label\); its name comes from \{\{branch\}\} or \{\{base_ref\}\}, which the author of pull request #42 chooses, so it may only be created, or moved off an image of pull request #42's own runs$/
      )
    },
    {
      name: "a fork-named tag on another PR's image is held back",
      tag: forkNamed('feature'),
      current: OTHER_PR,
      held: expect.stringMatching(
        /^it holds sha256:c+, which pull request #7's run wrote;/
      )
    },
    {
      name: 'a fork-named tag on an image whose labels could not be read is held back',
      tag: forkNamed('feature'),
      current: `sha256:${'e'.repeat(64)}`,
      held: expect.stringMatching(
        /^it holds sha256:e+, whose labels could not be read;/
      )
    },
    {
      name: 'a dry run of a build (digest unknown) still holds back',
      tag: forkNamed('develop'),
      current: PUSHED,
      newDigest: '',
      held: expect.stringMatching(/a push or release run wrote/)
    },
    {
      name: 'a tag the workflow named moves off any image',
      tag: { name: 'pr-42', kind: 'floating' },
      current: PUSHED,
      held: undefined
    }
  ])('$name', ({ tag, current, newDigest, held }) => {
    const existing = current === undefined ? {} : { [tag.name]: current }
    const reason = forkTagHeldReason(tag, existing, newDigest ?? NEW, WRITERS)
    expect(reason).toEqual(held)
  })
})

describe('writerDigests: one label read per digest a fork-named tag holds', () => {
  it.each<{
    name: string
    tags: Tag[]
    existing: Record<string, string>
    expected: string[]
  }>([
    {
      name: 'two fork-named tags on one digest read it once',
      tags: [forkNamed('develop'), forkNamed('preview-develop')],
      existing: { develop: PUSHED, 'preview-develop': PUSHED },
      expected: [PUSHED]
    },
    {
      name: 'absent tags, tags on the new digest and workflow-named tags read nothing',
      tags: [
        forkNamed('feature'),
        forkNamed('develop'),
        { name: 'pr-42', kind: 'floating' }
      ],
      existing: { develop: NEW, 'pr-42': OWN },
      expected: []
    },
    {
      name: 'distinct digests each once',
      tags: [forkNamed('develop'), forkNamed('feature')],
      existing: { develop: PUSHED, feature: OTHER_PR },
      expected: [PUSHED, OTHER_PR]
    }
  ])('$name', ({ tags, existing, expected }) => {
    expect(writerDigests(tags, existing, NEW)).toEqual(expected)
  })
})

describe('decideTags with fork-named tags', () => {
  const decide = (existingDigests: Record<string, string>) =>
    decideTags({
      tags: [{ name: 'pr-42', kind: 'floating' }, forkNamed('develop')],
      existingTags: Object.keys(existingDigests),
      existingDigests,
      newDigest: NEW,
      floatingGuard: true,
      immutableTags: 'error',
      writers: WRITERS
    })

  it("holds back the fork-named tag on a push run's image and moves pr-42, and the log says why", () => {
    const decision = decide({ develop: PUSHED, 'pr-42': OWN })
    expect(decision.floating.map(t => t.name)).toEqual(['pr-42'])
    expect(decision.skipped.map(s => s.tag.name)).toEqual(['develop'])
    expect(decision.conflicts).toEqual([])
    expect(describeDecision(decision, 'reg/app')).toEqual([
      'reg/app:pr-42 moves after the exact tags (floating tag)',
      expect.stringMatching(
        /^reg\/app:develop held back: it holds sha256:a+, which a push or release run wrote/
      )
    ])
  })

  it("moves the fork-named tag off this pull request's own image", () => {
    const decision = decide({ develop: OWN })
    expect(decision.floating.map(t => t.name)).toEqual(['pr-42', 'develop'])
    expect(decision.skipped).toEqual([])
  })
})
