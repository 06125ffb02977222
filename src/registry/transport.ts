/**
 * One logical registry request: timeout, authentication (up front, else on
 * the 401), classified errors, and bounded retries around the exchange.
 */
import { Readable, Transform } from 'node:stream'
import {
  httpFetch,
  type RegistryFetch,
  type RegistryRequestInit,
  type RegistryResponse
} from './http-fetch.js'
import { type CredentialsLookup, RegistryAuth } from './auth.js'
import {
  authFailed,
  classifyNetworkError,
  responseFailure
} from './registry-error.js'
import type {
  RegistryEndpoint,
  RepositoryReference
} from '../reference/repository.js'
import { withRetry, type RetryOptions } from './retry.js'
import { assertAnsweredByEndpoint, endpointUrl } from './origin.js'

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

export interface TransportOptions extends Omit<
  RetryOptions,
  'describe' | 'random'
> {
  /** Credentials per registry ("docker.io", "ghcr.io", "127.0.0.1:5001"). */
  credentials: CredentialsLookup
  /** Default: httpFetch. */
  fetch?: RegistryFetch
  /** Per HTTP round trip, body included; default 30 s. */
  requestTimeoutMs?: number
  /** Told each HTTP round trip: `METHOD url status` (or why it failed). */
  debug?: (message: string) => void
}

/** A body streamed from its source (a blob file), opened afresh for each round trip. */
interface StreamBody {
  size: number
  open(): Readable
  /** Told the bytes of this round trip's body sent so far. */
  onBytes?: (sent: number) => void
}

export interface RegistryRequest {
  // POST opens an upload or mounts a blob, PATCH sends a chunk of an upload
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'
  /**
   * A path on the endpoint ("/v2/x/tags/list?n=2") or a same-origin URL (a next page, an upload's
   * Location); another origin is refused.
   */
  path: string
  headers?: Record<string, string>
  body?: Uint8Array | StreamBody
  /** Token scope ("repository:x:pull"); ignored unless the registry uses Bearer. */
  scope?: string
  /** false: never authenticate (ping). */
  authenticate?: boolean
  /** false: one attempt, the caller retries (an upload resumes where the registry is). */
  retry?: boolean
  /** Ends the round trip early: its caller gave up on it (a relayed read). */
  signal?: AbortSignal
}

/** Reads a response; throw `fail()` for statuses it does not accept. */
export type ResponseReader<T> = (
  response: RegistryResponse,
  fail: () => Promise<Error>
) => Promise<T>

/** A reader for a GET that may find nothing: a 404 is undefined, other failures throw. */
export function orMissing<T>(
  read: (response: RegistryResponse) => T | Promise<T>
): ResponseReader<T | undefined> {
  return async (response, fail) => {
    if (response.status === 404) {
      await response.body?.cancel()
      return undefined
    }
    if (!response.ok) throw await fail()
    return read(response)
  }
}

/** The token scopes of a repository (RegistryRequest's `scope`). */
export const pullScope = (ref: RepositoryReference): string =>
  `repository:${ref.repository}:pull`
export const pushScope = (ref: RepositoryReference): string =>
  `repository:${ref.repository}:pull,push`

export class Transport {
  private readonly auth: RegistryAuth
  private readonly timeoutMs: number

  constructor(private readonly options: TransportOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.auth = new RegistryAuth(options.credentials, (url, init) =>
      this.send(url, init)
    )
  }

  async request<T>(
    endpoint: RegistryEndpoint,
    request: RegistryRequest,
    read: ResponseReader<T>
  ): Promise<T> {
    const { registry } = endpoint
    const url = endpointUrl(endpoint, request.path)
    const what = `${request.method} ${url.href}`
    const operation = async (): Promise<T> => {
      try {
        const response = await this.exchange(endpoint, request, url)
        return await read(response, () =>
          responseFailure(response, {
            registry,
            request: what,
            username: this.auth.username(registry)
          })
        )
      } catch (error) {
        throw classifyNetworkError(registry, error, this.timeoutMs)
      }
    }
    // the caller's retry sees the TransientError itself
    if (request.retry === false) return operation()
    return this.retry(operation, `registry ${registry}: ${what}`)
  }

  /** A Bearer token for `scope` alone, asked afresh; undefined where the registry takes Basic. */
  async freshToken(
    endpoint: RegistryEndpoint,
    scope: string
  ): Promise<string | undefined> {
    const { registry } = endpoint
    const operation = () =>
      this.auth.freshToken(registry, scope).catch((error: unknown) => {
        throw classifyNetworkError(registry, error, this.timeoutMs)
      })
    return this.retry(operation, `registry ${registry}: a token for ${scope}`)
  }

