import type { PlanStep } from '../../../src/plan/steps.js'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { parse } from 'yaml'
import {
  actionOutputs,
  outputEnvVariables,
  type OutputFormat
} from '../../../src/action/outputs.js'
import {
  emptyResult,
  type PublishResult
} from '../../../src/publish/outcome.js'
import type { Publication } from '../../../src/plan/publication.js'
import { bakeFiles } from '../../../src/action/bake-files.js'

const DIGEST = `sha256:${'d'.repeat(64)}`
const IMAGE_ID = `sha256:${'e'.repeat(64)}`

const PLAN: Publication = {
  version: '1.2.3',
  tags: [
    { name: '1.2.3', kind: 'version' },
    { name: 'latest', kind: 'floating' }
  ],
  images: [parseImageName('ghcr.io/o/app')],
  refs: ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:latest'],
  labels: {
    'org.opencontainers.image.version': '1.2.3',
    maintainer: 'octo'
  },
  annotations: { 'org.opencontainers.image.title': 'app' },
  buildArgs: [],
  warnings: [],
  notices: [],
  buildId: '123',
  sourceDateEpoch: 1714564800
}

const RESULT: PublishResult = {
  digest: DIGEST,
  imageid: IMAGE_ID,
  metadata: { 'containerimage.digest': DIGEST },
  pushed: [{ ref: 'ghcr.io/o/app:1.2.3', digest: DIGEST }],
  skipped: [{ ref: 'ghcr.io/o/app:latest', reason: '2.0.0 is newer' }],
  uploads: []
}

/** metadata-action's defaults: newline separators, manifest annotations. */
const FORMAT: OutputFormat = {
  separators: { tags: '\n', labels: '\n', annotations: '\n' },
  annotationLevels: ['manifest']
}

function declaredOutputs(): string[] {
  const action = parse(
    readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8')
  ) as { outputs: Record<string, unknown> }
  return Object.keys(action.outputs).sort()
}

const STEPS: PlanStep[] = [
  {
    step: 'login',
    argv: ['login', 'ghcr.io', '--username', 'octo', '--password-stdin']
  },
  {
    step: 'tag',
    method: 'PUT',
    url: 'https://ghcr.io/v2/o/app/manifests/latest'
  }
]

describe('actionOutputs', () => {
  it('sets every output action.yml declares, and no other', () => {
    const bakeOutputs = bakeFiles(PLAN, [], [], 'docker-metadata-action').map(
      file => file.output
    )
    expect(
      [
        ...Object.keys(actionOutputs(PLAN, RESULT, STEPS, FORMAT)),
        ...bakeOutputs,
        // a digest leg's, beside leg-<platform> (publish-outputs.ts)
        'handover',
        // mode cleanup's own output (action-main.ts)
        'cleaned'
      ].sort()
    ).toEqual(declaredOutputs())
  })

  it.each([
    { name: 'version', key: 'version', expected: '1.2.3' },
    {
      name: 'tags: full references, one per line',
      key: 'tags',
      expected: 'ghcr.io/o/app:1.2.3\nghcr.io/o/app:latest'
    },
    {
      name: 'plan: the steps as JSON',
      key: 'plan',
      expected: JSON.stringify(STEPS)
    },
    {
      name: 'tag-names: names only, one per line',
      key: 'tag-names',
      expected: '1.2.3\nlatest'
    },
    {
      name: 'labels: key=value lines sorted by key',
      key: 'labels',
      expected: 'maintainer=octo\norg.opencontainers.image.version=1.2.3'
    },
    {
      name: 'annotations: level:key=value lines, manifest level by default',
      key: 'annotations',
      expected: 'manifest:org.opencontainers.image.title=app'
    },
    { name: 'digest', key: 'digest', expected: DIGEST },
    { name: 'imageid', key: 'imageid', expected: IMAGE_ID },
    {
      name: 'metadata: JSON',
      key: 'metadata',
      expected: `{"containerimage.digest":"${DIGEST}"}`
    },
    {
      name: 'pushed: JSON list of ref and digest',
      key: 'pushed',
      expected: `[{"ref":"ghcr.io/o/app:1.2.3","digest":"${DIGEST}"}]`
    },
    {
      name: 'skipped: JSON list of ref and reason',
      key: 'skipped',
      expected: '[{"ref":"ghcr.io/o/app:latest","reason":"2.0.0 is newer"}]'
    }
  ])('$name', ({ key, expected }) => {
    expect(actionOutputs(PLAN, RESULT, STEPS, FORMAT)[key]).toBe(expected)
  })

  it('json: one object with the plan and the result', () => {
    expect(JSON.parse(actionOutputs(PLAN, RESULT, STEPS, FORMAT).json)).toEqual(
      {
        version: '1.2.3',
        tags: ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:latest'],
        'tag-names': ['1.2.3', 'latest'],
        labels: {
          maintainer: 'octo',
          'org.opencontainers.image.version': '1.2.3'
        },
        annotations: ['manifest:org.opencontainers.image.title=app'],
        digest: DIGEST,
        imageid: IMAGE_ID,
        metadata: RESULT.metadata,
        pushed: RESULT.pushed,
        skipped: RESULT.skipped
      }
    )
  })

  it('a dry run: the plan outputs, empty result outputs', () => {
    const outputs = actionOutputs(PLAN, emptyResult(), STEPS, FORMAT)
    expect(outputs).toMatchObject({
      version: '1.2.3',
      'tag-names': '1.2.3\nlatest',
      digest: '',
      imageid: '',
      metadata: '{}',
      pushed: '[]',
      skipped: '[]'
    })
  })
})

