/**
 * metadata-action's bake definitions: the outputs as JSON files bake reads, under `bake-target`.
 */
import { formatKeyValues } from '../argv/format.js'
import type { Publication } from '../plan/publication.js'

/** The labels as a map in key order, as metadata-action writes them. */
function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    formatKeyValues(labels).map(line => {
      const at = line.indexOf('=')
      return [line.slice(0, at), line.slice(at + 1)]
    })
  )
}

/**
 * The four files metadata-action writes (the output naming each, its file name, its content): tags
 * (with args), labels, annotations, and all.
 */
export function bakeFiles(
  publication: Publication,
  tags: string[],
  annotations: string[],
  target: string
) {
  const args = {
    DOCKER_META_IMAGES: publication.images.map(image => image.name).join(','),
    DOCKER_META_VERSION: publication.version
  }
  const labels = sortedLabels(publication.labels)
  const file = (output: string, suffix: string, content: object) => ({
    output,
    fileName: `docker-metadata-action-bake${suffix}.json`,
    definition: { target: { [target]: { ...content } } }
  })
  return [
    file('bake-file-tags', '-tags', { tags, args }),
    file('bake-file-labels', '-labels', { labels }),
    file('bake-file-annotations', '-annotations', { annotations }),
    file('bake-file', '', { tags, labels, args })
  ]
}
