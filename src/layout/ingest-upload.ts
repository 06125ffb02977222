/**
 * Big blobs uploaded while buildx still writes the layout: its OCI exporter
 * grows `<layout>/ingest/<key>/data`, `ref` names it (`layer-sha256:<hex>`),
 * `total` is its size, and when whole it moves to `blobs/sha256/`. Each chunk
 * is sent once on disk. Best effort, never failing a run: the registry checks
 * the digest, and the layout's upload sends what is missing.
 */
import type { Image } from '../reference/images.js'
import { link, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { RegistryClient } from '../registry/client.js'
import { sumBytes } from './layout-upload.js'

/** Blobs smaller than this are left to the layout's upload. */
const EARLY_MIN_BYTES = 16 * 1024 * 1024
/** Chunks of an early upload: sent once they are wholly on disk. */
const EARLY_CHUNK_BYTES = 16 * 1024 * 1024
const POLL_MS = 50

const INGEST_REF = /^[a-z-]+-(sha256:[a-f0-9]{64})$/

interface Growing {
  digest: string
  size: number
  /** A hard link to the ingest file: the same bytes after buildx renames it. */
  path: string
}

/**
 * Watches the layout's ingests; the function returned is called once the export ended (done or
 * failed): it waits for the uploads and returns the digests that got in.
 */
export function uploadWhileExported(
  client: RegistryClient,
  layoutDir: string,
  image: Image,
  /** Told the bytes sent so far of the blobs found so far, and their total. */
  onProgress?: (sent: number, total: number) => void
): () => Promise<Set<string>> {
  const linksDir = `${layoutDir}-early`
  const seen = new Set<string>()
  const sent = new Map<string, number>()
  const sizes = new Map<string, number>()
  const report = (digest: string, bytes: number) => {
    sent.set(digest, bytes)
    onProgress?.(sumBytes(sent), sumBytes(sizes))
  }
  const uploads: Promise<string | undefined>[] = []
  let exported = false
  let polling: Promise<void> = Promise.resolve()

  const upload = async (blob: Growing): Promise<string | undefined> => {
    const available = (end: number) =>
      waitForBytes(blob.path, end, () => exported)
    sizes.set(blob.digest, blob.size)
    const result = await client.uploadBlob(
      image,
      { ...blob, available },
      {
        chunkBytes: EARLY_CHUNK_BYTES,
        onProgress: bytes => report(blob.digest, bytes)
      }
    )
    return result.outcome === 'uploaded' ? blob.digest : undefined
  }
  const poll = async () => {
    for (const blob of await newBlobs(layoutDir, linksDir, seen))
      uploads.push(upload(blob).catch(() => undefined))
  }
  const timer = setInterval(() => {
    polling = polling.then(poll).catch(() => undefined)
  }, POLL_MS)

  return async () => {
    exported = true
    clearInterval(timer)
    await polling
    const digests = await Promise.all(uploads)
    await rm(linksDir, { recursive: true, force: true })
    return new Set(digests.filter(d => d !== undefined))
  }
}

/** Ingests not seen before, big enough, linked where buildx's rename cannot take them. */
async function newBlobs(
  layoutDir: string,
  linksDir: string,
  seen: Set<string>
): Promise<Growing[]> {
  const ingest = join(layoutDir, 'ingest')
  const keys = await readdir(ingest).catch(() => [] as string[])
  const found: Growing[] = []
  for (const key of keys) {
    if (seen.has(key)) continue
    const dir = join(ingest, key)
    const read = (name: string) =>
      readFile(join(dir, name), 'utf8').then(
        text => text.trim(),
        () => ''
      )
    const [ref, total] = await Promise.all([read('ref'), read('total')])
    // not written yet: looked at again on the next poll
    if (ref === '' || total === '') continue
    seen.add(key)
    const digest = INGEST_REF.exec(ref)?.[1]
    const size = Number(total)
    if (digest === undefined || !Number.isSafeInteger(size)) continue
    if (size < EARLY_MIN_BYTES) continue
    await mkdir(linksDir, { recursive: true })
    const path = join(linksDir, digest.slice('sha256:'.length))
    const linked = await link(join(dir, 'data'), path).then(
      () => true,
      () => false
    )
    if (linked) found.push({ digest, size, path })
  }
  return found
}

/** Resolves once byte `end` of the file is written; throws once the writer is done without it. */
async function waitForBytes(
  path: string,
  end: number,
  writerDone: () => boolean
): Promise<void> {
  for (;;) {
    const done = writerDone()
    if ((await stat(path)).size > end) return
    if (done) throw new Error(`${path}: the export ended before byte ${end}`)
    await delay(POLL_MS)
  }
}
