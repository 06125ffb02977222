import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import {
  emptyResult,
  type PublishResult,
  type Upload
} from '../../../src/publish/outcome.js'
import { summaryMarkdown } from '../../../src/action/summary.js'
import type { Publication } from '../../../src/plan/publication.js'

const NEW = `sha256:${'b'.repeat(64)}`
const OLD = `sha256:${'a'.repeat(64)}`
const NEWER = `sha256:${'c'.repeat(64)}`
const APP = 'ghcr.io/o/app'

const PLAN: Publication = {
  version: '1.2.3',
  tags: [
    { name: '1.2.3', kind: 'version' },
    { name: 'sha-860c190', kind: 'fixed' },
    { name: '1', kind: 'floating' },
    { name: 'latest', kind: 'floating' }
  ],
  images: [parseImageName(APP)],
  refs: [`${APP}:1.2.3`, `${APP}:sha-860c190`, `${APP}:1`, `${APP}:latest`],
  labels: {},
  annotations: {},
  buildArgs: [],
  warnings: [],
  notices: [],
  buildId: '123',
  sourceDateEpoch: 1714564800
}

/** 1.2.3 new, sha-… already there, 1 moved from 1.2.2, latest held back at 2.0.0. */
/** The plan with its first tag only. */
const ONE_TAG: Publication = {
  ...PLAN,
  tags: PLAN.tags.slice(0, 1),
  refs: PLAN.refs.slice(0, 1)
}

const RELEASE: PublishResult = {
  ...emptyResult(),
  digest: NEW,
  pushed: [
    { ref: `${APP}:1.2.3`, digest: NEW },
    { ref: `${APP}:1`, digest: NEW }
  ],
  skipped: [
    {
      ref: `${APP}:latest`,
      reason: '2.0.0 is already published, newer than 1.2.3'
    }
  ],
  before: [
    { ref: `${APP}:sha-860c190`, digest: NEW, version: '' },
    { ref: `${APP}:1`, digest: OLD, version: '1.2.2' },
    { ref: `${APP}:latest`, digest: NEWER, version: '2.0.0' }
  ],
  held: [
    { ref: `${APP}:1.2.3`, digest: NEW, image: APP },
    { ref: `${APP}:sha-860c190`, digest: NEW, image: APP },
    { ref: `${APP}:1`, digest: NEW, image: APP },
    { ref: `${APP}:latest`, digest: NEWER, image: APP }
  ]
}

const upload = (image: string, bytes: Partial<Upload>): Upload => ({
  image,
  digest: NEW,
  uploaded: 0,
  mounted: 0,
  present: 0,
  blobs: 3,
  ms: 0,
  ...bytes
})

/** The heading, the facts line and the head of the tags table. */
const opening = (heading: string, facts: string) => [
  `### ${heading}`,
  '',
  facts,
  '',
  '| Reference | Kind | Digest | Change |',
  '| --- | --- | --- | --- |'
]
const UPLOADED = [
  '',
  '#### Uploaded',
  '',
  '| Image | Uploaded | Mounted | Already there | Size | Blobs | Time |',
  '| --- | --- | --- | --- | --- | --- | --- |'
]

