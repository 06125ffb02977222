/**
 * The cache service v2 stand-in (test/support/results-service/cache.ts) driven
 * by the real @actions/cache 4.x client: what it saves and restores, which
 * saves it refuses, which scopes a job sees, and the faults as the client
 * meets them.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { restoreCache, saveCache } from '@actions/cache'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  startCacheService,
  type CacheService
} from '../../../support/results-service/cache.js'
import type { CacheRefs } from '../../../support/results-service/server.js'

const FILE = 'deps.txt'
const saved = { ...process.env }
let workspace = ''
let service: CacheService
/** What the client printed (its info, warnings and debug lines). */
let log = ''

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'dpa-cache-'))
})
afterAll(() => {
  process.env = { ...saved }
  rmSync(workspace, { recursive: true, force: true })
})
beforeEach(async () => {
  service = await startCacheService()
  log = ''
  jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      log += chunk.toString()
      return true
    })
})
afterEach(async () => {
  jest.restoreAllMocks()
  await service.close()
})

/** The client's env for a job on `refs` (a new job each time, as each run's job is). */
function job(refs: CacheRefs): void {
  process.env = {
    ...saved,
    ...service.env('run-1', `job-${Math.random()}`, 1, refs),
    ACTIONS_CACHE_SERVICE_V2: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: workspace
  }
}

/** Saves `content` under `key` as a job on `refs`: the entry id, -1 when refused. */
async function save(refs: CacheRefs, key: string, content: string) {
  job(refs)
  writeFileSync(join(workspace, FILE), content)
  return saveCache([join(workspace, FILE)], key)
}

/** Restores as a job on `refs`: the key matched and the file's content, or undefined. */
async function restore(refs: CacheRefs, key: string, restoreKeys?: string[]) {
  job(refs)
  rmSync(join(workspace, FILE), { force: true })
  const matched = await restoreCache([join(workspace, FILE)], key, restoreKeys)
  return matched === undefined
    ? undefined
    : { matched, content: readFileSync(join(workspace, FILE), 'utf8') }
}

const MAIN: CacheRefs = {}
const FEATURE: CacheRefs = { ref: 'refs/heads/feature' }
const PULL_7: CacheRefs = {
  ref: 'refs/pull/7/merge',
  baseRef: 'refs/heads/main'
}
const PULL_8: CacheRefs = {
  ref: 'refs/pull/8/merge',
  baseRef: 'refs/heads/main'
}

describe('save and restore', () => {
  it('a save is one entry under the job ref; a later job restores its bytes', async () => {
    expect(await save(MAIN, 'deps-1', 'one')).toBeGreaterThan(0)
    expect(
      service.entries('refs/heads/main').map(e => [e.key, e.finalized])
    ).toEqual([['deps-1', true]])
    expect(await restore(MAIN, 'deps-1')).toEqual({
      matched: 'deps-1',
      content: 'one'
    })
    expect(service.requests).toEqual([
      'POST CreateCacheEntry',
      'PUT cache blob',
      'POST FinalizeCacheEntryUpload',
      'POST GetCacheEntryDownloadURL',
      'GET cache blob'
    ])
  })

  it('a second save of a finalized key is refused 409; the first bytes stay', async () => {
    await save(MAIN, 'deps-1', 'one')
    expect(await save(MAIN, 'deps-1', 'two')).toBe(-1)
    expect(log).toContain(
      'Failed to CreateCacheEntry: Received non-retryable error: Failed request: (409) ' +
        'Conflict: cache entry with the same key, version, and scope already exists'
    )
    expect(log).toContain(
      'Failed to save: Unable to reserve cache with key deps-1, another job may be creating this cache.'
    )
    expect(service.entries()).toHaveLength(1)
    expect(await restore(MAIN, 'deps-1')).toEqual({
      matched: 'deps-1',
      content: 'one'
    })
  })

  it('a miss restores nothing', async () => {
    await save(MAIN, 'deps-1', 'one')
    expect(await restore(MAIN, 'other', ['another-'])).toBeUndefined()
  })
})

