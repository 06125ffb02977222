/**
 * The cache service v2 (github.actions.results.api.v1.CacheService) as its
 * two clients speak to it: @actions/cache 4.x (src/internal/shared/cacheTwirpClient.ts,
 * cache.ts saveCacheV2/restoreCacheV2) and BuildKit's gha cache through
 * go-actions-cache (cache_v2.go, vendored by BuildKit v0.25.2). README.md beside
 * this file says what each rule rests on; in short:
 * - CreateCacheEntry {key, version} -> {ok, signed_upload_url}: the entry is made
 *   under the scope the token may write; one of that key, version and scope
 *   already made, finalized or not, is refused 409 already_exists "cache entry
 *   with the same key, version, and scope already exists" (GitHub's answer in
 *   public logs; go-actions-cache takes the code as os.ErrExist and moves its
 *   index to the next number, the toolkit warns "Failed to save").
 * - The blob goes to the signed URL (./azure-blob.ts: one Put Blob, or Put
 *   Blocks and a Put Block List).
 * - FinalizeCacheEntryUpload {key, version, size_bytes} -> {ok, entry_id}: an
 *   entry whose blob was not put is 404 not_found "cache entry not found".
 * - GetCacheEntryDownloadURL {key, restore_keys, version} -> {ok,
 *   signed_download_url, matched_key}, or {ok: false} on a miss: in each scope
 *   the token may read, in its order (the job's ref, a pull request's base,
 *   the default branch), the key and then each restore key, an exact match
 *   first, else the newest entry the key prefixes; finalized entries of the
 *   same version only.
 * - GitHub's quotas (since 2026-01-16): at most 200 new entries a minute per
 *   repository (a tenant is one), the next CreateCacheEntry answered 429
 *   resource_exhausted "rate limit exceeded" with Retry-After in whole seconds
 *   (until the oldest entry of the last minute leaves it); a cache whose storage
 *   budget is spent is read-only: CreateCacheEntry 403 "insufficient usage …"
 *   (the toolkit's UsageError reads those words), lookups and blobs still served.
 *   The budget a minute is the tenant's to set (`setQuota`), 200 unless told.
 */
import { randomUUID } from 'node:crypto'
import {
  blobMount,
  signedBlobUrl,
  type BlobContainer,
  type StoredBlob
} from './azure-blob.js'
import {
  READ,
  ServiceError,
  startResultsService,
  WRITE,
  type Mount,
  type ResultsContext,
  type ResultsService,
  type Scope
} from './server.js'
import {
  text,
  twirpHandler,
  twirpRequestName,
  wrapped,
  type TwirpMethod
} from './twirp.js'

const SERVICE = 'CacheService'

interface CacheEntry extends StoredBlob {
  id: number
  /** The ref it lives under: the scope the saving job's token may write. */
  scope: string
  key: string
  version: string
  createdAt: Date
  finalized: boolean
  /** What FinalizeCacheEntryUpload said. */
  sizeBytes: number
  /** Its blob's name in the container. */
  blob: string
}

/** What the service lets the repository write, and what it refused so far. */
export interface CacheQuota {
  /** New entries a minute (200, GitHub's, unless told). */
  perMinute: number
  /** The storage budget spent: no new entry, reads served. */
  readOnly: boolean
  /** CreateCacheEntry calls answered 429. */
  throttled: number
  /** CreateCacheEntry calls refused as read-only. */
  refused: number
}

/** What tests read of the cache service, and the quota they set. */
interface CacheReads {
  /** The entries under `scope` (a ref), or every entry; finalized or not, oldest first. */
  entries(scope?: string): CacheEntry[]
  quota(): CacheQuota
  /** Sets the budget a minute or the read-only mode (the counts stay). */
  setQuota(quota: Partial<Pick<CacheQuota, 'perMinute' | 'readOnly'>>): void
}

/** GitHub's budget of new entries a minute per repository (changelog 2026-01-16). */
const ENTRIES_PER_MINUTE = 200
const MINUTE_MS = 60_000

/** The quota and the times of the last minute's new entries. */
interface QuotaState extends CacheQuota {
  created: number[]
}

/** Refuses a new entry the quota does not allow: read-only (403), or over the minute's budget (429). */
function spend(quota: QuotaState, now: number): void {
  if (quota.readOnly) {
    quota.refused++
    throw new ServiceError(
      403,
      'permission_denied',
      'insufficient usage to create cache entry'
    )
  }
  quota.created = quota.created.filter(at => at > now - MINUTE_MS)
  if (quota.created.length >= quota.perMinute) {
    quota.throttled++
    const freeAt =
      quota.created[quota.created.length - quota.perMinute] + MINUTE_MS
    const seconds = Math.max(1, Math.ceil((freeAt - now) / 1000))
    throw new ServiceError(429, 'resource_exhausted', 'rate limit exceeded', {
      'retry-after': String(seconds)
    })
  }
  quota.created.push(now)
}

export interface CacheService extends ResultsService, CacheReads {}

/** The ref a job's caches are saved under: the scope its token may write. */
function writableScope(scope: Scope): string {
  const writable = scope.cache.find(s => (s.permission & WRITE) !== 0)
  if (writable === undefined)
    throw new ServiceError(403, 'permission_denied', 'no cache scope to write')
  return writable.ref
}

