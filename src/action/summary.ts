import type { PublishPlan } from '../plan/plan.js'
import type { PublishResult } from '../publish/result.js'

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join(
    '\n'
  )
}

/** The job summary as Markdown: what was (or would be) published where. */
export function summaryMarkdown(
  plan: PublishPlan,
  result: PublishResult,
  heading: string,
  platforms: string[]
): string {
  const digestOf = new Map(result.pushed.map(p => [p.ref, p.digest]))
  const skippedRefs = new Map(result.skipped.map(s => [s.ref, s.reason]))
  const rows = plan.refs.map(ref => [
    `\`${ref}\``,
    plan.tags.find(t => ref.endsWith(`:${t.name}`))?.kind ?? '',
    skippedRefs.has(ref) ? 'skipped' : (digestOf.get(ref) ?? '—'),
    platforms.join(', ') || 'default'
  ])
  const parts = [
    `### ${heading}`,
    `Version: \`${plan.version || '(none)'}\``,
    table(['Reference', 'Kind', 'Digest', 'Platforms'], rows)
  ]
  if (result.check !== undefined) parts.push(result.check)
  if (result.verify !== undefined)
    parts.push(
      '#### Verify the signature',
      ['```sh', ...result.verify, '```'].join('\n')
    )
  if (result.skipped.length > 0)
    parts.push(
      '#### Skipped',
      table(
        ['Reference', 'Reason'],
        result.skipped.map(s => [`\`${s.ref}\``, s.reason])
      )
    )
  if (plan.warnings.length > 0)
    parts.push('#### Warnings', plan.warnings.map(w => `- ${w}`).join('\n'))
  return parts.join('\n\n') + '\n'
}
