/**
 * A classic-store save names the gzipped layers the registry already holds
 * for the image's cache tags instead of compressing them again; the upload
 * sends nothing for them where the repository has them, mounts them where
 * another repository of the registry does, and fetches their bytes only
 * where the registry will not mount. The stack's e2e (cache-auto) pushes a
 * second commit so and pulls it.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  readHeldLayers,
  seedHeldLayers,
  stillSeeded
} from '../../../src/layout/held-layers.js'
import { writeCompressedLayout } from '../../../src/layout/saved-image.js'
import { readLayout } from '../../../src/layout/oci-layout.js'
import { uploadLayout } from '../../../src/layout/layout-upload.js'
import { parseImageName } from '../../../src/reference/images.js'
import { sha256Digest } from '../../../src/reference/grammar.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { diffId, pushHeldImage } from '../../support/held-image.js'
import { savedTar } from '../../support/saved-tar.js'

const root = mkdtempSync(join(tmpdir(), 'dpa-held-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const IMAGE = parseImageName('registry.test/acme/app')
const OTHER = parseImageName('registry.test/acme/other')
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd'
const encode = (value: unknown) => Buffer.from(JSON.stringify(value))

const pushed = (
  registry: MemoryRegistry,
  layers: Buffer[],
  tag: string,
  mediaTypes?: string[]
) => pushHeldImage(registry, IMAGE, layers, tag, { mediaTypes })

describe('readHeldLayers', () => {
  it('maps each gzipped layer of the cache tags by its diff_id; a missing tag and zstd layers are left out', async () => {
    const registry = new MemoryRegistry()
    const layers = [randomBytes(3000), randomBytes(2000)]
    const gzipped = await pushed(registry, layers, 'main', [GZIP, ZSTD])
    const held = await readHeldLayers(registry, IMAGE, ['feature', 'main'])
    expect([...held.entries()]).toEqual([
      [diffId(layers[0]).slice(7), { ...gzipped[0], from: IMAGE }]
    ])
  })
})

describe('a save with held layers', () => {
  it('names the registry blob of a held layer, writes no file for it, and gzips the rest', async () => {
    const registry = new MemoryRegistry()
    const layers = [randomBytes(40_000), randomBytes(10_000)]
    const [held] = await pushed(registry, layers.slice(0, 1), 'main')
    const dir = join(root, 'save')
    const borrowed = await writeCompressedLayout(savedTar(layers).tar, dir, {
      held: await readHeldLayers(registry, IMAGE, ['main'])
    })
    expect([...borrowed]).toEqual([[held.digest, IMAGE]])
    const layout = await readLayout(dir, borrowed)
    const manifest = JSON.parse(Buffer.from(layout.root.body).toString()) as {
      layers: { mediaType: string; digest: string; size: number }[]
    }
    expect(manifest.layers[0]).toEqual({ mediaType: GZIP, ...held })
    expect(manifest.layers[1].digest).not.toBe(held.digest)
    expect(existsSync(join(dir, 'blobs/sha256', held.digest.slice(7)))).toBe(
      false
    )
    await expect(readLayout(dir)).rejects.toThrow(
      `blob ${held.digest} is missing`
    )
  })
})

describe('the upload of a layout with held layers', () => {
  async function saved(registry: MemoryRegistry, name: string) {
    const layers = [randomBytes(40_000), randomBytes(10_000)]
    const [held] = await pushed(registry, layers.slice(0, 1), 'main')
    const dir = join(root, name)
    const borrowed = await writeCompressedLayout(savedTar(layers).tar, dir, {
      held: await readHeldLayers(registry, IMAGE, ['main'])
    })
    return { layout: await readLayout(dir, borrowed), held, dir }
  }

  it('sends nothing for a held layer into the repository that holds it', async () => {
    const registry = new MemoryRegistry()
    const { layout, held } = await saved(registry, 'same')
    const result = await uploadLayout(registry, layout, IMAGE)
    expect(result.bytes.present).toBe(held.size)
    expect(registry.calls.join('\n')).not.toContain('into a file')
  })

  it('mounts it into another repository of the registry', async () => {
    const registry = new MemoryRegistry()
    const { layout, held } = await saved(registry, 'mount')
    const result = await uploadLayout(registry, layout, OTHER)
    expect(result.bytes.mounted).toBe(held.size)
    expect(registry.calls.join('\n')).not.toContain('into a file')
  })

  it('fetches its bytes where the registry will not mount, and sends them as they are', async () => {
    const registry = new MemoryRegistry()
    registry.refusesMounts = true
    const { layout, held } = await saved(registry, 'fetch')
    const result = await uploadLayout(registry, layout, OTHER)
    expect(result.bytes.uploaded).toBeGreaterThanOrEqual(held.size)
    const sent = registry.repositories.get(OTHER.name)?.blobs.get(held.digest)
    expect(sent && sha256Digest(sent)).toBe(held.digest)
  })

  it('fails naming the layer when the image no longer holds it', async () => {
    const registry = new MemoryRegistry()
    registry.refusesMounts = true
    const { layout, held } = await saved(registry, 'gone')
    registry.repositories.get(IMAGE.name)?.blobs.delete(held.digest)
    await expect(uploadLayout(registry, layout, OTHER)).rejects.toThrow(
      `${IMAGE.name} no longer holds layer ${held.digest}`
    )
  })
})

describe('an exported layout seeded with held layers', () => {
  const layer = (digest: string) => ({ digest, size: 9, from: IMAGE })
  const A = `sha256:${'a'.repeat(64)}`
  const B = `sha256:${'b'.repeat(64)}`
  it.each([
    {
      name: 'an empty file for each held layer, each borrowed',
      held: [A, B],
      written: [],
      borrowed: [A, B]
    },
    {
      name: 'a blob buildx wrote first is kept as written, not borrowed',
      held: [A, B],
      written: [B],
      borrowed: [A]
    },
    {
      name: 'a digest that is no sha256 names no file',
      held: ['sha256:../../escape', A],
      written: [],
      borrowed: [A]
    }
  ])('$name', async ({ held, written, borrowed }) => {
    const dir = mkdtempSync(join(root, 'seed-'))
    const blobs = join(dir, 'blobs', 'sha256')
    mkdirSync(blobs, { recursive: true })
    for (const digest of written)
      writeFileSync(join(blobs, digest.slice(7)), 'bytes')
    const seeded = await seedHeldLayers(
      dir,
      new Map(held.map((digest, i) => [String(i), layer(digest)]))
    )
    expect([...seeded.keys()].sort()).toEqual(borrowed)
    for (const digest of borrowed)
      expect(readFileSync(join(blobs, digest.slice(7)), 'utf8')).toBe('')
    for (const digest of written)
      expect(readFileSync(join(blobs, digest.slice(7)), 'utf8')).toBe('bytes')
    expect(existsSync(join(dir, 'escape'))).toBe(false)
  })

  it.each([
    { name: 'a seed left empty is still borrowed', after: '', kept: true },
    {
      name: 'a seed buildx wrote over is a blob of its own',
      after: 'bytes',
      kept: false
    },
    {
      name: "a seed a retried build's clean start removed is not borrowed",
      after: undefined,
      kept: false
    }
  ])('$name', async ({ after, kept }) => {
    const dir = mkdtempSync(join(root, 'still-'))
    const A = `sha256:${'c'.repeat(64)}`
    const seeded = await seedHeldLayers(dir, new Map([['0', layer(A)]]))
    const path = join(dir, 'blobs', 'sha256', A.slice(7))
    if (after === undefined) rmSync(path)
    else writeFileSync(path, after)
    expect([...(await stillSeeded(dir, seeded)).keys()]).toEqual(
      kept ? [A] : []
    )
  })

  it('uploads a borrowed layer the repository lacks from the image that holds it, not its seed', async () => {
    const registry = new MemoryRegistry()
    registry.refusesMounts = true
    const layers = [randomBytes(40_000)]
    const [held] = await pushed(registry, layers, 'main')
    const dir = join(root, 'seeded')
    const borrowed = await seedHeldLayers(
      dir,
      await readHeldLayers(registry, IMAGE, ['main'])
    )
    // the exported image names the held layer; buildx wrote its config and manifest only
    const config = encode({ rootfs: { diff_ids: layers.map(diffId) } })
    const manifest = encode({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { digest: sha256Digest(config), size: config.length },
      layers: [{ mediaType: GZIP, ...held }]
    })
    const blobs = join(dir, 'blobs', 'sha256')
    for (const blob of [config, manifest])
      writeFileSync(join(blobs, sha256Digest(blob).slice(7)), blob)
    writeFileSync(
      join(dir, 'index.json'),
      encode({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: sha256Digest(manifest),
            size: manifest.length
          }
        ]
      })
    )
    const layout = await readLayout(dir, borrowed)
    await uploadLayout(registry, layout, OTHER)
    const sent = registry.repositories.get(OTHER.name)?.blobs.get(held.digest)
    expect(sent && sha256Digest(sent)).toBe(held.digest)
  })
})
