/**
 * metadata-action's bake definitions: the outputs as JSON files bake reads, under `bake-target`.
 */
import type { Publication } from '../plan/publication.js'

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
  // in key order, as metadata-action writes them
  const labels = Object.fromEntries(
    Object.keys(publication.labels)
      .sort()
      .map(key => [key, publication.labels[key]])
  )
  // each output is named as its file: bake-file-tags for docker-metadata-action-bake-tags.json
  const file = (suffix: string, content: object) => ({
    output: `bake-file${suffix}`,
    fileName: `docker-metadata-action-bake${suffix}.json`,
    definition: { target: { [target]: content } }
  })
  return [
    file('-tags', { tags, args }),
    file('-labels', { labels }),
    file('-annotations', { annotations }),
    file('', { tags, labels, args })
  ]
}
