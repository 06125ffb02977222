/**
 * GitHub's cache service, relayed on loopback with a deadline. BuildKit's client for it bounds no
 * request and retries a 429 or 5xx for minutes, and a request in flight holds the builder's whole
 * BuildKit (the docker driver's is dockerd's): even a build without the cache waits for it. The
 * relay ends that: the first time the service fails (silent for `idleMs`, a 429, a 5xx, a lost
 * connection) it answers as a cache that holds nothing, at once, for the rest of the run (a
 * lookup misses, a reservation is refused, a blob is not found), and says what failed. No library
 * fits: a forward proxy would not see the requests (buildx is given the service's URL), and the
 * signed blob URLs in the answers must come back through the relay too.
 */
import { randomUUID } from 'node:crypto'
import {
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import { request as httpsRequest } from 'node:https'
import { buffer, text } from 'node:stream/consumers'
import { lineAttributes } from '../csv/csv.js'
import { cacheLines } from './cache-watch.js'
import { readBoundMs } from '../settings/bounds.js'
import {
  noWrites,
  quotaStep,
  quotaWords,
  writesCache,
  writeWords,
  type WriteReport
} from './cache-quota.js'
import type { Pipeline } from '../plan/steps.js'
import { openSpool, type CacheSpool } from './cache-spool.js'
import { cacheWriter, type CacheWriter } from './cache-writer.js'
import {
  answerMissing,
  giveUpRequest,
  RELAY_HOST,
  startRelay,
  toldOnce
} from './relay-server.js'

/**
 * A started relay: its origin (`url`, with a trailing slash as ACTIONS_RESULTS_URL has it), what
 * failed first (`takeFault`: from then on the cache holds nothing) and what the quotas cost the run
 * (`takeQuota`: a warning and the summary's line), each told once, and its end.
 */
export type CacheRelay = Awaited<ReturnType<typeof startCacheRelay>>

/**
 * Whether a build of the pipeline reads GitHub's cache service at the URL buildx takes from its
 * environment, the one a relay stands in for: a `type=gha` cache line in its argv that names no
 * `url`/`url_v2` of its own.
 */
export function readsServiceFromEnv(
  pipeline: Pick<Pipeline, 'stage'>
): boolean {
  return pipeline.stage.some(
    step =>
      'argv' in step &&
      cacheLines(step.argv).some(line => {
        const attributes = lineAttributes(line)
        return (
          attributes.get('type') === 'gha' &&
          !attributes.has('url') &&
          !attributes.has('url_v2')
        )
      })
  )
}

/** The answers' fields that hold a signed URL of the blob store (v2 service; v1's archive). */
const SIGNED_URL_FIELDS = [
  'signed_upload_url',
  'signed_download_url',
  'archiveLocation'
]

/** Where the relay's handed-out blob URLs live (each under the relay's own secret folder). */
const BLOBS = '/blob/'

/** Headers a hop does not pass on. */
const HOP_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding'
])

/** A message's headers, less those a hop does not pass on. */
const endToEndHeaders = (message: IncomingMessage) =>
  Object.fromEntries(
    Object.entries(message.headers).filter(([name]) => !HOP_HEADERS.has(name))
  )

/** A signed URL with the client's own query added (the Azure SDK appends comp=, blockid=). */
function withClientQuery(signed: string, clientUrl: string): URL {
  const target = new URL(signed)
  const query = new URL(clientUrl, 'http://relay').searchParams
  for (const [name, value] of query) target.searchParams.append(name, value)
  return target
}

/**
 * The answer of a cache that holds nothing: a twirp call's `ok: false` (a miss, a reservation
 * refused), a blob not found; final for the client, which tries none of them again.
 */
function answerEmpty(res: ServerResponse, path: string): void {
  if (res.headersSent || !path.includes('/twirp/')) answerMissing(res)
  else
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"ok":false}')
}

/** What the relay knows: where it relays to, the URLs it handed out, the first fault. */
interface RelayState {
  upstream: URL
  origin: string
  /**
   * Where the signed URLs are handed out, unguessable: on a bridge's gateway, the job's other
   * containers reach the relay too, and a signed URL needs no token.
   */
  blobPath: string
  idleMs: number
  /** The longest a throttled call waits (the run's cache bound). */
  boundMs: number
  signed: string[]
  failed?: string
  quota: WriteReport
  /** The v2 service's new entries, accepted at once and written beside the release. */
  spool?: CacheSpool
  writer?: CacheWriter
}

