/**
 * An OCI layout on disk, read for an upload: its root and what it needs, in
 * upload order; blobs only sized (the registry checks their digests).
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isSha256Digest, sha256Digest } from '../reference/grammar.js'
import type { Image } from '../reference/images.js'
import {
  INDEX_TYPES,
  MANIFEST_TYPES,
  parseManifestJson,
  type Manifest,
  type ManifestJson,
  type OciDescriptor
} from '../registry/manifest.js'

type Descriptor = Pick<OciDescriptor, 'mediaType' | 'digest' | 'size'>

/** A blob of the layout (a config, a layer): where it is on disk. */
export interface LayoutBlob extends Descriptor {
  path: string
  /** Not in the layout: this image of the registry holds it (a save's held layer). */
  from?: Image
}

/** A manifest or index of the layout, its bytes read and verified. */
type LayoutManifest = Manifest & Descriptor

export interface OciLayout {
  /** What index.json names: the image to publish. */
  root: LayoutManifest
  /** Every blob the root needs, each once, in the order they are first named. */
  blobs: LayoutBlob[]
  /** The manifests below the root, each after the manifests it names. */
  manifests: LayoutManifest[]
}

/** Registries refuse manifests over 4 MiB; a bigger file is no manifest. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

class LayoutError extends Error {
  constructor(dir: string, detail: string) {
    super(`OCI layout ${dir}: ${detail}`)
    this.name = 'LayoutError'
  }
}

/**
 * Reads the layout in `dir`: its root and what the root needs (`borrowed` blobs not in it). `root`
 * names it where index.json is not written yet (buildx writes it once the build ended).
 */
export async function readLayout(
  dir: string,
  borrowed: ReadonlyMap<string, Image> = new Map(),
  root?: string
): Promise<OciLayout> {
  const top =
    root === undefined ? await indexRoot(dir) : await blobRoot(dir, root)
  const walk: LayoutWalk = {
    dir,
    borrowed,
    blobs: [],
    manifests: [],
    seen: new Set()
  }
  const read = await readManifest(walk, top)
  return { root: read, blobs: walk.blobs, manifests: walk.manifests }
}

/** The one image index.json names. */
async function indexRoot(dir: string): Promise<Descriptor> {
  const index = parseJson(
    dir,
    'index.json',
    await readFile(join(dir, 'index.json')).catch(() => {
      throw new LayoutError(dir, 'no index.json')
    })
  )
  // buildx 0.29 names each tag in an entry of its own, all of one image
  const roots = [
    ...new Map((index.manifests ?? []).map(d => [d.digest, d])).values()
  ]
  if (roots.length !== 1)
    throw new LayoutError(
      dir,
      `index.json names ${roots.length} different images, expected 1`
    )
  return roots[0]
}

/** The root by its digest: its size on disk, its media type its own (readManifest checks both). */
async function blobRoot(dir: string, digest: string): Promise<Descriptor> {
  const descriptor = { digest, mediaType: '', size: 0 }
  const onDisk = await stat(pathOf(dir, descriptor)).catch(() => {
    throw new LayoutError(dir, `manifest ${digest} is missing`)
  })
  return { ...descriptor, size: onDisk.size }
}

/** What a walk of a layout has found so far. */
interface LayoutWalk {
  dir: string
  borrowed: ReadonlyMap<string, Image>
  blobs: LayoutBlob[]
  manifests: LayoutManifest[]
  seen: Set<string>
}

/** A manifest or index of the layout, checked against its descriptor, and what it names. */
async function readManifest(
  walk: LayoutWalk,
  descriptor: Descriptor
): Promise<LayoutManifest> {
  const { dir } = walk
  const path = pathOf(dir, descriptor)
  if (descriptor.size > MAX_MANIFEST_BYTES)
    throw new LayoutError(dir, `manifest ${descriptor.digest} too big`)
  const body = new Uint8Array(await readFile(path))
  const digest = sha256Digest(body)
  if (digest !== descriptor.digest || body.length !== descriptor.size)
    throw new LayoutError(
      dir,
      `manifest ${descriptor.digest} does not match its file (${digest}, ${body.length} bytes)`
    )
  const json = parseJson(dir, descriptor.digest, body)
  const mediaType = json.mediaType ?? descriptor.mediaType
  if (INDEX_TYPES.has(mediaType)) {
    for (const entry of json.manifests ?? []) {
      if (walk.seen.has(entry.digest)) continue
      walk.seen.add(entry.digest)
      walk.manifests.push(await readManifest(walk, entry))
    }
  } else if (MANIFEST_TYPES.has(mediaType)) {
    if (json.config === undefined)
      throw new LayoutError(dir, `manifest ${digest} has no config`)
    for (const named of [json.config, ...(json.layers ?? [])])
      await visitBlob(walk, named)
  } else {
    throw new LayoutError(
      dir,
      `${digest} has media type ${JSON.stringify(mediaType)}, not an image manifest or index`
    )
  }
  return { mediaType, digest, size: body.length, body }
}

async function visitBlob(
  walk: LayoutWalk,
  descriptor: Descriptor
): Promise<void> {
  const { dir, seen, blobs } = walk
  const { mediaType, digest, size } = descriptor
  if (seen.has(digest)) return
  seen.add(digest)
  const path = pathOf(dir, descriptor)
  const from = walk.borrowed.get(digest)
  if (from !== undefined) {
    blobs.push({ mediaType, digest, size, path, from })
    return
  }
  const onDisk = await stat(path).then(
    found => found.size,
    () => undefined
  )
  if (onDisk !== size)
    throw new LayoutError(
      dir,
      onDisk === undefined
        ? `blob ${digest} is missing`
        : `blob ${digest} has ${onDisk} bytes, its descriptor says ${size}`
    )
  blobs.push({ mediaType, digest, size, path })
}

function pathOf(dir: string, descriptor: Descriptor): string {
  if (!isSha256Digest(descriptor.digest))
    throw new LayoutError(
      dir,
      `unsupported digest ${JSON.stringify(descriptor.digest)}`
    )
  return join(dir, 'blobs', 'sha256', descriptor.digest.slice(7))
}

/** Whether the root index holds buildx's attestation manifests (provenance, SBOM). */
export function carriesAttestations(layout: OciLayout): boolean {
  // readLayout parsed every manifest it holds: none fails to parse here
  const { manifests = [] } = parseManifestJson(layout.root)
  return manifests.some(
    entry =>
      entry.annotations?.['vnd.docker.reference.type'] ===
        'attestation-manifest' || entry.platform?.os === 'unknown'
  )
}

/**
 * The manifests below the root in waves put at once each: a manifest comes after the last of those
 * it names.
 */
export function manifestWaves(
  manifests: readonly LayoutManifest[]
): LayoutManifest[][] {
  const wave = new Map<string, number>()
  const waves: LayoutManifest[][] = []
  // children come before their parents (readLayout's order)
  for (const manifest of manifests) {
    const named = parseManifestJson(manifest).manifests ?? []
    const after = named.map(child => wave.get(child.digest) ?? -1)
    const at = Math.max(-1, ...after) + 1
    wave.set(manifest.digest, at)
    ;(waves[at] ??= []).push(manifest)
  }
  return waves
}

function parseJson(dir: string, what: string, bytes: Uint8Array): ManifestJson {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as ManifestJson
  } catch {
    throw new LayoutError(dir, `${what} is not JSON`)
  }
}
