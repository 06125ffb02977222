/**
 * The cache entries BuildKit hands the cache relay, kept on the runner's disk (under RUNNER_TEMP)
 * until they are written to GitHub's cache service: each entry is accepted at once, so BuildKit's
 * gha export never waits for the service, its quota or its blob store (issue 69). An entry is
 * taken as the service's blob store takes it (one Put Blob, or Put Blocks and a Put Block List,
 * as azblob's UploadStream sends it), and read back the same way by a later build of the run.
 */
import { randomUUID } from 'node:crypto'
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'

/** An entry whose blob is whole on disk: what the writer writes to the service. */
export interface SpooledEntry {
  key: string
  version: string
  /** Its blob's file. */
  file: string
  size: number
}

/** What the post step is handed: the entries the main step left unwritten. */
export interface SpoolManifest {
  /** The run's cache bound, in ms: the post step's longest wait on one throttle. */
  boundMs: number
  idleMs: number
  entries: SpooledEntry[]
}

/** The handover's file name in the spool's folder. */
const MANIFEST = 'manifest.json'

/** One entry as BuildKit writes it: made, its blob put, finalized. */
interface LocalEntry {
  key: string
  version: string
  blocks: Map<string, string>
  /** Blocks received so far: each block's file is named by its turn, taken as its PUT begins. */
  blocksReceived: number
  /** Set once its blob is whole. */
  size?: number
  finalized: boolean
}

const requestId = () => ({
  'x-ms-request-id': randomUUID(),
  'x-ms-version': '2023-11-03',
  date: new Date().toUTCString()
})

/** A block list's ids in its order (Put Block List's XML body). */
const blockIds = (xml: string): string[] =>
  [
    ...xml.matchAll(
      /<(?:Latest|Uncommitted|Committed)>([^<]*)<\/(?:Latest|Uncommitted|Committed)>/g
    )
  ].map(([, id]) => id)

/** A `bytes=<from>-[<to>]` range's first byte, 0 when there is none. */
const rangeStart = (req: IncomingMessage): number => {
  const range = String(req.headers['x-ms-range'] ?? req.headers.range ?? '')
  const from = /^bytes=(\d+)-/.exec(range)?.[1]
  return from === undefined ? 0 : Number(from)
}

const blobFile = (dir: string, n: number) => join(dir, `${n}.blob`)

/** Stores a blob request's body (a block, or the whole blob), or commits a block list. */
async function putBlob(
  dir: string,
  n: number,
  entry: LocalEntry,
  req: IncomingMessage
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://spool')
  const comp = url.searchParams.get('comp')
  if (comp === 'block') {
    const id = url.searchParams.get('blockid') ?? ''
    const file = join(dir, `${n}.${entry.blocksReceived++}.block`)
    await pipeline(req, createWriteStream(file))
    entry.blocks.set(id, file)
    return true
  }
  if (comp === 'blocklist') {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const ids = blockIds(Buffer.concat(chunks).toString('utf8'))
    if (ids.some(id => !entry.blocks.has(id))) return false
    const blocks = ids.map(id => entry.blocks.get(id) ?? '')
    // one pipeline for the whole blob: a pipeline per block would add listeners to the one file
    await pipeline(
      async function* () {
        for (const block of blocks) yield* createReadStream(block)
      },
      createWriteStream(blobFile(dir, n))
    )
    for (const file of entry.blocks.values()) rmSync(file, { force: true })
    entry.blocks.clear()
  } else await pipeline(req, createWriteStream(blobFile(dir, n)))
  entry.size = statSync(blobFile(dir, n)).size
  return true
}

/** A read of a whole entry's blob (GET or HEAD, from a range's first byte) as the store answers. */
function serveBlob(
  file: string,
  n: number,
  size: number,
  req: IncomingMessage,
  res: ServerResponse
) {
  const from = Math.min(rangeStart(req), size)
  res.writeHead(from === 0 ? 200 : 206, {
    ...requestId(),
    'content-length': String(size - from),
    'accept-ranges': 'bytes',
    etag: `"0x${n.toString(16)}"`,
    ...(from > 0 && { 'content-range': `bytes ${from}-${size - 1}/${size}` })
  })
  if (req.method === 'HEAD' || size === from) return res.end()
  createReadStream(file, { start: from }).pipe(res)
}

/**
 * The run's own finalized entry a lookup matches: each key exactly, else the newest entry the key
 * prefixes, as the service looks up (its number and the key it matched).
 */
function lookupEntry(entries: LocalEntry[], keys: string[], version: string) {
  const made = entries
    .map((entry, n) => ({ entry, n }))
    .filter(({ entry }) => entry.finalized && entry.version === version)
  for (const key of keys) {
    const exact = made.find(({ entry }) => entry.key === key)
    const match =
      exact ??
      [...made].reverse().find(({ entry }) => entry.key.startsWith(key))
    if (match) return { n: match.n, key: match.entry.key }
  }
  return undefined
}

/** The spool in a folder of its own under `parent` (RUNNER_TEMP). */
export function openSpool(parent: string) {
  const dir = join(parent, `dpa-cache-spool-${randomUUID()}`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const entries: LocalEntry[] = []
  const find = (key: string, version: string) =>
    entries.findIndex(e => e.key === key && e.version === version)

  return {
    dir,
    /** A new entry's number, or undefined when the run made one of that key and version. */
    create(key: string, version: string): number | undefined {
      if (find(key, version) !== -1) return undefined
      return (
        entries.push({
          key,
          version,
          blocks: new Map(),
          blocksReceived: 0,
          finalized: false
        }) - 1
      )
    },
    /** The entry finalized, whole: what the writer writes; undefined when its blob is not. */
    finalize(key: string, version: string): SpooledEntry | undefined {
      const n = find(key, version)
      const entry = entries[n] as LocalEntry | undefined
      if (entry?.size === undefined || entry.finalized) return undefined
      entry.finalized = true
      return { key, version, file: blobFile(dir, n), size: entry.size }
    },
    lookup: (keys: string[], version: string) =>
      lookupEntry(entries, keys, version),
    /** A blob request of entry `n` answered as the blob store answers it. */
    async serve(n: number, req: IncomingMessage, res: ServerResponse) {
      const entry = entries[n] as LocalEntry | undefined
      if (entry === undefined) return res.writeHead(404, requestId()).end()
      if (req.method === 'PUT') {
        const ok = await putBlob(dir, n, entry, req)
        return res
          .writeHead(ok ? 201 : 400, {
            ...requestId(),
            etag: `"0x${n.toString(16)}"`,
            'last-modified': new Date().toUTCString()
          })
          .end()
      }
      if (!entry.finalized || entry.size === undefined)
        return res.writeHead(404, requestId()).end()
      serveBlob(blobFile(dir, n), n, entry.size, req, res)
    },
    /** The entries left to the post step, written beside them. */
    handOver(manifest: SpoolManifest): void {
      writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest))
    },
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

export type CacheSpool = ReturnType<typeof openSpool>

/** The entries a main step handed over in `dir`, or undefined when it handed none. */
export function readHandover(dir: string): SpoolManifest | undefined {
  try {
    return JSON.parse(
      readFileSync(join(dir, MANIFEST), 'utf8')
    ) as SpoolManifest
  } catch {
    return undefined
  }
}
