/** Following `Link: <…>; rel="next"` through paginated registry lists. */
import type { RegistryResponse } from './http-fetch.js'
import { RegistryError } from './errors.js'
import type { RegistryEndpoint } from '../reference/repository.js'
import { endpointUrl } from './origin.js'

/** The URL of the rel="next" link in a Link header value, if any. */
export function parseNextLink(header: string | null): string | undefined {
  for (const match of (header ?? '').matchAll(/<([^>]*)>([^,<]*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2])?.[1]
    if (rel?.split(/\s+/).includes('next')) return match[1]
  }
  return undefined
}

/**
 * The next page's URL, resolved against the request URL and kept whole (a
 * path alone would turn `https://registry//evil.example/…` into a
 * protocol-relative `//evil.example/…`). A link to another origin is
 * refused: it would receive our credentials.
 */
export function nextPageUrl(
  endpoint: RegistryEndpoint,
  response: RegistryResponse
): string | undefined {
  const link = parseNextLink(response.headers.get('link'))
  if (link === undefined) return undefined
  const base = endpointUrl(endpoint, '/')
  const next = new URL(link, response.url || base)
  if (next.origin !== base.origin) {
    throw new RegistryError(
      endpoint.registry,
      `the next page link points to another origin (${next.origin})`
    )
  }
  return next.href
}
