/**
 * An image of the classic image store as an OCI layout with gzipped layers.
 * The classic store refuses buildx's `type=oci` output; `docker save`
 * (Docker 25+) writes an OCI layout tar, with uncompressed layers: each is
 * gzipped on its way to disk (never whole in memory), and the manifests and
 * index rewritten to name the gzipped layers.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { gzipChunks } from './block-gzip.js'
import {
  GZIPPED_LAYERS,
  INDEX_TYPES,
  type ManifestJson,
  type OciDescriptor as Descriptor
} from '../registry/manifest.js'
import { sha256Digest } from '../reference/grammar.js'
import { tap } from '../registry/client.js'
import { engineSave } from '../docker/engine-api.js'
import type { DockerRunner } from '../docker/runner.js'
import type { BorrowedLayers, HeldLayers } from './held-layers.js'

const BLOB_ENTRY = /^blobs\/sha256\/([a-f0-9]{64})$/
/** index.json and the manifests are small; more is no docker save. */
const MAX_JSON_BYTES = 4 * 1024 * 1024

interface SaveOptions {
  engineSocket?: string
  /** Layers the registry holds gzipped: named, not written (their blobs stay in the registry). */
  held?: HeldLayers
}

/**
 * `docker save <image>` into `dir` as an OCI layout with gzipped layers:
 * over the engine's socket where it answers (no docker process: 50-60 ms
 * saved, more on a busy runner), else by the docker CLI.
 */
export async function saveImageLayout(
  docker: DockerRunner,
  image: string,
  dir: string,
  options: SaveOptions = {}
): Promise<BorrowedLayers> {
  const { engineSocket } = options
  let borrowed: BorrowedLayers = new Map()
  const write = async (tar: Readable) => {
    borrowed = await writeCompressedLayout(tar, dir, options)
  }
  if (
    engineSocket !== undefined &&
    (await engineSave(engineSocket, image, write))
  )
    return borrowed
  await docker.run(['save', image], { quiet: true, stdout: write })
  return borrowed
}

/** Reads a `docker save` tar and writes the layout with gzipped layers into `dir`. */
export async function writeCompressedLayout(
  tar: Readable,
  dir: string,
  { held = new Map() }: Pick<SaveOptions, 'held'> = {}
): Promise<BorrowedLayers> {
  const blobs = new SavedBlobs(join(dir, 'blobs', 'sha256'), held)
  await mkdir(blobs.dir, { recursive: true })
  // loaded here: only a classic-store build reads docker save; a CommonJS
  // package, so its exports are the default in the ESM CLI's chunk too
  const { default: tarStream } = await import('tar-stream')
  const entries = tarStream.extract()
  tar.on('error', error => entries.destroy(error))
  tar.pipe(entries)
  let index: Buffer | undefined
  for await (const entry of entries) {
    const stream = entry as unknown as Readable
    const blob = BLOB_ENTRY.exec(entry.header.name)
    if (entry.header.type !== 'file') stream.resume()
    else if (blob !== null) await blobs.take(blob[1], stream)
    else if (entry.header.name === 'index.json') index = await readIndex(stream)
    else stream.resume()
  }
  if (index === undefined)
    throw new Error(
      'docker save wrote no index.json (Docker 25 or later needed)'
    )
  const json = parse(index, 'index.json')
  json.manifests = await Promise.all(
    (json.manifests ?? []).map(root => blobs.rewrite(root))
  )
  await writeFile(join(dir, 'index.json'), JSON.stringify(json))
  await writeFile(
    join(dir, 'oci-layout'),
    JSON.stringify({ imageLayoutVersion: '1.0.0' })
  )
  return blobs.borrowed
}

/** The blobs of the saved tar on disk: JSON kept as it is, the rest gzipped. */
class SavedBlobs {
  /** Uncompressed digest → the gzipped blob's descriptor fields. */
  private readonly gzipped = new Map<string, { digest: string; size: number }>()
  readonly borrowed: BorrowedLayers = new Map()

  constructor(
    readonly dir: string,
    private readonly held: HeldLayers
  ) {}

