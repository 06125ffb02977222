/**
 * The `layers` steps (plan/held-steps.ts): the registry reads of the layers an earlier image of the
 * run's tags holds are steps of the plan, printed by the dry run as the run makes them, and made
 * only where a classic save or an exported, uploaded, never loaded layout spares those layers.
 */
import { describe, expect, it } from '@jest/globals'
import type { Builder } from '../../../src/plan/builder.js'
import type { CacheImport } from '../../../src/plan/cache.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import { stepLine } from '../../../src/plan/steps.js'
import { releaseRun } from '../docker/run-fixture.js'

const FILES = {
  metadata: '/run/meta.json',
  iid: '/run/iid',
  layout: '/run/layout',
  secretSpecs: []
}
const CLASSIC_STORE: Builder = {
  name: 'default',
  driver: 'docker',
  store: 'classic'
}
const CONTAINERD: Builder = { ...CLASSIC_STORE, store: 'containerd' }
const CONTAINER: Builder = { name: 'builder-1', driver: 'docker-container' }

const GHCR = 'ghcr.io/octo/app'
const MANIFESTS = 'https://ghcr.io/v2/octo/app/manifests'

interface Row {
  name: string
  builder: Builder
  inputs?: Record<string, string>
  imports?: CacheImport[]
  /** The cache decision read the image's tag list. */
  tagsRead?: boolean
  held: string[]
}

const imported = (...tags: string[]): CacheImport[] =>
  tags.map(tag => ({ tag, why: 'this run' }))

describe('layers steps: where the layers the registry holds are read, and which', () => {
  it.each<Row>([
    {
      name: 'the containerd store, no cache import: the tag list, then the first tag a cache import could read',
      builder: CONTAINERD,
      held: [
        'layers GET https://ghcr.io/v2/octo/app/tags/list',
        `layers GET ${MANIFESTS}/<cache tag> (only if the tag list holds a tag a cache import could read)`
      ]
    },
    {
      name: 'the containerd store, the tag list read by the cache decision, no tag to import: none (never read twice)',
      builder: CONTAINERD,
      tagsRead: true,
      held: []
    },
    {
      name: 'the containerd store, cache imports: each imported tag',
      builder: CONTAINERD,
      imports: imported('1.2.2', 'latest'),
      held: [`layers GET ${MANIFESTS}/1.2.2`, `layers GET ${MANIFESTS}/latest`]
    },
    {
      name: 'the classic store, cache imports: each imported tag (the save names its layers)',
      builder: CLASSIC_STORE,
      imports: imported('latest'),
      held: [`layers GET ${MANIFESTS}/latest`]
    },
    {
      name: 'the classic store with load: true, cache imports: each imported tag (the save still names them)',
      builder: CLASSIC_STORE,
      inputs: { load: 'true' },
      imports: imported('latest'),
      held: [`layers GET ${MANIFESTS}/latest`]
    },
    {
      name: 'the containerd store, the tag list read by the cache decision, a tag to import: that tag',
      builder: CONTAINERD,
      tagsRead: true,
      imports: imported('latest'),
      held: [`layers GET ${MANIFESTS}/latest`]
    },
    {
      name: 'the classic store, no cache import: none (the save gzips what it must)',
      builder: CLASSIC_STORE,
      held: []
    },
    {
      name: 'load: true: none (the load needs every blob)',
      builder: CONTAINERD,
      inputs: { load: 'true' },
      imports: imported('latest'),
      held: []
    },
    {
      name: 'images on two registries: none (a blob is never fetched across)',
      builder: CONTAINERD,
      inputs: { images: `${GHCR}\nocto/app` },
      imports: imported('latest'),
      held: []
    },
    {
      name: 'docker-container pushes by digest: none',
      builder: CONTAINER,
      imports: imported('latest'),
      held: []
    },
    {
      name: 'push: false: none',
      builder: CONTAINERD,
      inputs: { push: 'false' },
      imports: imported('latest'),
      held: []
    }
  ])(
    '$name',
    async ({ builder, inputs = {}, imports = [], tagsRead, held }) => {
      const { settings, publication } = await releaseRun({
        secrets: '',
        images: GHCR,
        ...inputs
      })
      const { stage } = pipelineFor({
        settings,
        publication,
        builder,
        files: FILES,
        userConfig: '/home/runner/.docker',
        cache: { runner: { service: false }, imports, tagsRead }
      })
      const lines = stage.map(step => stepLine(step).replace(/ +/g, ' '))
      expect(lines.filter(line => line.startsWith('layers '))).toEqual(held)
      // read first, beside everything after them
      expect(lines.slice(0, held.length)).toEqual(held)
    }
  )
})