describe('keys: exact first, then the key and each restore key as a prefix, newest first', () => {
  beforeEach(async () => {
    await save(MAIN, 'deps-a', 'a')
    await save(MAIN, 'deps-a-2', 'a2')
    await save(MAIN, 'deps-b', 'b')
    await save(MAIN, 'tools-x', 'x')
  })

  it.each([
    {
      name: 'the exact key over a newer entry it prefixes',
      key: 'deps-a',
      restoreKeys: ['deps-'],
      matched: 'deps-a'
    },
    {
      name: 'the key as a prefix: the newest',
      key: 'deps-',
      restoreKeys: [],
      matched: 'deps-b'
    },
    {
      name: 'a restore key as a prefix: the newest',
      key: 'deps-c',
      restoreKeys: ['deps-'],
      matched: 'deps-b'
    },
    {
      name: 'restore keys in their order',
      key: 'none',
      restoreKeys: ['tools-', 'deps-'],
      matched: 'tools-x'
    },
    {
      name: 'a restore key matching exactly',
      key: 'none',
      restoreKeys: ['deps-a', 'deps-'],
      matched: 'deps-a'
    }
  ])('$name', async ({ key, restoreKeys, matched }) => {
    expect((await restore(MAIN, key, restoreKeys))?.matched).toBe(matched)
  })
})

describe('scopes: a job reads its own ref, its base branch and the default branch', () => {
  it.each([
    {
      name: "a feature branch reads main's entry",
      saver: MAIN,
      reader: FEATURE,
      content: 'main'
    },
    {
      name: "a pull request reads its base's entry",
      saver: MAIN,
      reader: PULL_7,
      content: 'main'
    },
    {
      name: "a pull request's re-run reads its own entry",
      saver: PULL_7,
      reader: PULL_7,
      content: 'pull'
    },
    {
      name: "main does not read a pull request's entry",
      saver: PULL_7,
      reader: MAIN,
      content: undefined
    },
    {
      name: "a pull request does not read another one's entry",
      saver: PULL_7,
      reader: PULL_8,
      content: undefined
    },
    {
      name: "main does not read a feature branch's entry",
      saver: FEATURE,
      reader: MAIN,
      content: undefined
    },
    {
      name: "a feature branch does not read a pull request's entry",
      saver: PULL_7,
      reader: FEATURE,
      content: undefined
    }
  ])('$name', async ({ saver, reader, content }) => {
    await save(saver, 'deps', saver === MAIN ? 'main' : 'pull')
    expect((await restore(reader, 'deps'))?.content).toBe(content)
  })

  it("a pull request's save lives under its merge ref, beside main's of the same key", async () => {
    await save(MAIN, 'deps', 'main')
    expect(await save(PULL_7, 'deps', 'pull')).toBeGreaterThan(0)
    expect(service.entries().map(e => [e.scope, e.key])).toEqual([
      ['refs/heads/main', 'deps'],
      ['refs/pull/7/merge', 'deps']
    ])
    // its own scope first, then its base
    expect((await restore(PULL_7, 'deps'))?.content).toBe('pull')
    expect((await restore(MAIN, 'deps'))?.content).toBe('main')
  })
})