/** An answer's signed URLs, handed out as the relay's own. */
function handOutSigned(state: RelayState, body: Buffer): Buffer {
  try {
    const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>
    for (const field of SIGNED_URL_FIELDS) {
      const value = json[field]
      if (typeof value !== 'string' || !/^https?:\/\//.test(value)) continue
      json[field] =
        `${state.origin}${state.blobPath}${state.signed.push(value) - 1}`
    }
    return Buffer.from(JSON.stringify(json))
  } catch {
    return body
  }
}

/** The service's answer passed on: a blob as it streams, a twirp answer its URLs handed out. */
function passOn(
  state: RelayState,
  answer: IncomingMessage,
  res: ServerResponse,
  blob: boolean
): void {
  const headers = endToEndHeaders(answer)
  const json = /json/.test(String(answer.headers['content-type'] ?? ''))
  if (blob || !json) {
    res.writeHead(answer.statusCode ?? 502, headers)
    answer.pipe(res)
    return
  }
  // a broken answer is the relay's fault to tell (its 'error' listener)
  buffer(answer).then(
    body => {
      delete headers['content-length']
      res
        .writeHead(answer.statusCode ?? 502, headers)
        .end(handOutSigned(state, body))
    },
    () => undefined
  )
}

/**
 * Where a request for the service goes: its own path stays in front (ACTIONS_CACHE_URL has one).
 * Undefined for a path that names another host (`//host/x`) or none: the relay, reached from the
 * job's containers on a bridge, sends nothing but to the service.
 */
function serviceTarget(upstream: URL, path: string): URL | undefined {
  try {
    const target = new URL(
      upstream.pathname.replace(/\/$/, '') + path,
      upstream
    )
    return target.origin === upstream.origin ? target : undefined
  } catch {
    return undefined
  }
}

/** One request on its way: where it goes, what it is, its body when it is held to be sent again. */
interface Call {
  state: RelayState
  req: IncomingMessage
  res: ServerResponse
  target: URL
  /** To the blob store (a signed URL), not the service. */
  blob: boolean
  /** As the relay names it in a fault: the twirp method, or the blob's verb. */
  name: string
  write: boolean
  /** A twirp call's body, held: a 429 is waited out and the call sent again. */
  body?: Buffer
}

/** A twirp error's `msg`, '' when the body has none. */
function twirpMessage(text: string): string {
  try {
    const { msg } = JSON.parse(text) as { msg?: unknown }
    return typeof msg === 'string' ? msg : ''
  } catch {
    return ''
  }
}

/** An answer the quotas may be behind (a 429, a 5xx, a write refused 403), read and decided. */
async function decide(
  call: Call,
  answer: IncomingMessage,
  tries: number
): Promise<void> {
  const { state, res } = call
  const status = answer.statusCode ?? 502
  const body = await text(answer)
  const step = quotaStep(
    {
      request: call.name,
      status,
      retryAfter: answer.headers['retry-after'],
      message: twirpMessage(body),
      write: call.write
    },
    { tries, runWaitedMs: state.quota.waitedMs },
    state.boundMs,
    Date.now()
  )
  if (step.kind === 'relay')
    res.writeHead(status, endToEndHeaders(answer)).end(body)
  else if (step.kind === 'wait' && call.body !== undefined) {
    state.quota.throttled++
    state.quota.waitedMs += step.ms
    const again = setTimeout(() => forward(call, tries + 1), step.ms)
    res.on('close', () => clearTimeout(again))
  } else {
    if (step.kind === 'read-only') state.quota.readOnly ??= step.why
    // a streamed request (a blob, v1's calls) cannot be sent again: a 429 is a failure there
    else
      state.failed ??=
        step.kind === 'wait' ? `${call.name} was answered 429` : step.why
    answerEmpty(res, call.req.url ?? '/')
  }
}

/** Whether the quotas may be behind an answer of `status`: it is read before it is passed on. */
const quotaAnswer = (status: number, write: boolean): boolean =>
  status === 429 || status >= 500 || (status === 403 && write)

/** The call sent (again, after a throttle's wait: `tries` 429s so far), its answer passed on. */
function forward(call: Call, tries = 0): void {
  const { state, req, res, target } = call
  if (res.destroyed) return
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  // the runtime token to the service only, never to the blob store's host; a twirp call asks for
  // an uncompressed answer (its URLs are read and handed out)
  const headers = endToEndHeaders(req)
  if (call.blob) delete headers.authorization
  else delete headers['accept-encoding']
  const outgoing = send(target, { method: req.method, headers })
  // a client that went away (a cancelled build, a read from another offset) is no fault
  const giveUp = giveUpRequest(
    state,
    call.name,
    res,
    () => outgoing.destroy(),
    () => answerEmpty(res, req.url ?? '/')
  )
  // silence for idleMs, on either side, ends the request
  outgoing.setTimeout(state.idleMs, () => giveUp())
  outgoing.on('error', giveUp)
  outgoing.on('response', answer => {
    answer.on('error', giveUp)
    if (quotaAnswer(answer.statusCode ?? 502, call.write))
      decide(call, answer, tries).catch((error: unknown) =>
        giveUp(`failed: ${String(error)}`)
      )
    else passOn(state, answer, res, call.blob)
  })
  if (call.body === undefined) req.pipe(outgoing)
  else outgoing.end(call.body)
}

/** Where the spool's blobs are handed out, under the relay's secret folder. */
const SPOOLED = 'spool/'

/** The v2 service's calls the spool answers itself. */
const V2 = '/twirp/github.actions.results.api.v1.CacheService/'

/** A twirp answer of the relay's own. */
const answerTwirp = (res: ServerResponse, status: number, body: object) =>
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify(body))

