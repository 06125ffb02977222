import { describe, expect, it } from '@jest/globals'
import { untaggedImages } from '../../../src/cleanup/cleanup-plan.js'
import { registryStore } from '../../../src/cleanup/registry-store.js'
import { parseImageName } from '../../../src/reference/images.js'
import {
  jsonBytes,
  jsonManifest,
  OCI_INDEX,
  OCI_MANIFEST,
  type Manifest
} from '../../../src/registry/manifest.js'
import { MemoryRegistry } from '../../support/memory-registry.js'

// What the registry-API store reads of a repository (distribution 2.8: no referrers API): the
// tags, what they reach, and the untagged images a cosign or referrers tag still names, with the
// age of each image no tag reaches and where it was read: a signature or referrer's `created`
// annotation (when the registry was told of it), else the config's created; epoch 0 is unknown.
const IMAGE = parseImageName('registry.example.com/acme/app')
const tagOf = (digest: string, suffix = '') =>
  `${digest.replace(':', '-')}${suffix}`

/** An image manifest whose config says `created` (none: the config has no `created`). */
async function image(
  registry: MemoryRegistry,
  name: string,
  created?: string
): Promise<Manifest> {
  const config = jsonBytes({ ...(created && { created }), build: name })
  const digest = await registry.putBlob(IMAGE, config)
  const manifest = jsonManifest(OCI_MANIFEST, {
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest },
    layers: [],
    annotations: { name }
  })
  await registry.putManifest(IMAGE, manifest.digest, manifest)
  return manifest
}

async function index(registry: MemoryRegistry, children: Manifest[]) {
  const manifest = jsonManifest(OCI_INDEX, {
    manifests: children.map(c => ({ mediaType: c.mediaType, digest: c.digest }))
  })
  await registry.putManifest(IMAGE, manifest.digest, manifest)
  return manifest
}

const tag = (registry: MemoryRegistry, name: string, m: Manifest) =>
  registry.putManifest(IMAGE, name, m)

describe('registryStore: read', () => {
  it.each([
    {
      name: "an earlier index its signature still names: its created is its newest child's",
      seed: async (r: MemoryRegistry) => {
        const latest = await image(r, 'latest', '2026-11-20T00:00:00Z')
        await tag(r, 'latest', latest)
        const amd64 = await image(r, 'amd64', '2026-01-01T00:00:00Z')
        const arm64 = await image(r, 'arm64', '2026-01-02T00:00:00Z')
        const earlier = await index(r, [amd64, arm64])
        await tag(r, tagOf(earlier.digest, '.sig'), await image(r, 'sig'))
        return { [earlier.digest]: '2026-01-02T00:00:00.000Z config' }
      }
    },
    {
      name: 'an untagged image its referrers tag names: its config created',
      seed: async (r: MemoryRegistry) => {
        const orphan = await image(r, 'orphan', '2025-06-01T00:00:00Z')
        await tag(r, tagOf(orphan.digest), await index(r, []))
        return { [orphan.digest]: '2025-06-01T00:00:00.000Z config' }
      }
    },
    {
      name: "a dangling signature whose image is gone: cosign's year 1 is unknown",
      seed: async (r: MemoryRegistry) => {
        const sig = await image(r, 'sig', '0001-01-01T00:00:00Z')
        await tag(r, tagOf(`sha256:${'e'.repeat(64)}`, '.sig'), sig)
        return { [sig.digest]: undefined }
      }
    },
    {
      name: "a reproducible build's orphan (created 1970-01-01T00:00:00Z) its signature names: unknown",
      seed: async (r: MemoryRegistry) => {
        const orphan = await image(r, 'orphan', '1970-01-01T00:00:00Z')
        await tag(r, tagOf(orphan.digest, '.sig'), await image(r, 'sig'))
        return { [orphan.digest]: undefined }
      }
    },
    {
      name: 'an orphan built 2025 whose referrer was written 2026-02: pushed by the referrer',
      seed: async (r: MemoryRegistry) => {
        const orphan = await image(r, 'orphan', '2025-06-01T00:00:00Z')
        const empty = await r.putBlob(IMAGE, jsonBytes({}))
        const referrer = (created: string) =>
          jsonManifest(OCI_MANIFEST, {
            config: {
              mediaType: 'application/vnd.oci.empty.v1+json',
              digest: empty
            },
            layers: [],
            subject: { mediaType: orphan.mediaType, digest: orphan.digest },
            annotations: { 'org.opencontainers.image.created': created }
          })
        const early = referrer('2026-01-01T00:00:00Z')
        const late = referrer('2026-02-01T00:00:00Z')
        for (const m of [early, late]) await r.putManifest(IMAGE, m.digest, m)
        await tag(r, tagOf(orphan.digest), await index(r, [early, late]))
        return { [orphan.digest]: '2026-02-01T00:00:00.000Z referrer' }
      }
    },
    {
      name: "a dangling referrers tag: its artifact's created annotation (the config is {})",
      seed: async (r: MemoryRegistry) => {
        const empty = await r.putBlob(IMAGE, jsonBytes({}))
        const bundle = jsonManifest(OCI_MANIFEST, {
          config: {
            mediaType: 'application/vnd.oci.empty.v1+json',
            digest: empty
          },
          layers: [],
          annotations: {
            'org.opencontainers.image.created': '2026-03-01T10:00:00Z'
          }
        })
        await r.putManifest(IMAGE, bundle.digest, bundle)
        const list = await index(r, [bundle])
        await tag(r, tagOf(`sha256:${'e'.repeat(64)}`), list)
        return { [list.digest]: '2026-03-01T10:00:00.000Z config' }
      }
    },
    {
      name: 'a config that is no JSON object: its age unknown',
      seed: async (r: MemoryRegistry) => {
        const config = await r.putBlob(
          IMAGE,
          new TextEncoder().encode('\x00wasm')
        )
        const m = jsonManifest(OCI_MANIFEST, {
          config: { mediaType: 'application/wasm', digest: config },
          layers: []
        })
        await r.putManifest(IMAGE, m.digest, m)
        await tag(r, tagOf(m.digest, '.sig'), await image(r, 'sig'))
        return { [m.digest]: undefined }
      }
    },
    {
      name: 'an untagged image nothing names: not seen at all',
      seed: async (r: MemoryRegistry) => {
        await tag(r, 'latest', await image(r, 'latest', '2026-11-20T00:00:00Z'))
        await image(r, 'unseen', '2020-01-01T00:00:00Z')
        return {}
      }
    }
  ])('$name', async ({ seed }) => {
    const registry = new MemoryRegistry()
    const expected = await seed(registry)
    const state = await registryStore(registry).read(IMAGE)
    const ages = untaggedImages(state).map(digest => {
      const age = state.manifests[digest].age
      return [digest, age && `${age.time.toISOString()} ${age.source}`]
    })
    expect(Object.fromEntries(ages)).toStrictEqual(expected)
  })
})

describe('registryStore: deleteManifest', () => {
  it('deletes by digest, and every tag of it goes', async () => {
    const registry = new MemoryRegistry()
    const m = await image(registry, 'pr-7')
    await tag(registry, 'pr-7', m)
    await registryStore(registry).deleteManifest(IMAGE, m.digest)
    expect(registry.tagsOf(IMAGE.name)).toStrictEqual({})
  })
})