describe('faults as the client meets them', () => {
  it.each([
    {
      name: '429 with Retry-After',
      status: 429,
      text: '(429) Too Many Requests'
    },
    { name: '503', status: 503, text: '(503) Service Unavailable' }
  ])(
    '$name once: retried 3 s later, the save lands',
    async ({ status, text }) => {
      service.fault('CreateCacheEntry', { status, retryAfter: 1, times: 1 })
      expect(await save(MAIN, 'deps', 'one')).toBeGreaterThan(0)
      expect(log).toContain(
        `Attempt 1 of 5 failed with error: Failed request: ${text}: injected CreateCacheEntry fault. ` +
          'Retrying request in 3000 ms...'
      )
      expect(
        service.requests.filter(r => r === 'POST CreateCacheEntry')
      ).toHaveLength(2)
    }
  )

  it('403: not retried, the restore gives up with a warning', async () => {
    await save(MAIN, 'deps', 'one')
    service.fault('GetCacheEntryDownloadURL', { status: 403 })
    expect(await restore(MAIN, 'deps')).toBeUndefined()
    expect(log).toMatch(
      /::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: Received non-retryable error: Failed request: \(403\) Forbidden/
    )
  })

  it('a hang: the client waits with no deadline of its own, until the connection drops', async () => {
    await save(MAIN, 'deps', 'one')
    service.fault('GetCacheEntryDownloadURL', { hang: true })
    let settled = false
    const restoring = restore(MAIN, 'deps').finally(() => (settled = true))
    await until(() =>
      service.requests.includes('POST GetCacheEntryDownloadURL')
    )
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(settled).toBe(false)
    await service.close()
    expect(await restoring).toBeUndefined()
    expect(log).toContain(
      '::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: Unable to make request: ECONNRESET'
    )
  })

  // the download retries 502, 503 and 504 only (requestUtils.ts isRetryableStatusCode)
  it('a blob GET failing 500 after a good lookup: not retried, the restore gives up', async () => {
    await save(MAIN, 'deps', 'one')
    service.fault('cache blob GET', { status: 500 })
    expect(await restore(MAIN, 'deps')).toBeUndefined()
    expect(log).toContain(
      'Failed to restore: downloadCache failed: Cache service responded with 500'
    )
    expect(service.requests.filter(r => r === 'GET cache blob')).toHaveLength(1)
  })

  it('a slow blob, its bytes trickled, still restores', async () => {
    await save(MAIN, 'deps', 'one')
    service.fault('cache blob GET', { trickle: { bytes: 32, everyMs: 50 } })
    expect(await restore(MAIN, 'deps')).toEqual({
      matched: 'deps',
      content: 'one'
    })
  })
})

/** A CreateCacheEntry of `key` as a job on main, straight over twirp: its status, headers, body. */
async function create(key: string) {
  const env = service.env('run-1', `job-${Math.random()}`, 1, MAIN)
  const response = await fetch(
    `${service.url}twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.ACTIONS_RUNTIME_TOKEN}`,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ key, version: 'v1' })
    }
  )
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as { code?: string; msg?: string }
  }
}

describe("GitHub's quotas: new entries a minute, and a read-only cache", () => {
  it('200 new entries a minute unless told', () => {
    expect(service.quota()).toEqual({
      perMinute: 200,
      readOnly: false,
      throttled: 0,
      refused: 0
    })
  })

  it.each([
    { name: 'a budget of 1', perMinute: 1, landed: 1 },
    { name: 'a budget of 3', perMinute: 3, landed: 3 }
  ])(
    '$name: the next new entry that minute is 429 with Retry-After',
    async ({ perMinute, landed }) => {
      service.setQuota({ perMinute })
      const answers = []
      for (let n = 0; n <= landed; n++) answers.push(await create(`k-${n}`))
      expect(answers.slice(0, landed).map(a => a.status)).toEqual(
        Array<number>(landed).fill(200)
      )
      const refused = answers[landed]
      expect(refused.status).toBe(429)
      expect(refused.body).toEqual({
        code: 'resource_exhausted',
        msg: 'rate limit exceeded'
      })
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(59)
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60)
      // a duplicate spends nothing: 409 as before
      expect((await create('k-0')).status).toBe(409)
      expect(service.quota().throttled).toBe(1)
      expect(service.entries()).toHaveLength(landed)
    }
  )

  it('read-only: a save is refused as the toolkit reads a spent budget, a restore still lands', async () => {
    await save(MAIN, 'deps-1', 'one')
    service.setQuota({ readOnly: true })
    expect(await save(MAIN, 'deps-2', 'two')).toBe(-1)
    expect(log).toContain('Cache storage quota has been hit')
    expect(await restore(MAIN, 'deps-1')).toEqual({
      matched: 'deps-1',
      content: 'one'
    })
    expect(service.quota()).toMatchObject({ readOnly: true, refused: 1 })
    expect(service.entries().map(e => e.key)).toEqual(['deps-1'])
    const refused = await create('deps-3')
    expect([refused.status, refused.body.msg]).toEqual([
      403,
      'insufficient usage to create cache entry'
    ])
  })
})

/** Resolves once `done()` holds (checked every 20 ms). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise(resolve => setTimeout(resolve, 20))
}