describe('summaryMarkdown', () => {
  it.each([
    {
      name: 'a release: new, unchanged, moved from a digest and version, held back with the reason',
      publication: PLAN,
      result: RELEASE,
      heading: 'Published',
      platforms: ['linux/amd64', 'linux/arm64'],
      expected: [
        ...opening(
          'Published',
          'Version: `1.2.3` · Platforms: linux/amd64, linux/arm64'
        ),
        `| \`${APP}:1.2.3\` | version | ${NEW} | new |`,
        `| \`${APP}:sha-860c190\` | fixed | ${NEW} | unchanged |`,
        `| \`${APP}:1\` | floating | ${NEW} | moved from sha256:aaaaaaaaaaaa (1.2.2) |`,
        `| \`${APP}:latest\` | floating | ${NEWER} | held back: 2.0.0 is already published, newer than 1.2.3 |`,
        ''
      ]
    },
    {
      name: 'a builder of several nodes: the node that built each platform',
      publication: {
        ...PLAN,
        tags: PLAN.tags.slice(0, 1),
        refs: PLAN.refs.slice(0, 1)
      },
      result: {
        ...RELEASE,
        nodes: [
          { platform: 'linux/amd64', node: 'builder0' },
          { platform: 'linux/arm64', node: 'builder1' }
        ]
      },
      heading: 'Published',
      platforms: ['linux/amd64', 'linux/arm64'],
      expected: [
        ...opening(
          'Published',
          'Version: `1.2.3` · Platforms: linux/amd64 (node `builder0`), linux/arm64 (node `builder1`)'
        ),
        `| \`${APP}:1.2.3\` | version | ${NEW} | new |`,
        ''
      ]
    },
    {
      name: "another run's build of this commit taken at the read-back: its digest, new or moved",
      publication: {
        ...PLAN,
        tags: [PLAN.tags[0], PLAN.tags[2]],
        refs: [PLAN.refs[0], PLAN.refs[2]]
      },
      result: {
        ...RELEASE,
        digest: NEWER,
        digests: [NEWER],
        pushed: [],
        skipped: [],
        before: [{ ref: `${APP}:1`, digest: OLD, version: '1.2.2' }],
        held: [
          { ref: `${APP}:1.2.3`, digest: NEWER, image: APP },
          { ref: `${APP}:1`, digest: NEWER, image: APP }
        ]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening('Published', 'Version: `1.2.3` · Platforms: linux/amd64'),
        `| \`${APP}:1.2.3\` | version | ${NEWER} | new |`,
        `| \`${APP}:1\` | floating | ${NEWER} | moved from sha256:aaaaaaaaaaaa (1.2.2) |`,
        ''
      ]
    },
    {
      name: 'a moved tag whose image has no version label: the digest alone',
      publication: {
        ...PLAN,
        tags: PLAN.tags.slice(2, 3),
        refs: PLAN.refs.slice(2, 3)
      },
      result: {
        ...RELEASE,
        before: [{ ref: `${APP}:1`, digest: OLD, version: '' }]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening('Published', 'Version: `1.2.3` · Platforms: linux/amd64'),
        `| \`${APP}:1\` | floating | ${NEW} | moved from sha256:aaaaaaaaaaaa |`,
        ''
      ]
    },
    {
      name: 'an upload: build and upload times, bytes sent of the size, no total row for one image',
      publication: ONE_TAG,
      result: {
        ...RELEASE,
        before: [],
        buildMs: 12_345,
        uploads: [
          upload(APP, { uploaded: 64_100_000, present: 1_200, ms: 2_100 })
        ]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening(
          'Published',
          'Version: `1.2.3` · Platforms: linux/amd64 · Build: 12.3 s · Upload: 2.1 s'
        ),
        `| \`${APP}:1.2.3\` | version | ${NEW} | new |`,
        ...UPLOADED,
        `| \`${APP}\` | 64.1 MB | 0 B | 1.2 KB | 64.1 MB | 3 | 2.1 s |`,
        ''
      ]
    },
    {
      name: 'what the build cache did, after the build time (one line a platform on two nodes)',
      publication: ONE_TAG,
      result: {
        ...RELEASE,
        before: [],
        buildMs: 4_200,
        cache: [
          'Cache (linux/amd64): 3 of 4 steps cached; 33.6 MB of layers downloaded; from 127.0.0.1:5001/o/app:main',
          'Cache (linux/arm64): 0 of 4 steps cached'
        ]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening(
          'Published',
          'Version: `1.2.3` · Platforms: linux/amd64 · Build: 4.2 s · Cache (linux/amd64): 3 of 4 steps cached; 33.6 MB of layers downloaded; from 127.0.0.1:5001/o/app:main · Cache (linux/arm64): 0 of 4 steps cached'
        ),
        `| \`${APP}:1.2.3\` | version | ${NEW} | new |`,
        ''
      ]
    },
    {
      name: 'a layer sent while buildx wrote it: the upload says how much of it went during the build',
      publication: ONE_TAG,
      result: {
        ...RELEASE,
        before: [],
        buildMs: 10_600,
        uploads: [
          upload(APP, {
            uploaded: 538_100_000,
            ms: 100,
            duringBuild: 538_000_000
          })
        ]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening(
          'Published',
          'Version: `1.2.3` · Platforms: linux/amd64 · Build: 10.6 s · Upload: 0.1 s, 538.0 MB of it during the build'
        ),
        `| \`${APP}:1.2.3\` | version | ${NEW} | new |`,
        ...UPLOADED,
        `| \`${APP}\` | 538.1 MB | 0 B | 0 B | 538.1 MB | 3 | 0.1 s |`,
        ''
      ]
    },
    {
      name: 'two images of one registry: the second mounted, and the totals',
      publication: {
        ...PLAN,
        tags: PLAN.tags.slice(0, 1),
        images: [
          parseImageName('r.example/o/app'),
          parseImageName('r.example/o/mirror')
        ],
        refs: ['r.example/o/app:1.2.3', 'r.example/o/mirror:1.2.3']
      },
      result: {
        ...emptyResult(),
        pushed: [
          { ref: 'r.example/o/app:1.2.3', digest: NEW },
          { ref: 'r.example/o/mirror:1.2.3', digest: NEW }
        ],
        before: [],
        buildMs: 900,
        uploads: [
          upload('r.example/o/app', { uploaded: 5_000_000, ms: 1_000 }),
          upload('r.example/o/mirror', { mounted: 5_000_000, ms: 200 })
        ]
      },
      heading: 'Published',
      platforms: ['linux/arm64/v8'],
      expected: [
        ...opening(
          'Published',
          'Version: `1.2.3` · Platforms: linux/arm64/v8 · Build: 0.9 s · Upload: 1.2 s'
        ),
        `| \`r.example/o/app:1.2.3\` | version | ${NEW} | new |`,
        `| \`r.example/o/mirror:1.2.3\` | version | ${NEW} | new |`,
        ...UPLOADED,
        '| `r.example/o/app` | 5.0 MB | 0 B | 0 B | 5.0 MB | 3 | 1.0 s |',
        '| `r.example/o/mirror` | 0 B | 5.0 MB | 0 B | 5.0 MB | 3 | 0.2 s |',
        '| **Total** | 5.0 MB | 5.0 MB | 0 B | 10.0 MB | 6 | 1.2 s |',
        ''
      ]
    },
    {
      name: 'a failure before any tag moved: what was there stays, the rest not pushed',
      publication: PLAN,
      result: {
        ...emptyResult(),
        before: [{ ref: `${APP}:1`, digest: OLD, version: '1.2.2' }]
      },
      heading: 'Failed: what the registry holds of this run',
      platforms: [],
      expected: [
        ...opening(
          'Failed: what the registry holds of this run',
          'Version: `1.2.3`'
        ),
        `| \`${APP}:1.2.3\` | version | — | not pushed |`,
        `| \`${APP}:sha-860c190\` | fixed | — | not pushed |`,
        `| \`${APP}:1\` | floating | — | not pushed |`,
        `| \`${APP}:latest\` | floating | — | not pushed |`,
        ''
      ]
    },
    {
      name: 'dry run: no digests, no platform named when none is known, warnings listed',
      publication: {
        ...PLAN,
        version: '',
        tags: PLAN.tags.slice(1, 2),
        refs: PLAN.refs.slice(1, 2),
        warnings: ['type=semver: "main" is not a valid semver']
      },
      result: emptyResult(),
      heading: 'Dry run',
      platforms: [],
      expected: [
        ...opening('Dry run', 'Version: `(none)`'),
        `| \`${APP}:sha-860c190\` | fixed | — | not pushed |`,
        '',
        '#### Warnings',
        '',
        '- type=semver: "main" is not a valid semver',
        ''
      ]
    },
    {
      // SECURITY.md: a warning or reason may quote a value a fork chose
      name: "a fork's Markdown in a warning and a reason is shown as text",
      publication: {
        ...PLAN,
        tags: PLAN.tags.slice(3),
        refs: PLAN.refs.slice(3),
        warnings: [
          'default tags: "[x](https://evil.example) <img src=x> **y**" has no valid tag characters, skipped'
        ]
      },
      result: {
        ...emptyResult(),
        skipped: [{ ref: 'ghcr.io/o/app:latest', reason: 'kept `![i](u)`' }]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening('Published', 'Version: `1.2.3` · Platforms: linux/amd64'),
        '| `ghcr.io/o/app:latest` | floating | — | held back: kept \\`!\\[i\\](u)\\` |',
        '',
        '#### Warnings',
        '',
        '- default tags: "\\[x\\](https://evil.example) \\<img src=x\\> \\*\\*y\\*\\*" has no valid tag characters, skipped',
        ''
      ]
    },
    {
      name: 'pipes and line breaks in a cell are escaped',
      publication: {
        ...PLAN,
        tags: PLAN.tags.slice(3),
        refs: PLAN.refs.slice(3)
      },
      result: {
        ...emptyResult(),
        skipped: [
          {
            ref: `${APP}:latest`,
            reason: 'held | newer release\n2.0.0 exists'
          }
        ]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening('Published', 'Version: `1.2.3` · Platforms: linux/amd64'),
        `| \`${APP}:latest\` | floating | — | held back: held \\| newer release 2.0.0 exists |`,
        ''
      ]
    }
  ])('$name', ({ publication, result, heading, platforms, expected }) => {
    expect(summaryMarkdown(publication, result, heading, platforms)).toBe(
      expected.join('\n')
    )
  })
})
