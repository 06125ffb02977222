import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import type { Image } from '../../../src/reference/images.js'
import {
  decideImages,
  refuseConflicts,
  type ImageDecision,
  type ImageTags
} from '../../../src/guards/image-decisions.js'
import type { ReleaseLine, Tag } from '../../../src/tags/tag-types.js'

const OLD = `sha256:${'a'.repeat(64)}`
const NEW = `sha256:${'b'.repeat(64)}`
const OTHER = `sha256:${'c'.repeat(64)}`

const GHCR: Image = parseImageName('ghcr.io/octo/app')
const HUB: Image = parseImageName('octo/app')

const on = (name: string, scope: ReleaseLine['scope']): Tag => ({
  name,
  kind: 'floating',
  line: { scope, version: '1.2.3' }
})
/** What a v1.2.3 release publishes. */
const TAGS: Tag[] = [
  { name: '1.2.3', kind: 'version' },
  on('1.2', 'minor'),
  on('latest', 'latest'),
  { name: 'main', kind: 'floating' }
]

const state = (
  image: Image,
  existingDigests: Record<string, string>,
  existingTags = Object.keys(existingDigests)
): ImageTags => ({ image, existingTags, existingDigests })

const guards = { floatingGuard: true, immutableTags: 'error' as const }

/** Each image's decision as tag names, to read at a glance. */
function outline(plans: ImageDecision[]) {
  const names = (tags: Tag[]) => tags.map(tag => tag.name)
  return plans.map(({ image, decision }) => ({
    image: image.name,
    exact: names(decision.exact),
    floating: names(decision.floating),
    unchanged: names(decision.unchanged),
    conflicts: decision.conflicts.length
  }))
}

describe('decideImages', () => {
  it.each([
    {
      name: 'an empty repository: everything is pushed',
      states: [state(GHCR, {})],
      digests: { [GHCR.name]: NEW },
      expected: [
        {
          image: GHCR.name,
          exact: ['1.2.3'],
          floating: ['1.2', 'latest', 'main'],
          unchanged: [],
          conflicts: 0
        }
      ]
    },
    {
      name: 'a re-run: every tag already at the new digest is unchanged',
      states: [
        state(GHCR, { '1.2.3': NEW, '1.2': NEW, latest: NEW, main: NEW })
      ],
      digests: { [GHCR.name]: NEW },
      expected: [
        {
          image: GHCR.name,
          exact: [],
          floating: [],
          unchanged: ['1.2.3', '1.2', 'latest', 'main'],
          conflicts: 0
        }
      ]
    },
    {
      name: 'floating tags elsewhere still move; those at the new digest do not',
      states: [state(GHCR, { '1.2': NEW, latest: OLD, main: NEW })],
      digests: { [GHCR.name]: NEW },
      expected: [
        {
          image: GHCR.name,
          exact: ['1.2.3'],
          floating: ['latest'],
          unchanged: ['1.2', 'main'],
          conflicts: 0
        }
      ]
    },
    {
      name: 'digest not known yet (dry run of a build): floating tags move',
      states: [state(GHCR, { latest: OLD, main: OLD })],
      digests: { [GHCR.name]: '' },
      expected: [
        {
          image: GHCR.name,
          exact: ['1.2.3'],
          floating: ['1.2', 'latest', 'main'],
          unchanged: [],
          conflicts: 0
        }
      ]
    },
    {
      name: 'each image against its own digest and its own repository',
      states: [state(GHCR, { latest: NEW }), state(HUB, { latest: NEW })],
      digests: { [GHCR.name]: NEW, [HUB.name]: OTHER },
      expected: [
        {
          image: GHCR.name,
          exact: ['1.2.3'],
          floating: ['1.2', 'main'],
          unchanged: ['latest'],
          conflicts: 0
        },
        {
          image: HUB.name,
          exact: ['1.2.3'],
          floating: ['1.2', 'latest', 'main'],
          unchanged: [],
          conflicts: 0
        }
      ]
    },
    {
      name: 'a release tag at another digest is a conflict',
      states: [state(GHCR, { '1.2.3': OLD })],
      digests: { [GHCR.name]: NEW },
      expected: [
        {
          image: GHCR.name,
          exact: [],
          floating: ['1.2', 'latest', 'main'],
          unchanged: [],
          conflicts: 1
        }
      ]
    }
  ])('$name', ({ states, digests, expected }) => {
    const plans = decideImages(states, TAGS, i => digests[i.name], guards)
    expect(outline(plans)).toEqual(expected)
  })
})

describe('refuseConflicts', () => {
  it('names the image and the tag, and says nothing was pushed', () => {
    const plans = decideImages(
      [state(GHCR, {}), state(HUB, { '1.2.3': OLD })],
      TAGS,
      () => NEW,
      guards
    )
    expect(() => refuseConflicts(plans)).toThrow(
      new RegExp(
        '^release tags are immutable \\(immutable-tags: error\\), so nothing was pushed:\\n' +
          `octo/app: release tag 1\\.2\\.3 already exists at ${OLD}, and this run would replace it\\. [^\\n]*$`
      )
    )
  })

  it('lets plans without conflicts through', () => {
    const plans = decideImages(
      [state(GHCR, { '1.2.3': NEW })],
      TAGS,
      () => NEW,
      guards
    )
    expect(() => refuseConflicts(plans)).not.toThrow()
  })
})
