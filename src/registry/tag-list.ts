/** A repository's tags over the registry API, every page of the list. */
import { RegistryError } from './registry-error.js'
import type { RepositoryReference } from '../reference/repository.js'
import type { Image } from '../reference/images.js'
import { pullScope, type Transport } from './transport.js'
import { MAX_PAGES, nextPageUrl } from './link.js'

export interface TagList {
  /** Every tag of the repository, all pages; [] if the repository does not exist. */
  listTags(image: Image): Promise<string[]>
}

interface TagsPage {
  tags: string[]
  /** Path of the next page, if the registry linked one. */
  next: string | undefined
}

function listTags(
  transport: Transport,
  pageSize: number | undefined
): TagList['listTags'] {
  return async ref => {
    const query = pageSize === undefined ? '' : `?n=${pageSize}`
    const tags: string[] = []
    let path: string | undefined = `/v2/${ref.repository}/tags/list${query}`
    for (let page = 1; path !== undefined; page++) {
      if (page > MAX_PAGES) {
        throw new RegistryError(
          ref.registry,
          `more than ${MAX_PAGES} pages of tags for ${ref.repository}`
        )
      }
      const result = await tagsPage(transport, ref, path)
      tags.push(...result.tags)
      path = result.next
    }
    return tags
  }
}

function tagsPage(
  transport: Transport,
  ref: RepositoryReference,
  path: string
): Promise<TagsPage> {
  const request = { method: 'GET', path, scope: pullScope(ref) } as const
  return transport.request(ref, request, async (response, fail) => {
    if (response.status === 404) {
      await response.body?.cancel()
      return { tags: [], next: undefined }
    }
    if (!response.ok) throw await fail()
    const body = (await response.json()) as { tags?: string[] | null }
    return { tags: body.tags ?? [], next: nextPageUrl(ref, response) }
  })
}

/** `pageSize`: tags per page (`?n=`); undefined: the registry's own page size. */
export function tagList(
  transport: Transport,
  pageSize: number | undefined
): TagList {
  return { listTags: listTags(transport, pageSize) }
}
