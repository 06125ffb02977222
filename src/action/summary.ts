import type { PublishPlan } from '../plan/plan.js'
import type { PublishResult } from '../publish/result.js'

/**
 * Text as Markdown shows it literally: a tag warning or a skip reason may
 * quote a value a fork chose (SECURITY.md), which must not become a link,
 * an image, emphasis or HTML in the summary. (`|` is escapeCell's, in tables.)
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>~&]/g, char => `\\${char}`)
    .replace(/\r?\n|\r/g, ' ')
}

/** A reference in a code span (references hold no backtick; one is dropped). */
function code(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, '')}\``
}

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
    code(ref),
    plan.tags.find(t => ref.endsWith(`:${t.name}`))?.kind ?? '',
    skippedRefs.has(ref) ? 'skipped' : (digestOf.get(ref) ?? '—'),
    platforms.join(', ') || 'default'
  ])
  const parts = [
    `### ${heading}`,
    `Version: ${code(plan.version || '(none)')}`,
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
        result.skipped.map(s => [code(s.ref), escapeMarkdown(s.reason)])
      )
    )
  if (plan.warnings.length > 0)
    parts.push(
      '#### Warnings',
      plan.warnings.map(w => `- ${escapeMarkdown(w)}`).join('\n')
    )
  return parts.join('\n\n') + '\n'
}
