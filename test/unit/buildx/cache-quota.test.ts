/**
 * GitHub's cache quotas as the relay decides on them (src/buildx/cache-quota.ts): each answer's
 * step (passed on, waited out, read-only, failed), which requests write, and what the run is told.
 */
import { describe, expect, it } from '@jest/globals'
import {
  quotaStep,
  quotaWords,
  writesCache,
  writeWords,
  type ServiceAnswer
} from '../../../src/buildx/cache-quota.js'

const NOW = Date.UTC(2026, 10, 26, 12)
const BOUND = 60_000
const create = (
  status: number,
  more: Partial<ServiceAnswer> = {}
): ServiceAnswer => ({
  request: 'CreateCacheEntry',
  status,
  message: '',
  write: true,
  ...more
})
const lookup = (status: number, more: Partial<ServiceAnswer> = {}) =>
  create(status, { request: 'GetCacheEntryDownloadURL', write: false, ...more })
const USAGE = 'insufficient usage to create cache entry'

describe('quotaStep: what the relay does with an answer', () => {
  it.each([
    { name: 'a 200', answer: create(200), step: { kind: 'relay' } },
    {
      name: 'a 409 (the entry exists)',
      answer: create(409),
      step: { kind: 'relay' }
    },
    {
      name: 'a 403 of a write that is no budget (a token refused)',
      answer: create(403, { message: 'no cache scope to write' }),
      step: { kind: 'relay' }
    },
    {
      name: "a read's 403 that names the budget: reads are never read-only",
      answer: lookup(403, { message: USAGE }),
      step: { kind: 'relay' }
    },
    {
      name: "a write's 403 'insufficient usage': the budget is spent",
      answer: create(403, { message: USAGE }),
      step: {
        kind: 'read-only',
        why: `CreateCacheEntry was answered 403 (${USAGE})`
      }
    },
    {
      name: 'a 503',
      answer: create(503),
      step: { kind: 'fail', why: 'CreateCacheEntry was answered 503' }
    },
    {
      name: 'a 429 with Retry-After: 10, the first',
      answer: create(429, { retryAfter: '10' }),
      step: { kind: 'wait', ms: 10_000 }
    },
    {
      name: 'a 429 with no Retry-After: the backoff floor, 1 s',
      answer: create(429),
      step: { kind: 'wait', ms: 1000 }
    },
    {
      name: 'the fourth 429 in a row asking 1 s: backed off to 8 s',
      answer: create(429, { retryAfter: '1' }),
      tries: 3,
      step: { kind: 'wait', ms: 8000 }
    },
    {
      name: 'a 429 whose Retry-After is an HTTP date 30 s ahead',
      answer: create(429, {
        retryAfter: new Date(NOW + 30_000).toUTCString()
      }),
      step: { kind: 'wait', ms: 30_000 }
    },
    {
      name: 'a 429 whose Retry-After is no number nor date, the second',
      answer: create(429, { retryAfter: 'soon' }),
      tries: 1,
      step: { kind: 'wait', ms: 2000 }
    },
    {
      name: 'a lookup throttled within the bound: waited as a write is',
      answer: lookup(429, { retryAfter: '5' }),
      step: { kind: 'wait', ms: 5000 }
    },
    {
      name: "a write's 429 asking 90 s, over the bound: read-only",
      answer: create(429, { retryAfter: '90' }),
      step: {
        kind: 'read-only',
        why: "CreateCacheEntry was answered 429 needing a wait of 90 s, over the run's cache bound (60 s)"
      }
    },
    {
      name: "a lookup's 429 asking 90 s: the service failed, as before",
      answer: lookup(429, { retryAfter: '90' }),
      step: {
        kind: 'fail',
        why: "GetCacheEntryDownloadURL was answered 429 needing a wait of 90 s, over the run's cache bound (60 s)"
      }
    },
    {
      name: "a 429 past the run's waits in all (five bounds): read-only",
      answer: create(429, { retryAfter: '10' }),
      runWaitedMs: 295_000,
      step: {
        kind: 'read-only',
        why:
          'CreateCacheEntry was answered 429 after this run waited 295 s on throttling, ' +
          "5 times the run's cache bound"
      }
    }
  ])('$name', ({ answer, tries = 0, runWaitedMs = 0, step }) => {
    expect(quotaStep(answer, { tries, runWaitedMs }, BOUND, NOW)).toEqual(step)
  })
})

