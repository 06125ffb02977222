import { formatCommand } from './docker/format.js'
import { formatKeyValues } from './labels.js'
import type { PublishPlan } from './plan.js'
import type { Tag } from './tags/types.js'

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

/** The plan as the log and the CLI print it; commands come already redacted. */
export function planText(
  plan: PublishPlan,
  commands: string[][],
  guards: string[] = []
): string {
  const width = Math.max(0, ...plan.tags.map(t => t.name.length))
  return [
    `Version: ${plan.version || '(none)'}`,
    ...section(
      'Tags',
      plan.tags.map(t => `${t.name.padEnd(width)}  (${describeTag(t)})`)
    ),
    ...section('References', plan.refs),
    ...section('Labels', formatKeyValues(plan.labels)),
    ...section('Annotations', formatKeyValues(plan.annotations)),
    ...section(
      'Commands',
      commands.map(argv => `docker ${formatCommand(argv)}`)
    ),
    ...(guards.length > 0 ? section('Registry checks', guards) : []),
    ...plan.warnings.map(w => `Warning: ${w}`)
  ].join('\n')
}