/** A field's text, '' when it holds none. */
const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : ''

/** A spooled call's `key`, `version` and a lookup's restore keys. */
const entryCall = (body: Buffer) => {
  const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>
  return {
    key: textOf(json.key),
    version: textOf(json.version),
    restoreKeys: Array.isArray(json.restore_keys)
      ? json.restore_keys.map(textOf)
      : []
  }
}

/**
 * A v2 call on the run's new entries, answered from the spool: a new entry made there (one of the
 * run's own again is 409 already_exists, which BuildKit reads as written), finalized there and
 * queued for the writer, a lookup the run's own entries match. Others go to the service.
 */
function spoolCall(
  state: RelayState,
  spool: CacheSpool,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer
): boolean {
  const { key, version, restoreKeys } = entryCall(body)
  const url = (n: number) => `${state.origin}${state.blobPath}${SPOOLED}${n}`
  if (method === 'CreateCacheEntry') {
    const authorization = req.headers.authorization
    if (authorization === undefined) return false
    state.writer ??= cacheWriter(
      {
        upstream: state.upstream,
        authorization,
        boundMs: state.boundMs,
        idleMs: state.idleMs
      },
      state.quota
    )
    const n = spool.create(key, version)
    if (n === undefined)
      answerTwirp(res, 409, {
        code: 'already_exists',
        msg: 'cache entry with the same key, version, and scope already exists'
      })
    else answerTwirp(res, 200, { ok: true, signed_upload_url: url(n) })
    return true
  }
  if (method === 'FinalizeCacheEntryUpload') {
    const entry = spool.finalize(key, version)
    if (entry === undefined)
      answerTwirp(res, 404, { code: 'not_found', msg: 'cache entry not found' })
    else {
      state.writer?.add(entry)
      answerTwirp(res, 200, { ok: true, entry_id: '0' })
    }
    return true
  }
  const own = spool.lookup([key, ...restoreKeys], version)
  if (own === undefined) return false
  answerTwirp(res, 200, {
    ok: true,
    signed_download_url: url(own.n),
    matched_key: own.key
  })
  return true
}

/**
 * Whether the spool took the request: a blob of its own, or a v2 call on the run's entries (the
 * others go on to the service, their body held).
 */
