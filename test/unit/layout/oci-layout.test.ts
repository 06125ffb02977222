/** Reading an OCI layout from disk: its root, and what it needs in upload order. */
import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { manifestWaves, readLayout } from '../../../src/layout/oci-layout.js'

const root = mkdtempSync(join(tmpdir(), 'dpa-oci-layout-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'
const CONFIG = 'application/vnd.oci.image.config.v1+json'

interface Written {
  mediaType: string
  digest: string
  size: number
}

/** A layout under construction: blobs written by content, index.json last. */
function layout(name: string) {
  const dir = join(root, name)
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true })
  const blob = (mediaType: string, content: string | object): Written => {
    const bytes = Buffer.from(
      typeof content === 'string' ? content : JSON.stringify(content)
    )
    const hex = createHash('sha256').update(bytes).digest('hex')
    writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes)
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length }
  }
  const image = (layers: Written[], config = blob(CONFIG, { n: name })) =>
    blob(MANIFEST, { schemaVersion: 2, mediaType: MANIFEST, config, layers })
  const index = (manifests: Written[]) =>
    blob(INDEX, { schemaVersion: 2, mediaType: INDEX, manifests })
  const roots = (...descriptors: Written[]) =>
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: descriptors })
    )
  return { dir, blob, image, index, roots }
}

describe('readLayout', () => {
  it('lists each blob once, then the child manifests, with the index as root', async () => {
    const l = layout('two-platforms')
    const shared = l.blob(LAYER, 'shared layer')
    const amd = l.image([shared, l.blob(LAYER, 'amd64 layer')])
    const arm = l.image([shared], l.blob(CONFIG, { arch: 'arm64' }))
    const index = l.index([amd, arm])
    l.roots(index)
    const read = await readLayout(l.dir)
    expect(read.root).toMatchObject({ ...index, mediaType: INDEX })
    expect(read.manifests.map(m => m.digest)).toEqual([amd.digest, arm.digest])
    expect(read.blobs.map(b => [b.mediaType, b.size])).toEqual([
      [CONFIG, expect.any(Number)],
      [LAYER, 'shared layer'.length],
      [LAYER, 'amd64 layer'.length],
      [CONFIG, expect.any(Number)]
    ])
    expect(read.blobs[1].path).toBe(
      join(l.dir, 'blobs', 'sha256', shared.digest.slice(7))
    )
  })

  it('takes a single manifest as the root', async () => {
    const l = layout('one-manifest')
    const manifest = l.image([l.blob(LAYER, 'layer')])
    l.roots(manifest)
    const read = await readLayout(l.dir)
    expect([read.root.digest, read.manifests, read.blobs.length]).toEqual([
      manifest.digest,
      [],
      2
    ])
  })

  it("takes buildx 0.29's one entry per tag, all of one image, as that image", async () => {
    const l = layout('entry-per-tag')
    const manifest = l.image([l.blob(LAYER, 'layer')])
    const named = (tag: string) => ({
      ...manifest,
      annotations: { 'org.opencontainers.image.ref.name': tag }
    })
    l.roots(named('1'), named('1.2'), named('1.2.3'))
    const read = await readLayout(l.dir)
    expect(read.root.digest).toBe(manifest.digest)
  })

  it.each([
    {
      name: 'two roots',
      make: (l: ReturnType<typeof layout>) => {
        const m = l.image([])
        l.roots(m, l.image([l.blob(LAYER, 'x')]))
      },
      error: 'index.json names 2 different images, expected 1'
    },
    {
      name: 'a manifest that is not what its digest says',
      make: (l: ReturnType<typeof layout>) => {
        const m = l.image([])
        writeFileSync(join(l.dir, 'blobs', 'sha256', m.digest.slice(7)), '{}')
        l.roots(m)
      },
      error: 'does not match its file'
    },
    {
      name: 'a missing blob',
      make: (l: ReturnType<typeof layout>) => {
        const layer = {
          mediaType: LAYER,
          digest: `sha256:${'a'.repeat(64)}`,
          size: 3
        }
        l.roots(l.image([layer]))
      },
      error: `blob sha256:${'a'.repeat(64)} is missing`
    },
    {
      name: 'a blob of another size than its descriptor',
      make: (l: ReturnType<typeof layout>) => {
        const layer = { ...l.blob(LAYER, 'four'), size: 5 }
        l.roots(l.image([layer]))
      },
      error: 'has 4 bytes, its descriptor says 5'
    },
    {
      name: 'a digest that is no sha256 (no path out of blobs/)',
      make: (l: ReturnType<typeof layout>) =>
        l.roots({ mediaType: MANIFEST, digest: 'sha256:../../x', size: 1 }),
      error: 'unsupported digest "sha256:../../x"'
    }
  ])('refuses $name', async ({ make, error }) => {
    const l = layout(`bad-${Math.random().toString(36).slice(2)}`)
    make(l)
    await expect(readLayout(l.dir)).rejects.toThrow(error)
  })
})

describe('manifestWaves', () => {
  const digests = (waves: { digest: string }[][]) =>
    waves.map(wave => wave.map(m => m.digest))

  it.each([
    {
      name: "an index's platforms and attestation: one wave",
      make: (l: ReturnType<typeof layout>) => {
        const amd = l.image([l.blob(LAYER, 'amd')])
        const arm = l.image([l.blob(LAYER, 'arm')])
        const attestation = l.image([l.blob(LAYER, 'in-toto')])
        l.roots(l.index([amd, arm, attestation]))
        return [[amd, arm, attestation]]
      }
    },
    {
      name: 'an index inside the index: its children one wave before it',
      make: (l: ReturnType<typeof layout>) => {
        const amd = l.image([l.blob(LAYER, 'nested amd')])
        const nested = l.index([amd])
        const arm = l.image([l.blob(LAYER, 'nested arm')])
        l.roots(l.index([nested, arm]))
        return [[amd, arm], [nested]]
      }
    },
    {
      name: 'a single manifest: no wave',
      make: (l: ReturnType<typeof layout>) => {
        l.roots(l.image([l.blob(LAYER, 'only')]))
        return []
      }
    }
  ])('$name', async ({ make }) => {
    const l = layout(`waves-${Math.random().toString(36).slice(2)}`)
    const expected = make(l)
    const read = await readLayout(l.dir)
    expect(digests(manifestWaves(read.manifests))).toEqual(digests(expected))
  })
})
