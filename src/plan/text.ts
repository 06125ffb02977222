import { formatKeyValues } from '../argv/format.js'
import type { Publication } from './publication.js'
import { stepLine, type PlanStep } from './steps.js'
import type { Tag } from '../tags/tag-types.js'

function describeTag(tag: Tag): string {
  if (tag.line === undefined) return tag.kind
  return `${tag.kind}, follows the ${tag.line.scope} line of ${tag.line.version}`
}

function section(title: string, lines: string[]): string[] {
  return [
    `${title}:`,
    ...(lines.length ? lines : ['(none)']).map(l => `  ${l}`)
  ]
}

/** What the guards decide, as the run logs it and the dry run's plan prints it. */
export function guardText(lines: string[]): string[] {
  return section('The guards decide', lines)
}

/** The plan as the log and the CLI print it: the steps hold no secret. */
export function planText(
  publication: Publication,
  steps: PlanStep[],
  guards: string[],
  cache: string[] = []
): string {
  const width = Math.max(0, ...publication.tags.map(t => t.name.length))
  return [
    `Version: ${publication.version || '(none)'}`,
    ...section(
      'Tags',
      publication.tags.map(t => `${t.name.padEnd(width)}  (${describeTag(t)})`)
    ),
    ...section('References', publication.refs),
    ...section('Labels', formatKeyValues(publication.labels)),
    ...section('Annotations', formatKeyValues(publication.annotations)),
    ...(cache.length > 0 ? section('Cache', cache) : []),
    ...section('Steps', steps.map(stepLine)),
    ...(guards.length > 0 ? guardText(guards) : []),
    ...publication.warnings.map(w => `Warning: ${w}`),
    ...publication.notices.map(n => `Note: ${n}`)
  ].join('\n')
}