describe('actionOutputs as metadata-action writes them', () => {
  const NO_IMAGES: Publication = { ...PLAN, images: [], refs: [] }
  const TWO_ANNOTATIONS: Publication = {
    ...PLAN,
    annotations: { 'b.key': '2', 'a.key': '1' }
  }
  const format = (over: Partial<OutputFormat>): OutputFormat => ({
    ...FORMAT,
    ...over
  })

  it.each<{
    name: string
    publication: Publication
    format: OutputFormat
    key: string
    expected: string
  }>([
    {
      name: 'no images: tags holds the bare tag names',
      publication: NO_IMAGES,
      format: format({}),
      key: 'tags',
      expected: '1.2.3\nlatest'
    },
    {
      name: 'annotations: every annotation once per level, level by level',
      publication: TWO_ANNOTATIONS,
      format: format({ annotationLevels: ['manifest', 'index'] }),
      key: 'annotations',
      expected: [
        'manifest:a.key=1',
        'manifest:b.key=2',
        'index:a.key=1',
        'index:b.key=2'
      ].join('\n')
    },
    {
      name: 'sep-tags joins tags and tag-names',
      publication: PLAN,
      format: format({
        separators: { tags: ',', labels: '\n', annotations: '\n' }
      }),
      key: 'tag-names',
      expected: '1.2.3,latest'
    },
    {
      name: 'sep-tags: a space is kept',
      publication: PLAN,
      format: format({
        separators: { tags: ' ', labels: '\n', annotations: '\n' }
      }),
      key: 'tags',
      expected: 'ghcr.io/o/app:1.2.3 ghcr.io/o/app:latest'
    },
    {
      name: 'sep-labels joins labels',
      publication: PLAN,
      format: format({
        separators: { tags: '\n', labels: ';', annotations: '\n' }
      }),
      key: 'labels',
      expected: 'maintainer=octo;org.opencontainers.image.version=1.2.3'
    },
    {
      name: 'sep-annotations joins annotations',
      publication: TWO_ANNOTATIONS,
      format: format({
        separators: { tags: '\n', labels: '\n', annotations: ',' }
      }),
      key: 'annotations',
      expected: 'manifest:a.key=1,manifest:b.key=2'
    }
  ])('$name', ({ publication, format, key, expected }) => {
    expect(actionOutputs(publication, RESULT, STEPS, format)[key]).toBe(
      expected
    )
  })

  it('json: metadata-action keys, leveled annotations, bare tags without images', () => {
    const json = JSON.parse(
      actionOutputs(
        NO_IMAGES,
        emptyResult(),
        STEPS,
        format({
          annotationLevels: ['manifest', 'index']
        })
      ).json
    ) as Record<string, unknown>
    expect(json).toMatchObject({
      tags: ['1.2.3', 'latest'],
      'tag-names': ['1.2.3', 'latest'],
      labels: {
        maintainer: 'octo',
        'org.opencontainers.image.version': '1.2.3'
      },
      annotations: [
        'manifest:org.opencontainers.image.title=app',
        'index:org.opencontainers.image.title=app'
      ]
    })
  })
})

describe('outputEnvVariables', () => {
  const outputs: Record<string, string> = {
    ...actionOutputs(PLAN, RESULT, STEPS, FORMAT),
    'bake-file-tags': '/tmp/b/docker-metadata-action-bake-tags.json',
    'bake-file-labels': '/tmp/b/docker-metadata-action-bake-labels.json',
    'bake-file-annotations':
      '/tmp/b/docker-metadata-action-bake-annotations.json',
    'bake-file': '/tmp/b/docker-metadata-action-bake.json'
  }

  it('exports the metadata-action outputs as DOCKER_METADATA_OUTPUT_*', () => {
    expect(outputEnvVariables(outputs, true)).toEqual({
      DOCKER_METADATA_OUTPUT_VERSION: '1.2.3',
      DOCKER_METADATA_OUTPUT_TAGS: outputs.tags,
      DOCKER_METADATA_OUTPUT_TAG_NAMES: '1.2.3\nlatest',
      DOCKER_METADATA_OUTPUT_LABELS: outputs.labels,
      DOCKER_METADATA_OUTPUT_ANNOTATIONS: outputs.annotations,
      DOCKER_METADATA_OUTPUT_JSON: outputs.json,
      DOCKER_METADATA_OUTPUT_BAKE_FILE_TAGS: outputs['bake-file-tags'],
      DOCKER_METADATA_OUTPUT_BAKE_FILE_LABELS: outputs['bake-file-labels'],
      DOCKER_METADATA_OUTPUT_BAKE_FILE_ANNOTATIONS:
        outputs['bake-file-annotations'],
      DOCKER_METADATA_OUTPUT_BAKE_FILE: outputs['bake-file']
    })
  })

  it('exports nothing when DOCKER_METADATA_SET_OUTPUT_ENV is false', () => {
    expect(outputEnvVariables(outputs, false)).toEqual({})
  })
})
