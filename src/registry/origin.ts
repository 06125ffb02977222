/**
 * The origin rule: credentials go to the origin of the registry the user
 * named and to the Bearer realm its own 401 names; never elsewhere, never
 * from https down to http. Every URL the client did not build (a Location,
 * a `Link` next page, a realm) passes one of these checks; http-fetch.ts
 * drops Authorization on a redirect to another origin. And paging: following
 * `Link: <…>; rel="next"` through a registry's lists, on its own origin.
 */
import type { RegistryResponse } from './http-fetch.js'
import { RegistryError } from './registry-error.js'
import type { RegistryEndpoint } from '../reference/repository.js'

/** The endpoint's origin: `https://ghcr.io`, `http://127.0.0.1:5001`. */
function endpointOrigin(endpoint: RegistryEndpoint): string {
  return new URL(`${endpoint.scheme}://${endpoint.apiHost}`).origin
}

/**
 * A path or URL resolved on the endpoint; refused when it lands on another origin (`//host/…` and
 * `https://other/…` both would).
 */
export function endpointUrl(endpoint: RegistryEndpoint, path: string): URL {
  const origin = endpointOrigin(endpoint)
  const url = new URL(path, origin)
  if (url.origin !== origin)
    throw new RegistryError(
      endpoint.registry,
      `refused a request to ${url.origin}, another origin than ${origin}: the registry's ` +
        `credentials go nowhere else`
    )
  return url
}

/** Whether a response came from the endpoint (a fetch without a URL is taken at its word). */
export function answeredByEndpoint(
  endpoint: RegistryEndpoint,
  responseUrl: string
): boolean {
  return (
    responseUrl === '' ||
    new URL(responseUrl).origin === endpointOrigin(endpoint)
  )
}

/**
 * Refuses a 401 that came from where a redirect led: its challenge (and realm) is that host's, and
 * answering it would send our credentials there.
 */
export function assertAnsweredByEndpoint(
  endpoint: RegistryEndpoint,
  responseUrl: string
): void {
  if (answeredByEndpoint(endpoint, responseUrl)) return
  const origin = endpointOrigin(endpoint)
  throw new RegistryError(
    endpoint.registry,
    `a redirect led to ${new URL(responseUrl).origin}, which asked for credentials: they go ` +
      `only to ${origin}`,
    401
  )
}

/**
 * A Bearer realm as a URL: http(s) only, and https when the registry is on https (a token request
 * carries the password).
 */
export function realmUrl(
  endpoint: RegistryEndpoint,
  realm: string | undefined
): string {
  const url = URL.canParse(realm ?? '') ? new URL(realm ?? '') : undefined
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:')
    throw new RegistryError(
      endpoint.registry,
      `Bearer challenge without a usable realm URL (${JSON.stringify(realm ?? '')})`
    )
  if (endpoint.scheme === 'https' && url.protocol === 'http:')
    throw new RegistryError(
      endpoint.registry,
      `refused the Bearer realm ${url.origin}: plain http for an https registry would send the ` +
        `credentials unencrypted`
    )
  return url.href
}

/** The most pages of one list we follow. */
export const MAX_PAGES = 10_000

/** The URL of the rel="next" link in a Link header value, if any. */
export function parseNextLink(header: string | null): string | undefined {
  for (const match of (header ?? '').matchAll(/<([^>]*)>([^,<]*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2])?.[1]
    if (rel?.split(/\s+/).includes('next')) return match[1]
  }
  return undefined
}

/**
 * A URL the registry named (a next page, an upload location), resolved
 * against the URL that answered and kept whole (a path alone would turn
 * `https://registry//evil.example/…` protocol-relative); another origin is
 * refused: it would receive our credentials.
 */
export function sameOriginUrl(
  endpoint: RegistryEndpoint,
  target: string,
  answeredUrl: string,
  what: string
): string {
  const origin = endpointOrigin(endpoint)
  const url = new URL(target, answeredUrl || origin)
  if (url.origin !== origin)
    throw new RegistryError(
      endpoint.registry,
      `${what} points to another origin (${url.origin})`
    )
  return url.href
}

/** The URL of the next page, on the registry's own origin. */
export function nextPageUrl(
  endpoint: RegistryEndpoint,
  response: RegistryResponse
): string | undefined {
  const link = parseNextLink(response.headers.get('link'))
  if (link === undefined) return undefined
  return sameOriginUrl(endpoint, link, response.url, 'the next page link')
}
