/** An image in a MemoryRegistry whose layers the held-layers reads find (layout/held-layers.ts). */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { Image } from '../../src/reference/images.js'
import { sha256Digest } from '../../src/reference/grammar.js'
import type { MemoryRegistry } from './memory-registry.js'

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const encode = (value: unknown) => Buffer.from(JSON.stringify(value))

/** A layer's uncompressed digest, as an image config's diff_ids name it. */
export const diffId = (layer: Buffer): string =>
  `sha256:${createHash('sha256').update(layer).digest('hex')}`

/**
 * `image` under `tag`: these layers gzipped at `level` (or said to be of `mediaTypes`), its config
 * naming their diff_ids; each gzipped blob's digest and size.
 */
export async function pushHeldImage(
  registry: MemoryRegistry,
  image: Image,
  layers: Buffer[],
  tag: string,
  {
    mediaTypes = layers.map(() => GZIP),
    level
  }: { mediaTypes?: string[]; level?: number } = {}
): Promise<{ digest: string; size: number }[]> {
  const gzipped = layers.map(
    layer => new Uint8Array(gzipSync(layer, { level }))
  )
  const config = encode({ rootfs: { diff_ids: layers.map(diffId) } })
  await registry.putBlob(image, config)
  for (const blob of gzipped) await registry.putBlob(image, blob)
  const manifest = encode({
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { digest: sha256Digest(config), size: config.length },
    layers: gzipped.map((blob, i) => ({
      mediaType: mediaTypes[i],
      digest: sha256Digest(blob),
      size: blob.length
    }))
  })
  await registry.putManifest(image, tag, {
    mediaType: MANIFEST,
    digest: sha256Digest(manifest),
    body: new Uint8Array(manifest)
  })
  return gzipped.map(blob => ({
    digest: sha256Digest(blob),
    size: blob.length
  }))
}