  /**
   * `operation` tried again after a TransientError, as the options say (an upload's steps too);
   * `describe` names it in the final error.
   */
  retry<T>(operation: () => Promise<T>, describe: string): Promise<T> {
    return withRetry(operation, { ...this.options, describe })
  }

  /**
   * One HTTP round trip, bounded by the request timeout: the whole of it, or a stream's each
   * silence.
   */
  private async send(
    url: URL,
    init: RegistryRequestInit,
    stream?: StreamBody
  ): Promise<RegistryResponse> {
    const what = `${init.method} ${url.href}`
    const { timeoutMs } = this
    const stall = stream && stallWatch(stream, timeoutMs)
    const bound = stall?.signal ?? AbortSignal.timeout(timeoutMs)
    const fetch = this.options.fetch ?? httpFetch
    const response = await fetch(url, {
      ...init,
      ...(stall ? { body: stall.body } : {}),
      signal: init.signal ? AbortSignal.any([init.signal, bound]) : bound
    }).catch((error: unknown) => {
      this.options.debug?.(`${what} failed: ${String(error)}`)
      throw error
    })
    this.options.debug?.(`${what} ${response.status}`)
    return response
  }

  /** The request with credentials: up front if the scheme is known, else after the 401. */
  private async exchange(
    endpoint: RegistryEndpoint,
    request: RegistryRequest,
    url: URL
  ): Promise<RegistryResponse> {
    const { registry } = endpoint
    const { body } = request
    const stream = body instanceof Uint8Array ? undefined : body
    const attempt = (authorization?: string): Promise<RegistryResponse> =>
      this.send(
        url,
        {
          method: request.method,
          headers: {
            ...request.headers,
            ...(stream ? { 'Content-Length': String(stream.size) } : {}),
            ...(authorization ? { Authorization: authorization } : {})
          },
          body: body instanceof Uint8Array ? body : undefined,
          signal: request.signal
        },
        stream
      )
    if (request.authenticate === false) {
      const response = await attempt()
      this.auth.notice(endpoint, response)
      return response
    }
    const { scope } = request
    const refused = (response: RegistryResponse) =>
      authFailed(registry, response, this.auth.username(registry), scope)
    const upFront = await this.auth.upFront(registry, scope)
    const first = await attempt(upFront?.header)
    if (first.status !== 401) return first
    await first.body?.cancel()
    assertAnsweredByEndpoint(endpoint, first.url)
    if (upFront !== undefined && !upFront.reused) throw refused(first)
    // A cached token may have expired: drop it and answer the challenge.
    if (upFront?.reused) this.auth.forget(registry, scope)
    const answer = await this.auth.answer(endpoint, first, scope)
    const second = await attempt(answer.header)
    if (second.status !== 401) return second
    await second.body?.cancel()
    throw refused(second)
  }
}

/**
 * The bytes a socket may still hold after the last one (the kernel's send
 * buffer, a proxy's), and the slowest link they may drain at: the answer
 * may come that much later and still not be a hang.
 */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024
const SLOWEST_BYTES_PER_SECOND = 8 * 1024

/** How long the answer may take after the last byte of `sent` went out. */
export function answerWindowMs(sent: number, timeoutMs: number): number {
  const draining = Math.min(sent, IN_FLIGHT_BYTES) / SLOWEST_BYTES_PER_SECOND
  return timeoutMs + Math.ceil(draining * 1000)
}

/**
 * The stream's body counted on its way out, and a signal that aborts once
 * no byte was taken by the socket for `timeoutMs` (the pipe only pulls when
 * it drains), or no answer came within answerWindowMs of the last byte.
 */
function stallWatch(stream: StreamBody, timeoutMs: number) {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const arm = (ms = timeoutMs) => {
    clearTimeout(timer)
    // a stall aborts with the TimeoutError AbortSignal.timeout gives (classified alike)
    const stalled = () =>
      controller.abort(
        new DOMException(`nothing moved for ${ms} ms`, 'TimeoutError')
      )
    timer = setTimeout(stalled, ms)
    timer.unref()
  }
  let sent = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length
      arm()
      stream.onBytes?.(sent)
      done(null, chunk)
    },
    flush(done) {
      arm(answerWindowMs(sent, timeoutMs))
      done()
    }
  })
  const source = stream.open()
  source.on('error', error => counter.destroy(error))
  counter.on('close', () => source.destroy())
  arm()
  return { body: source.pipe(counter), signal: controller.signal }
}
