import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { bakeFiles } from '../../../src/action/bake-files.js'
import type { Publication } from '../../../src/plan/publication.js'

const PLAN: Publication = {
  version: '1.2.3',
  tags: [
    { name: '1.2.3', kind: 'version' },
    { name: 'latest', kind: 'floating' }
  ],
  images: [parseImageName('ghcr.io/o/app'), parseImageName('o/app')],
  refs: [],
  labels: { 'org.opencontainers.image.version': '1.2.3', maintainer: 'octo' },
  annotations: {},
  buildArgs: [],
  warnings: [],
  notices: [],
  buildId: '123',
  sourceDateEpoch: 1714564800
}
const TAGS = ['ghcr.io/o/app:1.2.3', 'o/app:1.2.3']
const ANNOTATIONS = ['manifest:org.opencontainers.image.title=app']
const ARGS = {
  DOCKER_META_IMAGES: 'ghcr.io/o/app,o/app',
  DOCKER_META_VERSION: '1.2.3'
}
// metadata-action orders labels by key
const LABELS = {
  maintainer: 'octo',
  'org.opencontainers.image.version': '1.2.3'
}

describe("bakeFiles: metadata-action's bake definitions", () => {
  it.each([
    {
      output: 'bake-file-tags',
      fileName: 'docker-metadata-action-bake-tags.json',
      content: { tags: TAGS, args: ARGS }
    },
    {
      output: 'bake-file-labels',
      fileName: 'docker-metadata-action-bake-labels.json',
      content: { labels: LABELS }
    },
    {
      output: 'bake-file-annotations',
      fileName: 'docker-metadata-action-bake-annotations.json',
      content: { annotations: ANNOTATIONS }
    },
    {
      output: 'bake-file',
      fileName: 'docker-metadata-action-bake.json',
      content: { tags: TAGS, labels: LABELS, args: ARGS }
    }
  ])('$output: $fileName', ({ output, fileName, content }) => {
    const file = bakeFiles(
      PLAN,
      TAGS,
      ANNOTATIONS,
      'docker-metadata-action'
    ).find(f => f.output === output)
    expect(file?.fileName).toBe(fileName)
    expect(JSON.stringify(file?.definition)).toBe(
      JSON.stringify({ target: { 'docker-metadata-action': content } })
    )
  })

  it('bake-target names the target in every file', () => {
    const targets = bakeFiles(PLAN, TAGS, ANNOTATIONS, 'meta').map(f =>
      Object.keys(f.definition.target)
    )
    expect(targets).toEqual([['meta'], ['meta'], ['meta'], ['meta']])
  })
})
