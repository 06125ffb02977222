/** Following `Link: <…>; rel="next"` through paginated registry lists. */
import type { RegistryResponse } from './http-fetch.js'
import { RegistryError } from './registry-error.js'
import type { RegistryEndpoint } from '../reference/repository.js'
import { endpointUrl } from './origin.js'

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
  const base = endpointUrl(endpoint, '/')
  const url = new URL(target, answeredUrl || base)
  if (url.origin !== base.origin)
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
