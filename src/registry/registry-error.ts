/**
 * Turning failed requests into errors whose message starts with
 * `registry <host>:`: TransientError for what is worth retrying,
 * RegistryError for what is not. No message ever holds a password.
 */
import type { RegistryResponse } from './http-fetch.js'
import { TransientError } from './retry.js'
import { pickChallenge } from './challenge.js'
import { isTag, sha256Digest } from '../reference/grammar.js'

/** A failure that retrying will not fix (auth, bad request, bad name…). */
export class RegistryError extends Error {
  /** The code the registry's answer gave (`DIGEST_INVALID`…), where it gave one. */
  readonly answerCode?: string

  constructor(
    readonly registry: string,
    detail: string,
    readonly status?: number,
    options?: ErrorOptions & { answerCode?: string }
  ) {
    super(`registry ${registry}: ${detail}`, options)
    this.name = 'RegistryError'
    this.answerCode = options?.answerCode
  }
}

/** Network error codes that another try will not fix. */
const PERMANENT_CODES: Record<string, string> = {
  ENOTFOUND: 'host not found',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is it plain http?)'
}

const TRANSIENT_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled'
}

function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** Classifies an error of fetch or of a body's read; others are returned unchanged. */
export function classifyNetworkError(
  registry: string,
  error: unknown,
  timeoutMs: number
): unknown {
  // by name, not instanceof: fetch's errors may come from another realm
  const { name, message } = (error ?? {}) as {
    name?: unknown
    message?: unknown
  }
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new TransientError(`no response within ${timeoutMs} ms`, {
      cause: error
    })
  }
  if (name !== 'TypeError') return error
  const code = errorCode(error)
  if (code !== undefined && code in PERMANENT_CODES)
    return new RegistryError(
      registry,
      `${PERMANENT_CODES[code]} (${code})`,
      undefined,
      { cause: error }
    )
  const text = typeof message === 'string' ? message : String(error)
  const detail = (code && TRANSIENT_CODES[code]) ?? text
  return new TransientError(code ? `${detail} (${code})` : detail, {
    cause: error
  })
}

/**
 * GitHub's rate limits: 429, or 403 with `retry-after` (the secondary limit) or no requests left
 * (`x-ratelimit-remaining: 0`); a 403 without them is a refusal.
 */
export function rateLimited(response: RegistryResponse): boolean {
  const { status, headers } = response
  const limited =
    headers.get('retry-after') !== null ||
    headers.get('x-ratelimit-remaining') === '0'
  return status === 429 || (status === 403 && limited)
}

/**
 * How long GitHub's API asks to wait: Retry-After (its secondary limit, and 5xx), else, with no
 * requests left, until `x-ratelimit-reset` (the primary limit, epoch seconds): GitHub's REST docs,
 * "Rate limits for the REST API". The retry's own bound caps it.
 */
