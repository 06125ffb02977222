/**
 * One logical registry request: per-request timeout, authentication (up
 * front when the scheme is known, else on the 401 challenge), classified
 * errors, and bounded retries around the whole exchange.
 */
import type {
  RegistryFetch,
  RegistryRequestInit,
  RegistryResponse
} from './http-fetch.js'
import { type CredentialsLookup, RegistryAuth } from './auth.js'
import { authFailed, classifyNetworkError, responseFailure } from './errors.js'
import type { RegistryEndpoint } from '../reference/repository.js'
import { withRetry } from './retry.js'
import { assertAnsweredByEndpoint, endpointUrl } from './origin.js'

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

export interface TransportOptions {
  credentials: CredentialsLookup
  retries: number
  sleep: (ms: number) => Promise<void>
  fetch: RegistryFetch
  requestTimeoutMs: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** Told each HTTP round trip: `METHOD url status` (or why it failed). */
  debug?: (message: string) => void
}

export interface RegistryRequest {
  // POST only for blob mounts, which are safe to repeat
  method: 'GET' | 'HEAD' | 'PUT' | 'POST'
  /**
   * A path on the endpoint ("/v2/x/tags/list?n=2") or a same-origin URL (a
   * next page, an upload's Location); another origin is refused.
   */
  path: string
  headers?: Record<string, string>
  body?: Uint8Array
  /** Token scope ("repository:x:pull"); ignored unless the registry uses Bearer. */
  scope?: string
  /** false: never authenticate (ping). */
  authenticate?: boolean
}

/** Reads a response; throw `fail()` for statuses it does not accept. */
export type ResponseReader<T> = (
  response: RegistryResponse,
  fail: () => Promise<Error>
) => Promise<T>

export interface Transport {
  request<T>(
    endpoint: RegistryEndpoint,
    request: RegistryRequest,
    read: ResponseReader<T>
  ): Promise<T>
}

export function createTransport(options: TransportOptions): Transport {
  return new RegistryTransport(options)
}

class RegistryTransport implements Transport {
  private readonly auth: RegistryAuth

  constructor(private readonly options: TransportOptions) {
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
        throw classifyNetworkError(
          registry,
          error,
          this.options.requestTimeoutMs
        )
      }
    }
    return withRetry(operation, {
      retries: this.options.retries,
      sleep: this.options.sleep,
      baseDelayMs: this.options.baseDelayMs,
      maxDelayMs: this.options.maxDelayMs,
      describe: `registry ${registry}: ${what}`
    })
  }

  /** One HTTP round trip, bounded by the request timeout (body included). */
  private async send(
    url: URL,
    init: RegistryRequestInit
  ): Promise<RegistryResponse> {
    const what = `${init.method ?? 'GET'} ${url.href}`
    const response = await this.options
      .fetch(url, {
        ...init,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.options.requestTimeoutMs)
      })
      .catch((error: unknown) => {
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
    const attempt = (authorization?: string): Promise<RegistryResponse> =>
      this.send(url, {
        method: request.method,
        headers: {
          ...request.headers,
          ...(authorization ? { Authorization: authorization } : {})
        },
        body: request.body
      })
    if (request.authenticate === false) {
      const response = await attempt()
      this.auth.notice(endpoint, response)
      return response
    }
    const upFront = await this.auth.upFront(registry, request.scope)
    const first = await attempt(upFront?.header)
    if (first.status !== 401) return first
    await first.body?.cancel()
    assertAnsweredByEndpoint(endpoint, first.url)
    if (upFront !== undefined && !upFront.reused) {
      throw authFailed(registry, first, this.auth.username(registry))
    }
    // A cached token may have expired: drop it and answer the challenge.
    if (upFront?.reused) this.auth.forget(registry, request.scope)
    const answer = await this.auth.answer(endpoint, first, request.scope)
    const second = await attempt(answer.header)
    if (second.status === 401) {
      await second.body?.cancel()
      throw authFailed(registry, second, this.auth.username(registry))
    }
    return second
  }
}
