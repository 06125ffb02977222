/**
 * The run's `layers` steps (publish/stage-steps.ts readLayersStep): the layers a tag holds in the
 * registry, read beside the steps after them; the tag list's step finds the tag CACHE_TAG stands
 * for; what cannot be read is none, and never fails the run.
 */
import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { heldLayerSteps } from '../../../src/plan/held-steps.js'
import { parseImageName } from '../../../src/reference/images.js'
import type { CacheSources } from '../../../src/plan/cache.js'
import type { Publication } from '../../../src/plan/publication.js'
import type { Step } from '../../../src/plan/steps.js'
import { readLayersStep } from '../../../src/publish/stage-steps.js'
import { RunValues } from '../../../src/publish/outcome.js'
import type { RegistryClient } from '../../../src/registry/client.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { diffId, pushHeldImage } from '../../support/held-image.js'

const IMAGE = parseImageName('registry.test/acme/app')
const SOURCES: CacheSources = {
  own: ['tickets-DM-42'],
  defaultBranch: ['latest']
}
/** A stage the layers count in: an exported layout, uploaded, never loaded. */
const SEEDED: Step[] = [
  { step: 'build', argv: [], registries: [], layout: '/run/layout' },
  {
    step: 'upload',
    method: 'PUT',
    url: '',
    image: IMAGE,
    reference: '<digest>'
  }
]

const LAYER = randomBytes(64)
const OTHER_LAYER = randomBytes(64)

interface Row {
  name: string
  /** The registry's tags, each holding these layers (gzipped at the level `levels` gives it). */
  tags: Record<string, Buffer[]>
  levels?: Record<string, number>
  /** The tags the build's cache imports (none: the tag list decides). */
  imports?: string[]
  /** The registry's tag list answers an error. */
  listFails?: boolean
  /** Per layer found, the tag whose image it was read from. */
  found: { layer: Buffer; tag: string }[]
}

describe("the layers steps: what the run's reads find", () => {
  it.each<Row>([
    {
      name: 'no import: the tag list, then the first tag a cache import could read (the default branch before a release)',
      tags: { latest: [LAYER], '1.0.0': [OTHER_LAYER] },
      found: [{ layer: LAYER, tag: 'latest' }]
    },
    {
      name: "no import: this run's own tag first",
      tags: { latest: [OTHER_LAYER], 'tickets-DM-42': [LAYER] },
      found: [{ layer: LAYER, tag: 'tickets-DM-42' }]
    },
    {
      name: 'no import, no tag a cache import could read: none',
      tags: { 'some-branch': [LAYER] },
      found: []
    },
    {
      name: 'the tag list cannot be read: none, and the run goes on',
      tags: { latest: [LAYER] },
      listFails: true,
      found: []
    },
    {
      name: 'imports: each tag read; a layer both hold (each its own gzip) is the earlier tag’s',
      tags: { latest: [LAYER], 'tickets-DM-42': [LAYER, OTHER_LAYER] },
      levels: { latest: 1 },
      imports: ['tickets-DM-42', 'latest'],
      found: [
        { layer: LAYER, tag: 'tickets-DM-42' },
        { layer: OTHER_LAYER, tag: 'tickets-DM-42' }
      ]
    },
    {
      name: 'an imported tag the registry lacks: none from it',
      tags: { latest: [LAYER] },
      imports: ['gone', 'latest'],
      found: [{ layer: LAYER, tag: 'latest' }]
    }
  ])('$name', async ({ tags, levels = {}, imports = [], listFails, found }) => {
    const registry = new MemoryRegistry()
    const blobs = new Map<string, string>()
    for (const [tag, layers] of Object.entries(tags)) {
      const pushed = await pushHeldImage(registry, IMAGE, layers, tag, {
        level: levels[tag]
      })
      layers.forEach((layer, i) =>
        blobs.set(`${tag} ${diffId(layer)}`, pushed[i].digest)
      )
    }
    const client: RegistryClient = listFails
      ? Object.assign(Object.create(registry) as MemoryRegistry, {
          listTags: () => Promise.reject(new Error('503 Service Unavailable'))
        })
      : registry
    const publication = {
      images: [IMAGE],
      cacheSources: SOURCES
    } as unknown as Publication
    const steps = heldLayerSteps(SEEDED, publication, {
      imports: imports.map(tag => ({ tag, why: '' })),
      tagsRead: imports.length > 0
    })
    const values = new RunValues()
    for (const step of steps) readLayersStep(step, SOURCES, values, client)
    const held = (await values.heldLayers) ?? new Map<string, never>()
    expect([...held].map(([hex, layer]) => [hex, layer.digest])).toEqual(
      found.map(({ layer, tag }) => [
        diffId(layer).slice(7),
        blobs.get(`${tag} ${diffId(layer)}`)
      ])
    )
  })
})
