/** Following `Link: <…>; rel="next"` through paginated registry lists. */
import type { RegistryResponse } from './http-fetch.js'
import { RegistryError } from './errors.js'
import type { RegistryEndpoint } from '../reference/repository.js'
import { requestUrl } from './transport.js'

/** The URL of the rel="next" link in a Link header value, if any. */
export function parseNextLink(header: string | null): string | undefined {
  for (const match of (header ?? '').matchAll(/<([^>]*)>([^,<]*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2])?.[1]
    if (rel?.split(/\s+/).includes('next')) return match[1]
  }
  return undefined
}

/**
 * The path (with query) of a URL the registry named (a next page, an upload
 * location), resolved against the URL that answered. A URL on another origin
 * is refused: it would receive our credentials.
 */
export function sameOriginPath(
  endpoint: RegistryEndpoint,
  target: string,
  answeredUrl: string,
  what: string
): string {
  const base = requestUrl(endpoint, '/')
  const url = new URL(target, answeredUrl || base)
  if (url.origin !== base.origin) {
    throw new RegistryError(
      endpoint.registry,
      `${what} points to another origin (${url.origin})`
    )
  }
  return `${url.pathname}${url.search}`
}

/** The path (with query) of the next page, on the registry's own origin. */
export function nextPageUrl(
  endpoint: RegistryEndpoint,
  response: RegistryResponse
): string | undefined {
  const link = parseNextLink(response.headers.get('link'))
  if (link === undefined) return undefined
  return sameOriginPath(endpoint, link, response.url, 'the next page link')
}
