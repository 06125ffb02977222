/** A repository's tags over the registry API, every page of the list. */
import { RegistryError } from './registry-error.js'
import type { Image } from '../reference/images.js'
import {
  orMissing,
  pullScope,
  type RegistryRequest,
  type Transport
} from './transport.js'
import { MAX_PAGES, nextPageUrl } from './link.js'

export interface TagList {
  /** Every tag of the repository, all pages; [] if the repository does not exist. */
  listTags(image: Image): Promise<string[]>
}

/** `pageSize`: tags per page (`?n=`); undefined: the registry's own page size. */
export function tagList(
  transport: Transport,
  pageSize: number | undefined
): TagList {
  return {
    async listTags(ref) {
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
        const request: RegistryRequest = {
          method: 'GET',
          path,
          scope: pullScope(ref)
        }
        const result = await transport.request(
          ref,
          request,
          orMissing(async response => ({
            body: (await response.json()) as { tags?: string[] | null },
            next: nextPageUrl(ref, response)
          }))
        )
        tags.push(...(result?.body.tags ?? []))
        path = result?.next
      }
      return tags
    }
  }
}