export function githubWaitMs(
  response: RegistryResponse,
  nowMs: number
): number | undefined {
  const { headers } = response
  const asked = parseRetryAfter(headers.get('retry-after'), nowMs)
  if (asked !== undefined || headers.get('x-ratelimit-remaining') !== '0')
    return asked
  const reset = Number(headers.get('x-ratelimit-reset') ?? '')
  return reset > 0 ? Math.max(0, reset * 1000 - nowMs) : undefined
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null,
  nowMs: number
): number | undefined {
  if (value === null) return undefined
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/** The first error of the registry's error JSON: its code, and "CODE: message"; {} if none. */
export function errorBody(body: string): { code?: string; detail?: string } {
  try {
    const parsed = JSON.parse(body) as {
      errors?: { code?: unknown; message?: unknown }[]
    }
    const first = parsed.errors?.[0]
    const parts = [first?.code, first?.message].filter(
      part => typeof part === 'string' && part !== ''
    )
    const code = typeof first?.code === 'string' ? first.code : undefined
    return parts.length > 0 ? { code, detail: parts.join(': ') } : {}
  } catch {
    return {}
  }
}

function statusText(response: RegistryResponse): string {
  return `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
}

function describeUser(username: string | undefined): string {
  return username === undefined
    ? 'without credentials'
    : `for user ${JSON.stringify(username)}`
}

/**
 * A refusal of rights, not of credentials (the registry's `insufficient_scope`):
 * the login works, the user may not write there. GHCR grants a workflow's
 * token its packages through the job's permissions.
 */
export function mayNotPush(
  registry: string,
  repository: string | undefined,
  username?: string
): string {
  const who =
    username === undefined ? 'the user' : `user ${JSON.stringify(username)}`
  const where = repository === undefined ? '' : ` to repository ${repository}`
  const wayOut =
    registry === 'ghcr.io'
      ? 'give the job `permissions: packages: write` (and the package access to this repository)'
      : 'grant that user push access there, or push under a repository it may write'
  return (
    `${who} may not push${where}: the login works, the permission is missing ` +
    `(insufficient_scope); ${wayOut}`
  )
}

/** A token scope that asks to push: its repository ("repository:o/app:pull,push" → "o/app"). */
function pushRepository(scope: string | undefined): string | undefined {
  const match = /^repository:(.+):([a-z,*]+)$/.exec(scope ?? '')
  return match !== null && /push|\*/.test(match[2]) ? match[1] : undefined
}

/** The error for a 401 that credentials did not fix (or no credentials). */
export function authFailed(
  registry: string,
  response: RegistryResponse,
  username: string | undefined,
  scope?: string
): RegistryError {
  const challenge = pickChallenge(response.headers.get('www-authenticate'))
  const repository = pushRepository(challenge?.params.scope ?? scope)
  if (
    challenge?.params.error === 'insufficient_scope' &&
    username !== undefined &&
    repository !== undefined
  )
    return new RegistryError(
      registry,
      `${mayNotPush(registry, repository, username)} (${statusText(response)})`,
      response.status
    )
  const refused = `(${statusText(response)}) ${describeUser(username)}`
  // credentials go only where the inputs name a registry (SECURITY.md)
  const detail =
    username === undefined
      ? `authentication required ${refused}; to send some, add an entry to the logins input: ` +
        `"- registry: ${registry}" with its username and password`
      : `authentication failed ${refused}`
  return new RegistryError(registry, detail, response.status)
}

export interface FailureContext {
  registry: string
  /** "GET http://host/v2/x/tags/list", for 4xx messages. */
  request: string
  username: string | undefined
}

/**
 * The error for an unexpected response: 5xx and 429 transient, else with the registry's error code
 * and message.
 */
export async function responseFailure(
  response: RegistryResponse,
  { registry, request, username }: FailureContext
): Promise<Error> {
  const { code, detail } = errorBody(await response.text().catch(() => ''))
  const status = statusText(response)
  const suffix = detail ? `: ${detail}` : ''
  if (response.status >= 500 || response.status === 429) {
    const retryAfter = response.headers.get('retry-after')
    return new TransientError(`${status}${suffix}`, {
      retryAfterMs: parseRetryAfter(retryAfter, Date.now())
    })
  }
  if (response.status === 401) return authFailed(registry, response, username)
  const what =
    response.status === 403
      ? `access denied (${status}) ${describeUser(username)} on ${request}`
      : `${request}: ${status}`
  return new RegistryError(registry, `${what}${suffix}`, response.status, {
    answerCode: code
  })
}

/**
 * A manifest answered DIGEST_INVALID though its bytes are the digest it went to (or it went to a
 * tag): distribution's filesystem storage answers so while another push rewrites the link of a
 * blob the manifest names (it truncates, then writes: seen on 2.8.2 with two matrix legs at once),
 * so another try lands. Any other failure as it is.
 */
export function misreadManifest(
  error: Error,
  body: Uint8Array,
  reference: string
): Error {
  const ours = isTag(reference) || reference === sha256Digest(body)
  if (
    !(error instanceof RegistryError) ||
    error.status !== 400 ||
    error.answerCode !== 'DIGEST_INVALID' ||
    !ours
  )
    return error
  return new TransientError(
    `400 DIGEST_INVALID for bytes that are ${sha256Digest(body)}: likely the registry ` +
      "misreading a blob the manifest names while another push wrote it (distribution's race)",
    { cause: error }
  )
}
