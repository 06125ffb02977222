/**
 * The spooled cache entries written to GitHub's cache service v2, off the release's path: beside
 * the push and after it in the main step, then in the post step (issue 69). Each entry on its own
 * (CreateCacheEntry, one Put Blob of the whole file, FinalizeCacheEntryUpload): only a whole blob
 * is finalized, so a later run never reads one half-written, and a 429 or a failure on one entry
 * drops that entry, not the cache. A throttled CreateCacheEntry is waited out as the service asks
 * (cache-quota.ts), off the release's path for up to the post step's bound; a spent storage budget
 * drops what is left. An index entry (BuildKit's, spooled last) goes before the blobs still queued:
 * under a quota it is what makes the entries written reusable, and BuildKit checks each blob an
 * index names before it uses it (worker FromRemote's CheckDescriptor), so a blob not yet written,
 * or dropped, costs the next run that layer, never its build. The blobs go roots first by the
 * index's chains (cache-index.ts), so a write cut short leaves chains from the root up, give or
 * take the four written at once.
 */
import { createReadStream, readFileSync, rmSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { httpFetch } from '../registry/http-fetch.js'
import { errorMessage } from '../errors/input-error.js'
import { seconds } from '../settings/bounds.js'
import {
  noWrites,
  quotaStep,
  writeWords,
  type WriteReport
} from './cache-quota.js'
import { addLayerDepths, rootsFirst } from './cache-index.js'
import { readHandover, type SpooledEntry } from './cache-spool.js'

/** Where the service is and how a call is let in. */
export interface ServiceAccess {
  /** ACTIONS_RESULTS_URL. */
  upstream: URL
  /** `Bearer <runtime token>`: sent to the service only, never to the blob store. */
  authorization: string
  /** The longest wait on one throttle. */
  boundMs: number
  /** A request's silence bound. */
  idleMs: number
}

/** What became of one entry. */
type Written =
  | { kind: 'written' }
  | { kind: 'present' }
  | { kind: 'dropped'; why: string }
  | { kind: 'deferred' }

const SERVICE = 'twirp/github.actions.results.api.v1.CacheService/'

/** Entries written side by side. */
const WORKERS = 4

/** Blobs go at no less than 1 MB/s before a PUT is given up. */
const putMs = (access: ServiceAccess, size: number) =>
  Math.ceil(access.idleMs + size / 1000)

/** A twirp call's answer: its status, Retry-After, body as JSON (or {} when it is none). */
async function twirp(
  access: ServiceAccess,
  method: string,
  body: object
): Promise<{
  status: number
  retryAfter?: string
  json: Record<string, unknown>
}> {
  const base = access.upstream.href.replace(/\/?$/, '/')
  const answer = await httpFetch(new URL(SERVICE + method, base), {
    method: 'POST',
    headers: {
      authorization: access.authorization,
      'content-type': 'application/json'
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(access.idleMs)
  })
  const text = await answer.text()
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    // a body that is not JSON is read as none
  }
  return {
    status: answer.status,
    retryAfter: answer.headers.get('retry-after') ?? undefined,
    json
  }
}

/**
 * Waits `ms`, or until `stop` aborts: whether the wait ran out. timers/promises drops its abort
 * listener when the wait ends: one left per wait piled up on the run's one signal (Node 20
 * prints a MaxListenersExceededWarning past 10 of them).
 */
const waited = (ms: number, stop: AbortSignal): Promise<boolean> =>
  delay(ms, true, { signal: stop }).catch(() => false)

/**
 * Makes the entry in the service, a throttle waited out: its signed upload URL, or what became of
 * it (already there, dropped, deferred when `stop` came during a wait).
 */
async function createEntry(
  access: ServiceAccess,
  entry: SpooledEntry,
  report: WriteReport,
  stop: AbortSignal
): Promise<string | Written> {
  for (let tries = 0; ; tries++) {
    if (stop.aborted) return { kind: 'deferred' }
    if (report.readOnly !== undefined)
      return { kind: 'dropped', why: report.readOnly }
    const { key, version } = entry
    const answer = await twirp(access, 'CreateCacheEntry', { key, version })
    const url = answer.json.signed_upload_url
    if (answer.status === 200 && answer.json.ok === true)
      return typeof url === 'string'
        ? url
        : { kind: 'dropped', why: 'CreateCacheEntry gave no upload URL' }
    if (answer.status === 409) return { kind: 'present' }
    const message = answer.json.msg
    const step = quotaStep(
      {
        request: 'CreateCacheEntry',
        status: answer.status,
        retryAfter: answer.retryAfter,
        message: typeof message === 'string' ? message : '',
        write: true
      },
      { tries, runWaitedMs: report.waitedMs },
      access.boundMs,
      Date.now()
    )
    if (step.kind === 'read-only') report.readOnly ??= step.why
    if (step.kind !== 'wait')
      return {
        kind: 'dropped',
        why:
          step.kind === 'relay'
            ? `CreateCacheEntry was answered ${answer.status}`
            : step.why
      }
    report.throttled++
    report.waitedMs += step.ms
    if (!(await waited(step.ms, stop))) return { kind: 'deferred' }
  }
}

/** One entry written: made, its whole blob put, finalized. */
async function writeEntry(
  access: ServiceAccess,
  entry: SpooledEntry,
  report: WriteReport,
  stop: AbortSignal
): Promise<Written> {
  const made = await createEntry(access, entry, report, stop)
  if (typeof made !== 'string') return made
  const put = await httpFetch(new URL(made), {
    method: 'PUT',
    headers: {
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-version': '2023-11-03',
      'content-length': String(entry.size)
    },
    body: createReadStream(entry.file),
    signal: AbortSignal.timeout(putMs(access, entry.size))
  })
  await put.body?.cancel()
  if (put.status !== 201)
    return { kind: 'dropped', why: `a blob PUT was answered ${put.status}` }
  const { key, version, size } = entry
  const done = await twirp(access, 'FinalizeCacheEntryUpload', {
    key,
    version,
    size_bytes: size
  })
  return done.status === 200 && done.json.ok === true
    ? { kind: 'written' }
    : {
        kind: 'dropped',
        why: `FinalizeCacheEntryUpload was answered ${done.status}`
      }
}

/** One entry's write counted in the report: written, or dropped with the first drop's reason. */
function tally(report: WriteReport, written: Written): void {
  if (written.kind !== 'dropped') {
    report.written++
    return
  }
  report.dropped++
  report.firstDrop ??= written.why
}

/** An entry's write, a failure of its own dropping that entry alone. */
const writeOrDrop = (
  access: ServiceAccess,
  entry: SpooledEntry,
  report: WriteReport,
  signal: AbortSignal
): Promise<Written> =>
  writeEntry(access, entry, report, signal).catch((error: unknown) => ({
    kind: 'dropped' as const,
    why: errorMessage(error)
  }))

/** Adds the chains of an index entry to `depths`; a file that cannot be read adds none. */
function learnChains(index: SpooledEntry, depths: Map<string, number>): void {
  try {
    addLayerDepths(depths, readFileSync(index.file, 'utf8'))
  } catch {
    // its blobs keep the order they came in
  }
}

/**
 * A writer of spooled entries: `add` queues one; `stop` starts no more, gives up the throttled
 * waits and lets the writes under way end, and says which entries are left.
 */
export function cacheWriter(access: ServiceAccess, report: WriteReport) {
  const stopping = new AbortController()
  const queue: SpooledEntry[] = []
  const left: SpooledEntry[] = []
  const depths = new Map<string, number>()
  let running = 0
  const idle: (() => void)[] = []

  async function next(): Promise<void> {
    const entry = queue.shift()
    if (entry === undefined || stopping.signal.aborted) {
      if (entry) left.push(entry, ...queue.splice(0))
      if (--running === 0) for (const resolve of idle.splice(0)) resolve()
      return
    }
    const written = await writeOrDrop(access, entry, report, stopping.signal)
    if (written.kind === 'deferred') left.push(entry)
    else tally(report, written)
    start()
    return next()
  }
  function start(): void {
    while (running < Math.min(WORKERS, queue.length)) {
      running++
      void next()
    }
  }
  const allDone = () =>
    running === 0
      ? Promise.resolve()
      : new Promise<void>(resolve => idle.push(resolve))
  return {
    report,
    /**
     * Queues an entry. The writes start with the first index (BuildKit spools it last, after its
     * blobs): under a quota it takes a place before the blobs it names do, and they go roots first.
     */
    add(entry: SpooledEntry): void {
      const index = entry.key.startsWith('index-')
      if (index) learnChains(entry, depths)
      queue.splice(0, queue.length, ...rootsFirst([...queue, entry], depths))
      // the index alone first: the blobs fan out once it is settled (`next`)
      if (index && running === 0) {
        running++
        void next()
      } else if (running > 0) start()
    },
    /** Starts the writes of what is queued, index or not (the post step's). */
    start,
    /** Resolves once every entry queued so far is settled. */
    done: allDone,
    /** Stops, and the entries left unwritten once the writes under way end. */
    async stop(): Promise<SpooledEntry[]> {
      stopping.abort()
      await allDone()
      return [...left, ...queue.splice(0)]
    }
  }
}

export type CacheWriter = ReturnType<typeof cacheWriter>

/**
 * The entries a main step handed over in `dir` (cache-spool.ts) written by the post step within
 * its bound, with the job's runtime token; what the bound leaves is dropped. The spool is removed.
 * What was done in words (writeWords), undefined when nothing was handed over.
 */
export async function writeHandedOver(
  dir: string,
  upstream: string,
  token: string
) {
  const manifest = readHandover(dir)
  try {
    if (manifest === undefined || upstream === '' || token === '')
      return undefined
    const report = noWrites()
    const writer = cacheWriter(
      {
        upstream: new URL(upstream),
        authorization: `Bearer ${token}`,
        boundMs: manifest.boundMs,
        idleMs: manifest.idleMs
      },
      report
    )
    for (const entry of manifest.entries) writer.add(entry)
    writer.start()
    // the post step's own bound: the run's cache bound (20 s, twice registry-timeout if longer)
    const boundMs = manifest.boundMs
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      writer.done(),
      new Promise(resolve => (timer = setTimeout(resolve, boundMs)))
    ])
    clearTimeout(timer)
    const left = await writer.stop()
    if (left.length > 0) {
      report.dropped += left.length
      report.firstDrop ??= `not written within the post step's bound (${seconds(boundMs)})`
    }
    return writeWords(report, 0, true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
