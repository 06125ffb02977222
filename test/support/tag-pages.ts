/**
 * Tag list pagination the way distribution 3 and GHCR do it (`?n=&last=`,
 * lexical order, `Link: <…>; rel="next"`). The stack's distribution 2.8
 * ignores `n` on tags/list, so the fault proxy can apply this to real
 * answers to exercise a client's Link-following against real data.
 */

const TAGS_LIST = /^\/v2\/(.+)\/tags\/list$/

/** The page size asked for by a GET …/tags/list?n=… request, if any. */
export function tagsPageSize(
  method: string | undefined,
  url: string | undefined
): number | undefined {
  if (method !== 'GET' || url === undefined) return undefined
  const parsed = new URL(url, 'http://proxy')
  const n = Number(parsed.searchParams.get('n'))
  return TAGS_LIST.test(parsed.pathname) && Number.isInteger(n) && n > 0
    ? n
    : undefined
}

/** One page of a full tags/list answer, with the Link to the next one. */
export function pageOfTags(
  fullBody: Buffer,
  url: string
): { body: Buffer; link?: string } {
  const parsed = new URL(url, 'http://proxy')
  const n = Number(parsed.searchParams.get('n'))
  const last = parsed.searchParams.get('last')
  const list = JSON.parse(fullBody.toString('utf8')) as {
    name: string
    tags: string[] | null
  }
  const sorted = [...(list.tags ?? [])].sort()
  const rest = last === null ? sorted : sorted.filter(tag => tag > last)
  const tags = rest.slice(0, n)
  const body = Buffer.from(JSON.stringify({ name: list.name, tags }))
  if (rest.length <= n) return { body }
  const next = new URLSearchParams({
    last: tags[tags.length - 1],
    n: String(n)
  })
  return { body, link: `<${parsed.pathname}?${next}>; rel="next"` }
}
