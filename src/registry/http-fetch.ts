/**
 * The one HTTP client (registry, Sigstore, the engine's socket) over
 * node:http/https in fetch's shape: the first global fetch loads undici,
 * which costs 30–100 ms of a run on a 2-core runner.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { addAbortSignal, type Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'

/** What the registry client reads of a response: fetch's Response, less what it does not read. */
export type RegistryResponse = Pick<
  Response,
  // `url`: the URL that answered, after redirects
  'status' | 'statusText' | 'ok' | 'url' | 'text' | 'arrayBuffer'
> & {
  readonly headers: { get(name: string): string | null }
  readonly body: { cancel(): Promise<void> } | null
  json(): Promise<unknown>
}

export interface RegistryRequestInit {
  method: string
  headers?: Record<string, string>
  /** A stream is sent as it comes (the caller sets Content-Length); never redirected. */
  body?: Uint8Array | string | Readable
  /** Aborts the round trip, the body's reading included. */
  signal?: AbortSignal
  /** A unix socket to ask instead of the URL's host (the engine's). */
  socketPath?: string
  /** The answer may come while a streamed body is still sent (the engine's load). */
  answersEarly?: boolean
}

/** A response whose body may be read as the stream it comes as. */
export interface HttpResponse extends RegistryResponse {
  readonly stream: Readable
}

/** The fetch the registry client needs; the global fetch fits it too. */
export type RegistryFetch = (
  url: URL,
  init: RegistryRequestInit
) => Promise<RegistryResponse>

// fetch's limit is 20; registries redirect blobs once, to their storage
const MAX_REDIRECTS = 10
const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** fetch's errors: a TypeError whose cause is the socket's error. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause })
}

/** Why the signal aborted (a TimeoutError from AbortSignal.timeout), as fetch rejects. */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason
  // a DOMException; not always `instanceof Error` across realms (jest's vm)
  return typeof reason === 'object' && reason !== null
    ? (reason as Error)
    : new Error('aborted')
}

/** The body read whole; the signal's abort, before or while it is read, rejects as fetch does. */
async function readBody(
  message: IncomingMessage,
  signal: AbortSignal | undefined
): Promise<Buffer> {
  if (signal) addAbortSignal(signal, message)
  try {
    return await buffer(message)
  } catch (error) {
    throw signal?.aborted ? abortReason(signal) : fetchFailed(error)
  }
}

/** Statuses that never carry a body (and HEAD answers): nothing to read. */
const NO_BODY = new Set([204, 304])

function responseOf(
  url: URL,
  method: string,
  message: IncomingMessage,
  signal: AbortSignal | undefined
): HttpResponse {
  const status = message.statusCode ?? 0
  const bodyless = method === 'HEAD' || NO_BODY.has(status)
  // drained at once, so the connection goes back to the agent (an unread
  // answer would hold its socket, and the process, open)
  if (bodyless) message.resume()
  let body: Promise<Buffer> | undefined = bodyless
    ? Promise.resolve(Buffer.alloc(0))
    : undefined
  const bytes = () => (body ??= readBody(message, signal))
  return {
    stream: message,
    status,
    statusText: message.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    url: url.href,
    headers: {
      get(name) {
        const value = message.headers[name.toLowerCase()]
        return Array.isArray(value) ? value.join(', ') : (value ?? null)
      }
    },
    body: bodyless
      ? null
      : {
          cancel() {
            // as fetch: a body not all here yet closes the connection
            if (message.complete) message.resume()
            else message.destroy()
            return Promise.resolve()
          }
        },
    text: async () => (await bytes()).toString('utf8'),
    json: async () => JSON.parse((await bytes()).toString('utf8')) as unknown,
    arrayBuffer: async () => new Uint8Array(await bytes()).buffer
  }
}

/** A body sent as it comes: any stream with pipe (tar-stream's is not node's Readable). */
const streamed = (body: RegistryRequestInit['body']): body is Readable =>
  typeof body === 'object' && !(body instanceof Uint8Array)

/** Who is asking, for the registry's logs (fetch sent undici's name). */
const USER_AGENT = 'docker-publish-action'

/** One request, no redirect followed; rejects as fetch does. */
export function roundTrip(
  url: URL,
  init: RegistryRequestInit
): Promise<HttpResponse> {
  const { signal, body, socketPath } = init
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal))
    const headers = {
      'user-agent': USER_AGENT,
      ...init.headers,
      ...(body === undefined || streamed(body)
        ? {}
        : { 'content-length': Buffer.byteLength(body) })
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const request = send(url, { method: init.method, headers, socketPath })
    // a stream not all sent (the answer came early, or the request failed) is closed
    const closeBody = () => {
      if (streamed(body) && !body.readableEnded) body.destroy()
    }
    const abort = () => {
      request.destroy()
      closeBody()
      reject(abortReason(signal))
    }
    signal?.addEventListener('abort', abort, { once: true })
    request.on('error', error => {
      signal?.removeEventListener('abort', abort)
      closeBody()
      reject(fetchFailed(error))
    })
    request.on('response', message => {
      signal?.removeEventListener('abort', abort)
      if (!init.answersEarly) closeBody()
      resolve(responseOf(url, init.method, message, signal))
    })
    if (streamed(body)) {
      body.on('error', error => request.destroy(error))
      body.pipe(request)
    } else request.end(body)
  })
}

/** The request the redirect asks for, as fetch makes it. */
function redirected(
  from: URL,
  to: URL,
  status: number,
  init: RegistryRequestInit
): RegistryRequestInit {
  const toGet =
    status === 303
      ? init.method !== 'HEAD'
      : (status === 301 || status === 302) && init.method === 'POST'
  const headers = { ...init.headers }
  // the origin rule (origin.ts): credentials never follow a redirect to
  // another origin (blob storage), nor from https to http (another origin too)
  if (to.origin !== from.origin) {
    for (const name of Object.keys(headers))
      if (name.toLowerCase() === 'authorization') delete headers[name]
    // a body may hold a credential too (Fulcio's request holds the OIDC token)
    if (!toGet && init.body !== undefined)
      throw new Error(
        `${from.origin} redirected a request with a body to ${to.origin}: not sent there`
      )
  }
  return toGet
    ? { ...init, method: 'GET', headers, body: undefined }
    : { ...init, headers }
}

/** fetch over node:http/https: follows redirects, honours the signal. */
export async function httpFetch(
  url: URL,
  init: RegistryRequestInit
): Promise<RegistryResponse> {
  let current = url
  let request = init
  for (let hops = 0; ; hops++) {
    const response = await roundTrip(current, request)
    const location = response.headers.get('location')
    // a streamed body is spent: its redirect is the caller's to judge
    if (
      !REDIRECTS.has(response.status) ||
      location === null ||
      streamed(request.body)
    )
      return response
    await response.body?.cancel()
    if (hops >= MAX_REDIRECTS)
      throw fetchFailed(new Error(`more than ${MAX_REDIRECTS} redirects`))
    const next = new URL(location, current)
    request = redirected(current, next, response.status, request)
    current = next
  }
}
