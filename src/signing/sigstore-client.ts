/**
 * A keyless signer: an ephemeral P-256 key for one run, certified by Fulcio
 * for the OIDC token's identity; each signature is entered in Rekor. The
 * round trips (OIDC token, Fulcio, Rekor) go over http-fetch.ts:
 * @actions/core's getIDToken would bring undici (429 KiB).
 */
import { errorMessage } from '../errors/input-error.js'
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import {
  httpFetch,
  type RegistryRequestInit,
  type RegistryResponse
} from '../registry/http-fetch.js'
import type { RetryPolicy } from '../docker/retrying.js'
import { TransientError, withRetry } from '../registry/retry.js'
import { githubWaitMs, rateLimited } from '../registry/registry-error.js'
import {
  certificateChain,
  certificateIdentity,
  certificateRequest,
  challenge,
  keylessAnnotations,
  rekorBundle,
  rekorEntry,
  tokenClaims
} from './sigstore.js'

/** How long one round trip may take, and how often a transient fault is tried again. */
interface ExchangeLimits extends RetryPolicy {
  timeoutMs: number
}

/**
 * Reads an answer of these statuses instead of failing: Rekor's 409 of the entry a first try made,
 * the attestations API's refusal.
 */
interface AnswerReader {
  statuses: number[]
  read(response: RegistryResponse, url: URL): Promise<unknown>
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

/**
 * One round trip; connection errors, timeouts, 5xx and a rate limit (429, GitHub's 403 with
 * Retry-After) are tried again, after Retry-After where the answer has one (within the retry's
 * bound on a delay).
 */
export async function exchange(
  what: string,
  url: URL,
  // a body sent again on each try: a string, never a stream
  init: RegistryRequestInit & { body?: string },
  limits: ExchangeLimits,
  reader?: AnswerReader
): Promise<unknown> {
  return withRetry(
    async () => {
      const response = await httpFetch(url, {
        ...init,
        signal: AbortSignal.timeout(limits.timeoutMs)
      }).catch((error: unknown) => {
        throw new TransientError(`${what}: ${errorMessage(error)}`, {
          cause: error
        })
      })
      if (response.status >= 500 || rateLimited(response))
        throw new TransientError((await failure(what, response)).message, {
          retryAfterMs: githubWaitMs(response, Date.now())
        })
      if (reader?.statuses.includes(response.status))
        return reader.read(response, url)
      if (!response.ok) throw await failure(what, response)
      return response.json()
    },
    { ...limits, describe: what }
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
function postJson(
  what: string,
  base: string,
  path: string,
  body: object,
  limits: ExchangeLimits,
  reader?: AnswerReader
): Promise<unknown> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`)
  return exchange(
    what,
    url,
    { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) },
    limits,
    reader
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
  return postJson(what, rekorUrl, 'api/v1/log/entries', entry, limits, {
    statuses: [409],
    read: existing
  })
}

interface KeylessEndpoints {
  fulcioUrl: string
  rekorUrl: string
  limits: ExchangeLimits
}

export interface KeylessSigner {
  /** The certificate's identity (SAN), what `--certificate-identity` expects. */
  identity: string
  /** The token's issuer, what `--certificate-oidc-issuer` expects. */
  issuer: string
  /** Signs the payload, enters it in Rekor; the layer's annotations. */
  annotate(payload: Uint8Array): Promise<Record<string, string>>
}

/** Certifies a fresh key for the token's identity (one Fulcio round trip). */
export async function openKeylessSigner(
  token: string,
  endpoints: KeylessEndpoints
): Promise<KeylessSigner> {
  const claims = tokenClaims(token)
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256'
  })
  const signBytes = (bytes: Uint8Array) =>
    sign('sha256', bytes, privateKey).toString('base64')
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const proof = signBytes(Buffer.from(challenge(claims), 'utf8'))
  const chain = certificateChain(
    await requestCertificate(
      endpoints.fulcioUrl,
      certificateRequest(token, publicPem, proof),
      endpoints.limits
    )
  )
  return {
    identity: certificateIdentity(claims),
    issuer: claims.iss,
    async annotate(payload) {
      const signature = signBytes(payload)
      const digest = createHash('sha256').update(payload).digest('hex')
      const answer = await uploadEntry(
        endpoints.rekorUrl,
        rekorEntry(digest, signature, chain[0]),
        endpoints.limits
      )
      return keylessAnnotations(signature, chain, rekorBundle(answer))
    }
  }
}
