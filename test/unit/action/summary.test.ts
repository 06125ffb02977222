import { describe, expect, it } from '@jest/globals'
import {
  EMPTY_RESULT,
  type PublishResult
} from '../../../src/publish/result.js'
import { summaryMarkdown } from '../../../src/action/summary.js'
import type { PublishPlan } from '../../../src/plan/plan.js'

const NEW = `sha256:${'b'.repeat(64)}`

const PLAN: PublishPlan = {
  version: '1.2.3',
  tags: [
    { name: '1.2.3', kind: 'version' },
    { name: 'sha-860c190', kind: 'fixed' },
    { name: 'latest', kind: 'floating' }
  ],
  images: [{ name: 'ghcr.io/o/app', registry: 'ghcr.io' }],
  refs: [
    'ghcr.io/o/app:1.2.3',
    'ghcr.io/o/app:sha-860c190',
    'ghcr.io/o/app:latest'
  ],
  labels: {},
  annotations: {},
  warnings: [],
  notices: [],
  buildId: '123-1',
  sourceDateEpoch: 1714564800
}

const PUBLISHED: PublishResult = {
  ...EMPTY_RESULT,
  digest: NEW,
  pushed: [
    { ref: 'ghcr.io/o/app:1.2.3', digest: NEW },
    { ref: 'ghcr.io/o/app:sha-860c190', digest: NEW }
  ],
  skipped: [
    {
      ref: 'ghcr.io/o/app:latest',
      reason: '2.0.0 is already published, newer than 1.2.3'
    }
  ]
}

/** The heading, the version and the head of the references table. */
const opening = (heading: string, version: string) => [
  `### ${heading}`,
  '',
  `Version: \`${version}\``,
  '',
  '| Reference | Kind | Digest | Platforms |',
  '| --- | --- | --- | --- |'
]
const SKIPPED = [
  '',
  '#### Skipped',
  '',
  '| Reference | Reason |',
  '| --- | --- |'
]

describe('summaryMarkdown', () => {
  it.each([
    {
      name: 'published: a row per reference with its digest, then the skipped ones',
      plan: PLAN,
      result: PUBLISHED,
      heading: 'Published',
      platforms: ['linux/amd64', 'linux/arm64'],
      expected: [
        ...opening('Published', '1.2.3'),
        `| \`ghcr.io/o/app:1.2.3\` | version | ${NEW} | linux/amd64, linux/arm64 |`,
        `| \`ghcr.io/o/app:sha-860c190\` | fixed | ${NEW} | linux/amd64, linux/arm64 |`,
        '| `ghcr.io/o/app:latest` | floating | skipped | linux/amd64, linux/arm64 |',
        ...SKIPPED,
        '| `ghcr.io/o/app:latest` | 2.0.0 is already published, newer than 1.2.3 |',
        ''
      ]
    },
    {
      name: 'dry run: no digests, default platform, no version, warnings listed',
      plan: {
        ...PLAN,
        version: '',
        tags: PLAN.tags.slice(1, 2),
        refs: PLAN.refs.slice(1, 2),
        warnings: ['type=semver: "main" is not a valid semver']
      },
      result: EMPTY_RESULT,
      heading: 'Dry run',
      platforms: [],
      expected: [
        ...opening('Dry run', '(none)'),
        '| `ghcr.io/o/app:sha-860c190` | fixed | — | default |',
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
      plan: {
        ...PLAN,
        tags: PLAN.tags.slice(2),
        refs: PLAN.refs.slice(2),
        warnings: [
          'default tags: "[x](https://evil.example) <img src=x> **y**" has no valid tag characters, skipped'
        ]
      },
      result: {
        ...EMPTY_RESULT,
        skipped: [{ ref: 'ghcr.io/o/app:latest', reason: 'kept `![i](u)`' }]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening('Published', '1.2.3'),
        '| `ghcr.io/o/app:latest` | floating | skipped | linux/amd64 |',
        ...SKIPPED,
        '| `ghcr.io/o/app:latest` | kept \\`!\\[i\\](u)\\` |',
        '',
        '#### Warnings',
        '',
        '- default tags: "\\[x\\](https://evil.example) \\<img src=x\\> \\*\\*y\\*\\*" has no valid tag characters, skipped',
        ''
      ]
    },
    {
      name: 'pipes and line breaks in a cell are escaped',
      plan: { ...PLAN, tags: PLAN.tags.slice(2), refs: PLAN.refs.slice(2) },
      result: {
        ...EMPTY_RESULT,
        skipped: [
          {
            ref: 'ghcr.io/o/app:latest',
            reason: 'held back | newer release\n2.0.0 exists'
          }
        ]
      },
      heading: 'Published',
      platforms: ['linux/amd64'],
      expected: [
        ...opening('Published', '1.2.3'),
        '| `ghcr.io/o/app:latest` | floating | skipped | linux/amd64 |',
        ...SKIPPED,
        '| `ghcr.io/o/app:latest` | held back \\| newer release 2.0.0 exists |',
        ''
      ]
    }
  ])('$name', ({ plan, result, heading, platforms, expected }) => {
    expect(summaryMarkdown(plan, result, heading, platforms)).toBe(
      expected.join('\n')
    )
  })
})