describe('writesCache: the requests a read-only cache refuses', () => {
  it.each([
    {
      name: 'CreateCacheEntry',
      method: 'POST',
      call: 'CreateCacheEntry',
      writes: true
    },
    {
      name: 'FinalizeCacheEntryUpload',
      method: 'POST',
      call: 'FinalizeCacheEntryUpload',
      writes: true
    },
    {
      name: 'GetCacheEntryDownloadURL',
      method: 'POST',
      call: 'GetCacheEntryDownloadURL',
      writes: false
    },
    {
      name: 'a blob PUT (Put Blob, Put Block)',
      method: 'PUT',
      call: '',
      writes: true
    },
    { name: 'a blob GET', method: 'GET', call: '', writes: false },
    { name: 'a blob HEAD', method: 'HEAD', call: '', writes: false },
    {
      name: "v1's reservation (POST caches)",
      method: 'POST',
      call: '',
      writes: true
    }
  ])('$name: $writes', ({ method, call, writes }) => {
    expect(writesCache(method, call)).toBe(writes)
  })
})

describe('quotaWords: the warning and the summary line', () => {
  it.each([
    {
      name: 'nothing met',
      report: { throttled: 0, waitedMs: 0 },
      words: undefined
    },
    {
      name: 'throttled, waited out',
      report: { throttled: 3, waitedMs: 42_400 },
      words: {
        warning:
          "Cache: GitHub's cache service throttled this run (3 × 429, waited 42 s as it asked); " +
          'the relay waited each out and went on writing',
        summary:
          "Cache: GitHub's cache service throttled (3 × 429, waited 42 s)",
        readOnly: false
      }
    },
    {
      name: 'read-only',
      report: { throttled: 0, waitedMs: 0, readOnly: 'X was answered 403 (y)' },
      words: {
        warning:
          "Cache: GitHub's cache service is read-only for this run: X was answered 403 (y); " +
          "this run's builds still read it and write nothing more to it",
        summary:
          "Cache: GitHub's cache service read-only (X was answered 403 (y)); read, not written",
        readOnly: true
      }
    },
    {
      name: 'throttled, then read-only',
      report: { throttled: 2, waitedMs: 3000, readOnly: 'X' },
      words: {
        warning:
          "Cache: GitHub's cache service is read-only for this run: X (after 2 × 429, waited " +
          "3 s); this run's builds still read it and write nothing more to it",
        summary:
          "Cache: GitHub's cache service read-only (X); read, not written",
        readOnly: true
      }
    }
  ])('$name', ({ report, words }) => {
    expect(quotaWords(report)).toEqual(words)
  })
})

describe("writeWords: what the spool's writes tell, in the main step or the post step", () => {
  const report = (more: Partial<Parameters<typeof writeWords>[0]> = {}) => ({
    throttled: 0,
    waitedMs: 0,
    written: 0,
    dropped: 0,
    ...more
  })
  it.each([
    {
      name: 'nothing spooled',
      report: report(),
      left: 0,
      post: false,
      words: undefined
    },
    {
      name: 'all written in the main step',
      report: report({ written: 12 }),
      left: 0,
      post: false,
      words: {
        line: "Cache: GitHub's cache service: 12 new entries written",
        summary: "Cache: GitHub's cache service: 12 new entries written",
        warning: undefined
      }
    },
    {
      name: 'some left to the post step, throttled on the way',
      report: report({ written: 4, throttled: 2, waitedMs: 31_000 }),
      left: 8,
      post: false,
      words: {
        line:
          "Cache: GitHub's cache service: 4 new entries written, 8 left to the post step; " +
          "GitHub's cache service throttled (2 × 429, waited 31 s)",
        summary:
          "Cache: GitHub's cache service: 4 new entries written, 8 left to the post step; " +
          "GitHub's cache service throttled (2 × 429, waited 31 s)",
        warning: undefined
      }
    },
    {
      name: 'one dropped in the post step: one warning',
      report: report({
        written: 7,
        dropped: 1,
        firstDrop: 'a blob PUT was answered 429'
      }),
      left: 0,
      post: true,
      words: {
        line:
          "Cache (post step): GitHub's cache service: 7 new entries written, 1 dropped " +
          '(a blob PUT was answered 429)',
        summary:
          "Cache (post step): GitHub's cache service: 7 new entries written, 1 dropped " +
          '(a blob PUT was answered 429)',
        warning:
          "Cache (post step): 1 of 8 new entries were not written to GitHub's cache service " +
          '(a blob PUT was answered 429); the next run builds what they held'
      }
    },
    {
      name: "read-only: the quota's warning, the summary says so",
      report: report({ written: 4, dropped: 2, firstDrop: 'R', readOnly: 'R' }),
      left: 0,
      post: false,
      words: {
        line: "Cache: GitHub's cache service: 4 new entries written, 2 dropped (R)",
        summary:
          "Cache: GitHub's cache service: 4 new entries written, 2 dropped (R); then " +
          'read-only (R): read, not written',
        warning:
          "Cache: GitHub's cache service is read-only for this run: R; this run's builds " +
          'still read it and write nothing more to it'
      }
    }
  ])('$name', ({ report, left, post, words }) => {
    expect(writeWords(report, left, post)).toEqual(words)
  })
})
