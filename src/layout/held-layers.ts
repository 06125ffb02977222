/**
 * The gzipped layers a registry already holds for the image's cache tags,
 * by their uncompressed digest (the config's diff_ids): a classic-store
 * save names these instead of gzipping the same bytes again, as buildx's
 * push does for the layers its cache import brought; an exported layout is
 * seeded with them, so buildx does not write them out.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Image } from '../reference/images.js'
import { isSha256Digest } from '../reference/grammar.js'
import type { RegistryClient } from '../registry/client.js'
import {
  GZIPPED_LAYERS,
  imageEntries,
  parseManifestJson,
  type ManifestJson
} from '../registry/manifest.js'
import { imageConfig } from '../registry/image-labels.js'

/** A layer in the registry: its gzipped blob, and the image it is in. */
interface HeldLayer {
  digest: string
  size: number
  from: Image
}

/** Uncompressed digest (hex) → the registry's gzipped blob of it. */
export type HeldLayers = ReadonlyMap<string, HeldLayer>

/** Layers the layout names but does not hold: gzipped digest → the image that has it. */
export type BorrowedLayers = Map<string, Image>

const GZIP_LAYERS = new Set(Object.values(GZIPPED_LAYERS))

type Reader = Pick<RegistryClient, 'getManifest' | 'getBlob'>

/** The held layers of `image` under `tags`; what cannot be read is left out. */
export async function readHeldLayers(
  client: Reader,
  image: Image,
  tags: readonly string[]
): Promise<HeldLayers> {
  const held = new Map<string, HeldLayer>()
  const manifests = await Promise.all(
    tags.map(tag => platformManifests(client, image, tag).catch(() => []))
  )
  for (const json of manifests.flat()) {
    const diffIds = await imageConfig(client, image, json).then(
      config => config?.rootfs?.diff_ids ?? [],
      () => []
    )
    const layers = json.layers ?? []
    if (diffIds.length !== layers.length) continue
    layers.forEach((layer, i) => {
      const hex = diffIds[i].replace(/^sha256:/, '')
      if (GZIP_LAYERS.has(layer.mediaType) && !held.has(hex))
        held.set(hex, { digest: layer.digest, size: layer.size, from: image })
    })
  }
  return held
}

/** The image manifests a tag names: itself, or its index's platforms (attestations left out). */
async function platformManifests(
  client: Reader,
  image: Image,
  tag: string
): Promise<ManifestJson[]> {
  const manifest = await client.getManifest(image, tag)
  if (manifest === undefined) return []
  const json = parseManifestJson(manifest)
  if (json.manifests === undefined) return [json]
  const read = await Promise.all(
    imageEntries(json).map(child => client.getManifest(image, child.digest))
  )
  return read.flatMap(m => (m ? [parseManifestJson(m)] : []))
}

/**
 * An empty file in `layoutDir`'s blobs for each held layer, made while buildx exports there:
 * BuildKit's OCI exporter writes no blob the layout already has (containerd's local store answers
 * "already exists"), so a layer the registry holds is not copied out of the builder. A blob buildx
 * wrote first is left as it is.
 */
export async function seedHeldLayers(
  layoutDir: string,
  held: HeldLayers | undefined
): Promise<BorrowedLayers> {
  const seeded: BorrowedLayers = new Map()
  if (held === undefined || held.size === 0) return seeded
  const blobs = blobsOf(layoutDir)
  await mkdir(blobs, { recursive: true })
  const named = [...held.values()].filter(layer => isSha256Digest(layer.digest))
  await Promise.all(
    named.map(({ digest, from }) =>
      writeFile(join(blobs, digest.slice(7)), '', { flag: 'wx' }).then(
        () => void seeded.set(digest, from),
        () => undefined
      )
    )
  )
  return seeded
}

/**
 * The seeds still empty once the image is exported: those BuildKit did not write, which the
 * registry holds. A seed buildx wrote over, or a retried build's clean start removed, is a blob of
 * the layout like any other.
 */
export async function stillSeeded(
  layoutDir: string,
  seeded: BorrowedLayers
): Promise<BorrowedLayers> {
  const empty = await Promise.all(
    [...seeded.keys()].map(digest =>
      stat(join(blobsOf(layoutDir), digest.slice(7))).then(
        onDisk => onDisk.size === 0,
        () => false
      )
    )
  )
  return new Map([...seeded].filter((_, i) => empty[i]))
}

const blobsOf = (layoutDir: string) => join(layoutDir, 'blobs', 'sha256')
