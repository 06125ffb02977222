/** What `load: true` hands the engine: the uploaded layout, named for both image stores. */
import { describe, expect, it } from '@jest/globals'
import { classicManifest, namedIndex } from '../../../src/layout/image-load.js'
import type { OciLayout } from '../../../src/layout/oci-layout.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const hex = (c: string) => c.repeat(64)
const digest = (c: string) => `sha256:${hex(c)}`
const body = (value: object) =>
  new Uint8Array(Buffer.from(JSON.stringify(value)))

const image = (config: string, layers: string[]) => ({
  mediaType: MANIFEST,
  config: { digest: digest(config) },
  layers: layers.map(layer => ({ digest: digest(layer) }))
})

const AMD = { ...image('a', ['1', '2']), digest: digest('d') }
const ARM = { ...image('b', ['3']), digest: digest('e') }
const ATTESTATION = { ...image('c', ['4']), digest: digest('f') }

/** A layout of an index: amd64, arm64 and an attestation (unknown/unknown). */
const TWO_PLATFORMS: OciLayout = {
  root: {
    mediaType: INDEX,
    digest: digest('9'),
    size: 300,
    body: body({
      manifests: [
        {
          digest: ATTESTATION.digest,
          platform: { os: 'unknown', architecture: 'unknown' }
        },
        {
          digest: ARM.digest,
          platform: { os: 'linux', architecture: 'arm64' }
        },
        { digest: AMD.digest, platform: { os: 'linux', architecture: 'amd64' } }
      ]
    })
  },
  blobs: [],
  manifests: [ATTESTATION, ARM, AMD].map(m => ({
    mediaType: MANIFEST,
    digest: m.digest,
    size: 100,
    body: body(m)
  }))
}

const ONE_MANIFEST: OciLayout = {
  root: { mediaType: MANIFEST, digest: AMD.digest, size: 100, body: body(AMD) },
  blobs: [],
  manifests: []
}

const REFS = ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:1']

describe('namedIndex: containerd reads one name per entry', () => {
  it('names the root once per reference, with its tag', () => {
    expect(namedIndex(TWO_PLATFORMS, REFS).manifests).toEqual(
      REFS.map((ref, i) => ({
        mediaType: INDEX,
        digest: digest('9'),
        size: 300,
        annotations: {
          'io.containerd.image.name': ref,
          'org.opencontainers.image.ref.name': ['1.2.3', '1'][i]
        }
      }))
    )
  })
})

describe("classicManifest: the classic store's loader takes one platform", () => {
  it.each([
    {
      name: 'a single manifest: its config and layers',
      layout: ONE_MANIFEST,
      arch: 'x64',
      config: 'a',
      layers: ['1', '2']
    },
    {
      name: "an index: this machine's architecture (x64 is amd64)",
      layout: TWO_PLATFORMS,
      arch: 'x64',
      config: 'a',
      layers: ['1', '2']
    },
    {
      name: 'an index on arm64: the arm64 image',
      layout: TWO_PLATFORMS,
      arch: 'arm64',
      config: 'b',
      layers: ['3']
    },
    {
      name: 'an index without this architecture: its first image, never the attestation',
      layout: TWO_PLATFORMS,
      arch: 's390x',
      config: 'b',
      layers: ['3']
    }
  ])('$name', ({ layout, arch, config, layers }) => {
    expect(classicManifest(layout, REFS, arch)).toEqual([
      {
        Config: `blobs/sha256/${hex(config)}`,
        RepoTags: REFS,
        Layers: layers.map(layer => `blobs/sha256/${hex(layer)}`)
      }
    ])
  })
})