  /**
   * Takes one blob of the tar. Layers come before the manifests that say
   * they are layers, so a blob is judged by its first bytes: JSON and a
   * layer already compressed (the containerd store saves them so) are kept,
   * anything else gzipped. A layer that starts with "{" is gzipped later.
   */
  async take(hex: string, stream: Readable): Promise<void> {
    const held = this.held.get(hex)
    if (held !== undefined) {
      // docker save names each layer by its diff_id: the registry's gzip of it is named instead
      await finished(stream.resume())
      this.gzipped.set(hex, { digest: held.digest, size: held.size })
      this.borrowed.set(held.digest, held.from)
      return
    }
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
    const first = await chunks.next()
    const body = Readable.from(prepend(first, chunks))
    if (first.done || keptAsItIs(first.value))
      await pipeline(body, createWriteStream(join(this.dir, hex)))
    else await this.gzip(hex, body)
  }

  /** A manifest or index with every uncompressed layer swapped for its gzip: its new descriptor. */
  async rewrite(descriptor: Descriptor): Promise<Descriptor> {
    const hex = descriptor.digest.replace(/^sha256:/, '')
    const json = parse(await readFile(join(this.dir, hex)), descriptor.digest)
    const mediaType = json.mediaType ?? descriptor.mediaType
    if (INDEX_TYPES.has(mediaType) && json.manifests !== undefined)
      json.manifests = await Promise.all(
        json.manifests.map(child => this.rewrite(child))
      )
    else if (json.layers !== undefined)
      json.layers = await Promise.all(json.layers.map(l => this.layer(l)))
    const body = Buffer.from(JSON.stringify(json))
    const digest = sha256Digest(body)
    await writeFile(join(this.dir, digest.slice(7)), body)
    return { ...descriptor, digest, size: body.length }
  }

  private async layer(descriptor: Descriptor): Promise<Descriptor> {
    const mediaType = GZIPPED_LAYERS[descriptor.mediaType]
    if (mediaType === undefined) return descriptor
    const hex = descriptor.digest.replace(/^sha256:/, '')
    let gzipped = this.gzipped.get(hex)
    if (gzipped === undefined) {
      // kept as JSON by its first byte: gzipped from disk now
      const file = join(this.dir, hex)
      await this.gzip(hex, Readable.from([await readFile(file)]))
      await rm(file)
      gzipped = this.gzipped.get(hex)
    }
    return { ...descriptor, mediaType, ...gzipped }
  }

  /** Gzips a layer to its own digest's name, checking the uncompressed digest on the way. */
  private async gzip(hex: string, body: Readable): Promise<void> {
    const raw = createHash('sha256')
    const packed = createHash('sha256')
    let size = 0
    const temporary = join(this.dir, `${hex}.partial`)
    await pipeline(
      body,
      tap(raw),
      gzipChunks,
      tap(packed, bytes => (size += bytes)),
      createWriteStream(temporary)
    )
    if (raw.digest('hex') !== hex)
      throw new Error(`docker save: blob ${hex} does not match its digest`)
    const digest = `sha256:${packed.digest('hex')}`
    await rename(temporary, join(this.dir, digest.slice(7)))
    this.gzipped.set(hex, { digest, size })
  }
}

const GZIP_MAGIC = [0x1f, 0x8b]
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

/** JSON, or a blob already gzip or zstd compressed. */
function keptAsItIs(head: Buffer): boolean {
  const startsWith = (magic: number[]) => magic.every((b, i) => head[i] === b)
  return head[0] === 0x7b || startsWith(GZIP_MAGIC) || startsWith(ZSTD_MAGIC)
}

async function* prepend(
  first: IteratorResult<Buffer>,
  rest: AsyncIterator<Buffer>
): AsyncGenerator<Buffer> {
  if (first.done) return
  yield first.value
  for (let next = await rest.next(); !next.done; next = await rest.next())
    yield next.value
}

async function readIndex(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    size += (chunk as Buffer).length
    if (size > MAX_JSON_BYTES)
      throw new Error('docker save: index.json too big')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function parse(bytes: Buffer, what: string): ManifestJson {
  try {
    return JSON.parse(bytes.toString('utf8')) as ManifestJson
  } catch {
    throw new Error(`docker save: ${what} is not JSON`)
  }
}
