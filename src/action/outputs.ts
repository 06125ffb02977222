import { formatKeyValues } from '../argv/format.js'
import type { Publication } from '../plan/publication.js'
import type { PlanStep } from '../plan/steps.js'
import type { PublishResult } from '../publish/outcome.js'
import type { MetadataEnv } from '../context/metadata-env.js'
import type { Settings } from '../settings/settings.js'

/** How the multi-line outputs are written (metadata-action's options). */
export type OutputFormat = Pick<Settings, 'separators'> &
  Pick<MetadataEnv, 'annotationLevels'>

/**
 * metadata-action's lists: tag names, tags as output, annotations as `level:key=value`, level by
 * level.
 */
export function metadataLists(
  publication: Publication,
  annotationLevels: string[]
): { tagNames: string[]; tags: string[]; annotations: string[] } {
  const tagNames = publication.tags.map(tag => tag.name)
  const lines = formatKeyValues(publication.annotations)
  return {
    tagNames,
    // full references; without images, the bare tag names (as metadata-action)
    tags: publication.images.length === 0 ? tagNames : publication.refs,
    annotations: annotationLevels.flatMap(level =>
      lines.map(line => `${level}:${line}`)
    )
  }
}

/** Every output of the action but the bake files, as the strings the runner stores. */
export function actionOutputs(
  publication: Publication,
  result: PublishResult,
  steps: PlanStep[],
  format: OutputFormat
): Record<string, string> {
  const { separators } = format
  const { tagNames, tags, annotations } = metadataLists(
    publication,
    format.annotationLevels
  )
  return {
    version: publication.version,
    tags: tags.join(separators.tags),
    'tag-names': tagNames.join(separators.tags),
    labels: formatKeyValues(publication.labels).join(separators.labels),
    annotations: annotations.join(separators.annotations),
    digest: result.digest,
    imageid: result.imageid,
    metadata: JSON.stringify(result.metadata),
    pushed: JSON.stringify(result.pushed),
    skipped: JSON.stringify(result.skipped),
    plan: JSON.stringify(steps),
    verify: (result.verify ?? []).join('\n'),
    attestations: JSON.stringify(result.attestations ?? []),
    gate: result.gate?.verdict ?? 'none',
    // metadata-action's keys first, then this action's own
    json: JSON.stringify({
      tags,
      'tag-names': tagNames,
      labels: publication.labels,
      annotations,
      version: publication.version,
      digest: result.digest,
      imageid: result.imageid,
      metadata: result.metadata,
      pushed: result.pushed,
      skipped: result.skipped
    })
  }
}

/** The outputs metadata-action also exports as DOCKER_METADATA_OUTPUT_*. */
const METADATA_OUTPUTS = [
  'version',
  'tags',
  'tag-names',
  'labels',
  'annotations',
  'json',
  'bake-file-tags',
  'bake-file-labels',
  'bake-file-annotations',
  'bake-file'
]

/** metadata-action's `DOCKER_METADATA_OUTPUT_<NAME>` variables, unless turned off. */
export function outputEnvVariables(
  outputs: Record<string, string>,
  enabled: boolean
): Record<string, string> {
  if (!enabled) return {}
  return Object.fromEntries(
    METADATA_OUTPUTS.map(name => {
      const key = name.replace(/\W/g, '_').toUpperCase()
      return [`DOCKER_METADATA_OUTPUT_${key}`, outputs[name] ?? '']
    })
  )
}
