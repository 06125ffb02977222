/**
 * The round trips of a keyless signature (OIDC token, Fulcio, Rekor), over
 * http-fetch.ts: @actions/core's getIDToken would bring undici (429 KiB).
 */
import { httpFetch, type RegistryResponse } from '../registry/http-fetch.js'
import { TransientError, withRetry } from '../registry/retry.js'

/** How long one round trip may take, and how often a transient fault is tried again. */
export interface ExchangeLimits {
  timeoutMs: number
  retries: number
  sleep?: (ms: number) => Promise<void>
}

async function failure(
  what: string,
  response: RegistryResponse
): Promise<Error> {
  const text = (await response.text().catch(() => '')).slice(0, 300)
  return new Error(
    `${what}: HTTP ${response.status} ${response.statusText}${text === '' ? '' : `: ${text}`}`
  )
}

/** One round trip; connection errors, timeouts, 5xx and 429 are tried again. */
async function exchange(
  what: string,
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string },
  limits: ExchangeLimits,
  onConflict?: (response: RegistryResponse) => Promise<unknown>
): Promise<unknown> {
  return withRetry(
    async () => {
      let response: RegistryResponse
      try {
        response = await httpFetch(url, {
          ...init,
          signal: AbortSignal.timeout(limits.timeoutMs)
        })
      } catch (error) {
        throw new TransientError(
          `${what}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error }
        )
      }
      if (response.status >= 500 || response.status === 429)
        throw new TransientError((await failure(what, response)).message)
      if (response.status === 409 && onConflict !== undefined)
        return onConflict(response)
      if (!response.ok) throw await failure(what, response)
      return response.json()
    },
    {
      retries: limits.retries,
      sleep: limits.sleep,
      describe: what
    }
  )
}

/**
 * The job's OIDC token for `audience`, as @actions/core's getIDToken asks
 * for it: GET the runner's request URL with the request token as bearer.
 */
export async function requestIdToken(
  requestUrl: string,
  requestToken: string,
  audience: string,
  limits: ExchangeLimits
): Promise<string> {
  const url = new URL(`${requestUrl}&audience=${encodeURIComponent(audience)}`)
  const answer = (await exchange(
    'the OIDC token request (ACTIONS_ID_TOKEN_REQUEST_URL)',
    url,
    {
      method: 'GET',
      headers: {
        Authorization: `bearer ${requestToken}`,
        Accept: 'application/json'
      }
    },
    limits
  )) as { value?: unknown } | null
  if (typeof answer?.value !== 'string' || answer.value === '')
    throw new Error('the OIDC token request answered without a token')
  return answer.value
}

const JSON_HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json'
}

/** POSTs a JSON body to `path` under `base` and returns the JSON answer. */
export function postJson(
  what: string,
  base: string,
  path: string,
  body: object,
  limits: ExchangeLimits,
  onConflict?: (response: RegistryResponse, url: URL) => Promise<unknown>
): Promise<unknown> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`)
  return exchange(
    what,
    url,
    { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) },
    limits,
    onConflict && (response => onConflict(response, url))
  )
}

/** Fulcio v2: a short-lived certificate for the ephemeral key. */
export function requestCertificate(
  fulcioUrl: string,
  request: object,
  limits: ExchangeLimits
): Promise<unknown> {
  return postJson(
    `Fulcio (${fulcioUrl})`,
    fulcioUrl,
    'api/v2/signingCert',
    request,
    limits
  )
}

/** Rekor v1: the signature's entry in the transparency log. */
export function uploadEntry(
  rekorUrl: string,
  entry: object,
  limits: ExchangeLimits
): Promise<unknown> {
  const what = `Rekor (${rekorUrl})`
  // a retried POST whose first try landed is answered 409 with the entry's
  // Location: that entry is this signature's, read it as cosign does
  const existing = async (response: RegistryResponse, posted: URL) => {
    const location = response.headers.get('location') ?? ''
    const at = new URL(location, posted)
    if (location === '' || at.origin !== posted.origin)
      throw await failure(what, response)
    await response.text().catch(() => '')
    return exchange(what, at, { method: 'GET', headers: JSON_HEADERS }, limits)
  }
  return postJson(what, rekorUrl, 'api/v1/log/entries', entry, limits, existing)
}