/**
 * The entry `keys` find in `refs` (searched in order): per ref, each key's
 * exact match, else the newest entry it prefixes.
 */
function lookup(
  entries: CacheEntry[],
  refs: string[],
  keys: string[],
  version: string
): CacheEntry | undefined {
  for (const ref of refs) {
    const usable = entries.filter(
      e => e.finalized && e.scope === ref && e.version === version
    )
    for (const key of keys) {
      const prefixed = usable.filter(e => e.key.startsWith(key))
      const found =
        prefixed.find(e => e.key === key) ??
        prefixed.sort((a, b) => b.id - a.id)[0]
      if (found !== undefined) return found
    }
  }
  return undefined
}

function keyAndVersion(body: Record<string, unknown>) {
  const key = text(body, 'key')
  const version = text(body, 'version')
  if (key === '' || version === '')
    throw new ServiceError(
      400,
      'invalid_argument',
      'key and version are required'
    )
  return { key, version }
}

/** The cache service's twirp methods over `entries`, new ones within `quota`. */
function twirpMethods(
  entries: CacheEntry[],
  quota: QuotaState,
  signedUrl: (blob: string, permissions: 'r' | 'cw') => string
): Record<string, TwirpMethod> {
  let id = 1
  return {
    CreateCacheEntry(scope, body) {
      const { key, version } = keyAndVersion(body)
      const ref = writableScope(scope)
      if (
        entries.some(
          e => e.scope === ref && e.key === key && e.version === version
        )
      )
        throw new ServiceError(
          409,
          'already_exists',
          'cache entry with the same key, version, and scope already exists'
        )
      spend(quota, Date.now())
      const entry: CacheEntry = {
        id: id++,
        scope: ref,
        key,
        version,
        createdAt: new Date(),
        finalized: false,
        sizeBytes: 0,
        blob: randomUUID(),
        content: Buffer.alloc(0),
        contentType: ''
      }
      entries.push(entry)
      return { ok: true, signed_upload_url: signedUrl(entry.blob, 'cw') }
    },
    FinalizeCacheEntryUpload(scope, body) {
      const { key, version } = keyAndVersion(body)
      const ref = writableScope(scope)
      const entry = entries.find(
        e =>
          e.scope === ref &&
          e.key === key &&
          e.version === version &&
          !e.finalized
      )
      if (entry?.committedAt === undefined)
        throw new ServiceError(404, 'not_found', 'cache entry not found')
      entry.finalized = true
      entry.sizeBytes = Number(
        wrapped(body, 'size_bytes') ?? entry.content.length
      )
      return { ok: true, entry_id: String(entry.id) }
    },
    GetCacheEntryDownloadURL(scope, body) {
      const { key, version } = keyAndVersion(body)
      const restoreKeys = Array.isArray(body.restore_keys)
        ? body.restore_keys.filter((k): k is string => typeof k === 'string')
        : []
      const refs = scope.cache
        .filter(s => (s.permission & READ) !== 0)
        .map(s => s.ref)
      const entry = lookup(entries, refs, [key, ...restoreKeys], version)
      if (entry === undefined)
        return { ok: false, signed_download_url: '', matched_key: '' }
      return {
        ok: true,
        signed_download_url: signedUrl(entry.blob, 'r'),
        matched_key: entry.key
      }
    }
  }
}

/** The cache service over `entries`: its twirp API and the blobs its URLs point to. */
function cacheMount(
  context: ResultsContext,
  entries: CacheEntry[],
  quota: QuotaState
): Mount {
  const container: BlobContainer = {
    path: '/devstoreaccount1/actions-cache/',
    label: 'cache blob',
    find: name => entries.find(e => e.blob === name)
  }
  const blobs = blobMount(context, container)
  const methods = twirpMethods(entries, quota, (blob, permissions) =>
    signedBlobUrl(context, container, blob, permissions)
  )
  return {
    handlers: [twirpHandler(context, SERVICE, methods), ...blobs.handlers],
    requestName: (req, url) =>
      twirpRequestName(SERVICE)(req, url) ?? blobs.requestName(req, url)
  }
}

/** An empty cache service: its mount, and what tests read of it. */
export function cacheService(): {
  mount: (context: ResultsContext) => Mount
  reads: CacheReads
} {
  const entries: CacheEntry[] = []
  const quota: QuotaState = {
    perMinute: ENTRIES_PER_MINUTE,
    readOnly: false,
    throttled: 0,
    refused: 0,
    created: []
  }
  return {
    mount: context => cacheMount(context, entries, quota),
    reads: {
      entries: scope =>
        entries.filter(e => scope === undefined || e.scope === scope),
      quota: () => ({
        perMinute: quota.perMinute,
        readOnly: quota.readOnly,
        throttled: quota.throttled,
        refused: quota.refused
      }),
      setQuota: ({ perMinute, readOnly }) => {
        if (perMinute !== undefined) quota.perMinute = perMinute
        if (readOnly !== undefined) quota.readOnly = readOnly
      }
    }
  }
}

/** A results service with the cache service v2 only. */
export async function startCacheService(): Promise<CacheService> {
  const cache = cacheService()
  return { ...(await startResultsService(cache.mount)), ...cache.reads }
}
