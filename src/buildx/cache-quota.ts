/**
 * GitHub's cache quotas as the cache relay meets them (pure). Since 2026-01-16 the service takes
 * at most 200 new entries a minute per repository and answers the next 429 with Retry-After;
 * GitHub asks clients to wait that long, then to back off (nodejs/node#61436). A cache whose
 * storage budget is spent refuses new entries (@actions/cache reads "insufficient usage" in the
 * answer as "Cache storage quota has been hit") and still serves reads. BuildKit's gha exporter
 * writes its blobs one after the other and its index last, and stops at the first error: one 429
 * given up on loses the whole export. So the relay waits a throttle out within the run's cache
 * bound, and past it, or once the budget is spent, it writes nothing more and still reads.
 */
import { parseRetryAfter } from '../registry/registry-error.js'
import { seconds } from '../settings/bounds.js'

/** One answer of the service, as the relay read it. */
export interface ServiceAnswer {
  /** The twirp method, or `a blob PUT`. */
  request: string
  status: number
  /** Its Retry-After header. */
  retryAfter?: string
  /** Its twirp `msg`, '' when none. */
  message: string
  /** Whether the request writes the cache (a new entry, its blob, its finalize). */
  write: boolean
}

/** The throttling a request met so far, and the run. */
export interface Throttling {
  /** 429s this request was answered in a row. */
  tries: number
  /** What the run waited on 429s so far, in ms (requests side by side counted each). */
  runWaitedMs: number
}

/** What the relay does with an answer. */
export type QuotaStep =
  | { kind: 'relay' }
  | { kind: 'wait'; ms: number }
  | { kind: 'read-only'; why: string }
  | { kind: 'fail'; why: string }

/** The throttled waits a run takes in all: this many of its cache bound. */
const RUN_WAITS = 5

/** The backoff floor of the n-th 429 in a row (n from 0): 1 s, doubling. */
const backoffMs = (tries: number): number => 1000 * 2 ** tries

/**
 * The relay's step on an answer: passed on, waited out and asked again (a 429 within the bound),
 * the cache read-only from now on (its budget spent, or a write throttled past the bound), or the
 * service failed (a 5xx, a read throttled past the bound).
 */
export function quotaStep(
  answer: ServiceAnswer,
  throttling: Throttling,
  boundMs: number,
  nowMs: number
): QuotaStep {
  if (answer.status >= 500)
    return {
      kind: 'fail',
      why: `${answer.request} was answered ${answer.status}`
    }
  // the cache's storage budget is spent (@actions/cache's UsageError)
  if (
    answer.write &&
    answer.status === 403 &&
    answer.message.includes('insufficient usage')
  )
    return {
      kind: 'read-only',
      why: `${answer.request} was answered 403 (${answer.message.slice(0, 120)})`
    }
  if (answer.status !== 429) return { kind: 'relay' }
  // a 429's wait: what Retry-After asks, and never less than the backoff; or why not
  const asked = parseRetryAfter(answer.retryAfter ?? null, nowMs)
  const ms = Math.max(asked ?? 0, backoffMs(throttling.tries))
  const tooLong =
    ms > boundMs
      ? `was answered 429 needing a wait of ${seconds(ms)}, over the run's cache ` +
        `bound (${seconds(boundMs)})`
      : throttling.runWaitedMs + ms > RUN_WAITS * boundMs
        ? `was answered 429 after this run waited ${seconds(throttling.runWaitedMs)} on ` +
          `throttling, ${RUN_WAITS} times the run's cache bound`
        : undefined
  if (tooLong === undefined) return { kind: 'wait', ms }
  const why = `${answer.request} ${tooLong}`
  return answer.write ? { kind: 'read-only', why } : { kind: 'fail', why }
}

/** The twirp calls that write the cache; of the blob store's, every PUT (Put Blob, Put Block). */
const WRITES = new Set(['CreateCacheEntry', 'FinalizeCacheEntryUpload'])

/** Whether a request writes the cache: `name` its twirp method, or '' for a blob or v1 call. */
export const writesCache = (method: string, name: string): boolean =>
  name === '' ? method !== 'GET' && method !== 'HEAD' : WRITES.has(name)

/** What the relay met of the quotas in a run. */
export interface QuotaReport {
  /** 429s waited out, and how long in all. */
  throttled: number
  waitedMs: number
  /** Why the cache went read-only for the run, once it did. */
  readOnly?: string
}

/**
 * The report in words, what the run is told: one warning, the summary's line, and whether the
 * cache was read-only (undefined: nothing to tell).
 */
export function quotaWords(report: QuotaReport) {
  const waits =
    report.throttled === 0
      ? ''
      : `${report.throttled} × 429, waited ${seconds(report.waitedMs)}`
  if (report.readOnly !== undefined)
    return {
      warning:
        `Cache: GitHub's cache service is read-only for this run: ${report.readOnly}` +
        `${waits && ` (after ${waits})`}; this run's builds still read it and write nothing ` +
        'more to it',
      summary: `Cache: GitHub's cache service read-only (${report.readOnly}); read, not written`,
      readOnly: true
    }
  if (waits === '') return undefined
  return {
    warning:
      `Cache: GitHub's cache service throttled this run (${waits} as it asked); ` +
      'the relay waited each out and went on writing',
    summary: `Cache: GitHub's cache service throttled (${waits})`,
    readOnly: false
  }
}

/** What the writer of a run's spooled entries did (cache-writer.ts), beside its quota report. */
export interface WriteReport extends QuotaReport {
  /** Entries written, or found already written. */
  written: number
  dropped: number
  /** Why the first dropped entry was. */
  firstDrop?: string
}

/** A write report before any entry: nothing throttled, written or dropped. */
export const noWrites = (): WriteReport => ({
  throttled: 0,
  waitedMs: 0,
  written: 0,
  dropped: 0
})

/**
 * The spooled entries' fate in words, for the step that wrote them (`post`: the post step): the
 * summary's line, the log's line, and one warning when entries were dropped (a read-only cache's
 * own). Undefined when there was nothing to write.
 */
export function writeWords(report: WriteReport, left: number, post: boolean) {
  const quota = quotaWords(report)
  const heading = post ? 'Cache (post step):' : 'Cache:'
  const waits =
    report.throttled === 0 ? '' : `; ${quota?.summary.replace(/^Cache: /, '')}`
  const leftWords = left === 0 ? '' : `, ${left} left to the post step`
  const drops =
    report.dropped === 0
      ? ''
      : `, ${report.dropped} dropped (${report.firstDrop})`
  if (report.written + report.dropped + left === 0) return undefined
  const line =
    `${heading} GitHub's cache service: ${report.written} new entries written` +
    `${leftWords}${drops}${waits}`
  const warning = quota?.readOnly
    ? quota.warning
    : report.dropped === 0
      ? undefined
      : `${heading} ${report.dropped} of ${report.written + report.dropped} new entries were ` +
        `not written to GitHub's cache service (${report.firstDrop}); the next run builds ` +
        'what they held'
  const summary = quota?.readOnly
    ? `${line}; then read-only (${report.readOnly}): read, not written`
    : line
  return { line, summary, warning }
}