function spooled(
  state: RelayState,
  spool: CacheSpool,
  req: IncomingMessage,
  res: ServerResponse
): boolean {
  const path = req.url ?? '/'
  const own = `${state.blobPath}${SPOOLED}`
  if (path.startsWith(own)) {
    const n = Number(path.slice(own.length).split('?')[0])
    spool.serve(n, req, res).catch(() => res.destroy())
    return true
  }
  const at = path.indexOf(V2)
  if (at === -1 || state.failed) return false
  const method = path.slice(at + V2.length).split('?')[0]
  buffer(req).then(
    body => {
      let taken = false
      try {
        taken = spoolCall(state, spool, method, req, res, body)
      } catch {
        // a body that is not JSON goes to the service, which answers it
      }
      if (!taken) forwardHeld(callOf(state, req, res), body)
    },
    () => res.destroy()
  )
  return true
}

/**
 * A request as the relay sends it on, or undefined once answered as an empty cache (the service
 * failed, a write once the cache is read-only, a path that names nothing of the service's).
 */
function callOf(
  state: RelayState,
  req: IncomingMessage,
  res: ServerResponse
): Call | undefined {
  const path = req.url ?? '/'
  const blob = path.startsWith(state.blobPath)
    ? state.signed[Number(path.slice(state.blobPath.length).split('?')[0])]
    : undefined
  const target =
    blob === undefined
      ? serviceTarget(state.upstream, path)
      : withClientQuery(blob, path)
  const twirp = blob === undefined && path.includes('/twirp/')
  const name =
    blob === undefined
      ? (path.split('/').pop()?.split('?')[0] ?? '')
      : `a blob ${req.method ?? ''}`
  const write = writesCache(req.method ?? '', twirp ? name : '')
  if (
    (path.startsWith(BLOBS) && blob === undefined) ||
    !target ||
    state.failed ||
    (write && state.quota.readOnly)
  ) {
    answerEmpty(res, path)
    return undefined
  }
  return { state, req, res, target, blob: blob !== undefined, name, write }
}

/** A twirp call's body, held so that a 429 is waited out and the call sent again. */
function forwardHeld(call: Call | undefined, body: Buffer): void {
  if (call) forward({ ...call, body })
}

/**
 * One request relayed: the spool's own, else as an empty cache once the service failed, a write
 * refused once the cache is read-only; a twirp call held.
 */
function relayRequest(
  state: RelayState,
  req: IncomingMessage,
  res: ServerResponse
): void {
  if (state.spool && spooled(state, state.spool, req, res)) return
  const call = callOf(state, req, res)
  if (!call) return
  if (!(req.url ?? '/').includes('/twirp/') || call.blob) return forward(call)
  buffer(req).then(
    body => forwardHeld(call, body),
    () => res.destroy()
  )
}

/**
 * Starts the relay to `upstream` (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL) on `host`, the address
 * BuildKit reaches this machine on; the v2 service's new entries spooled under `spoolIn`
 * (RUNNER_TEMP) where it is given.
 */
export async function startCacheRelay(
  upstream: string,
  idleMs: number,
  host = RELAY_HOST,
  spoolIn?: string
) {
  const state: RelayState = {
    upstream: new URL(upstream),
    origin: '',
    blobPath: `${BLOBS}${randomUUID()}/`,
    idleMs,
    boundMs: readBoundMs(idleMs),
    signed: [],
    quota: noWrites(),
    ...(spoolIn !== undefined && { spool: openSpool(spoolIn) })
  }
  const { port, ...relay } = await startRelay(host, state, (req, res) =>
    relayRequest(state, req, res)
  )
  state.origin = `http://${host}:${port}`
  return {
    ...relay,
    url: `${state.origin}/`,
    // the spool's writes are told as the run ends (`finish`)
    takeQuota: toldOnce(() =>
      state.writer ? undefined : quotaWords(state.quota)
    ),
    /**
     * The relay ended and its spooled entries' fate: the writes under way end, what is left is
     * handed over in the spool's folder (`handedOver`, for the post step), or the spool removed;
     * in words (writeWords), undefined when nothing was spooled.
     */
    async finish() {
      await relay.close()
      const left = (await state.writer?.stop()) ?? []
      const { spool } = state
      if (spool === undefined) return undefined
      if (left.length === 0) spool.remove()
      else
        spool.handOver({
          boundMs: state.boundMs,
          idleMs: state.idleMs,
          entries: left
        })
      return {
        handedOver: left.length === 0 ? undefined : spool.dir,
        words: writeWords(state.quota, left.length, false)
      }
    }
  }
}
