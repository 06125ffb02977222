import type { RefContext } from '../context/context-types.js'
import { InputError } from '../errors/input-error.js'
import { PULL_REQUEST_LABEL } from '../guards/fork-tags.js'
import { refInfo } from '../tags/ref-info.js'
import { splitLine } from './value-templates.js'

const OCI = 'org.opencontainers.image'

/** The OCI image labels as metadata-action derives them; an empty value is left out. */
export function ociLabels(
  ctx: RefContext,
  version: string,
  created: Date
): Record<string, string> {
  if (Number.isNaN(created.getTime()))
    throw new Error('ociLabels: the creation date is not a valid date')
  const { repository } = ctx
  const values: Record<string, string | undefined> = {
    created: created.toISOString(),
    description: repository.description,
    licenses: repository.license,
    revision: ctx.sha,
    source: repository.htmlUrl,
    title: repository.fullName.split('/').at(-1),
    url: repository.htmlUrl,
    version
  }
  const labels: Record<string, string> = {}
  for (const [key, value] of Object.entries(values)) {
    const trimmed = value?.trim()
    if (trimmed) labels[`${OCI}.${key}`] = trimmed
  }
  return labels
}

/**
 * A pull request run's images carry its number: the guards move author-named tags only off its own
 * (guards/fork-tags.ts).
 */
export function pullRequestLabel(ctx: RefContext): Record<string, string> {
  const { pr } = refInfo(ctx)
  return pr === undefined ? {} : { [PULL_REQUEST_LABEL]: pr }
}

/**
 * Adds the user's `key=value` lines to base (a user value wins); the value, after the first `=`,
 * may be empty.
 */
export function mergeKeyValues(
  base: Record<string, string>,
  userLines: string[],
  inputName: string
): Record<string, string> {
  const merged = { ...base }
  for (const line of userLines) {
    if (line.trim() === '') continue
    const { key, value } = splitLine(line)
    if (value === undefined || key.trim() === '')
      throw new InputError(
        inputName,
        line,
        'expected one key=value per line, with a non-empty key'
      )
    merged[key.trim()] = value.trim()
  }
  return merged
}
