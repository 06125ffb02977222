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
  quotaStep,
  quotaWords,
  writesCache,
  type QuotaReport
} from './cache-quota.js'
import type { Pipeline } from '../plan/steps.js'
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
  quota: QuotaReport
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

/**
 * One request relayed: as an empty cache once the service failed, a write refused once the cache
 * is read-only; a twirp call held, so that a 429 is waited out and the call sent again.
 */
function relayRequest(
  state: RelayState,
  req: IncomingMessage,
  res: ServerResponse
): void {
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
    return
  }
  const call = {
    state,
    req,
    res,
    target,
    blob: blob !== undefined,
    name,
    write
  }
  if (!twirp) return forward(call)
  buffer(req).then(
    body => forward({ ...call, body }),
    () => res.destroy()
  )
}

/**
 * Starts the relay to `upstream` (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL) on `host`, the address
 * BuildKit reaches this machine on.
 */
export async function startCacheRelay(
  upstream: string,
  idleMs: number,
  host = RELAY_HOST
) {
  const state: RelayState = {
    upstream: new URL(upstream),
    origin: '',
    blobPath: `${BLOBS}${randomUUID()}/`,
    idleMs,
    boundMs: readBoundMs(idleMs),
    signed: [],
    quota: { throttled: 0, waitedMs: 0 }
  }
  const { port, ...relay } = await startRelay(host, state, (req, res) =>
    relayRequest(state, req, res)
  )
  state.origin = `http://${host}:${port}`
  return {
    ...relay,
    url: `${state.origin}/`,
    takeQuota: toldOnce(() => quotaWords(state.quota))
  }
}
