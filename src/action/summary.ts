import type { Publication } from '../plan/publication.js'
import {
  changeText,
  formatBytes,
  formatSeconds,
  tagRows,
  uploadSize,
  uploadTotals,
  duringBuildText,
  type GateVerdict,
  type PublishResult,
  type Upload
} from '../publish/outcome.js'

/** Text Markdown shows literally: a reason may quote a fork's value (SECURITY.md). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>~&]/g, char => `\\${char}`)
    .replace(/\r?\n|\r/g, ' ')
}

/** A reference in a code span (references hold no backtick; one is dropped). */
export function code(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, '')}\``
}

/** Text from outside (tag names, reasons) made safe inside a table cell. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join(
    '\n'
  )
}

/** The line under the heading: version, platforms by name, and how long the run's parts took. */
function factsLine(
  publication: Publication,
  result: PublishResult,
  platforms: string[]
): string {
  const facts = [`Version: ${code(publication.version || '(none)')}`]
  const builtOn = (platform: string) => {
    const node = result.nodes?.find(n => n.platform === platform)?.node
    return node ? `${platform} (node ${code(node)})` : platform
  }
  if (platforms.length > 0)
    facts.push(`Platforms: ${platforms.map(builtOn).join(', ')}`)
  if (result.builderSetupMs !== undefined)
    facts.push(
      `Builder made for this run: set up in ${formatSeconds(result.builderSetupMs)}, removed at ` +
        `the end`
    )
  if (result.buildMs !== undefined)
    facts.push(`Build: ${formatSeconds(result.buildMs)}`)
  facts.push(...(result.cache ?? []))
  const { uploads } = result
  if (uploads.length > 0) {
    const total = uploadTotals(uploads)
    facts.push(`Upload: ${formatSeconds(total.ms)}${duringBuildText(total)}`)
  }
  return facts.join(' · ')
}

function uploadCells(name: string, u: Upload): string[] {
  return [
    name,
    formatBytes(u.uploaded),
    formatBytes(u.mounted),
    formatBytes(u.present),
    formatBytes(uploadSize(u)),
    String(u.blobs),
    formatSeconds(u.ms)
  ]
}

/** Bytes per image: sent, mounted from another repository, already there, of the total. */
function uploadTable(uploads: Upload[]): string {
  const rows = uploads.map(u => uploadCells(code(u.image), u))
  if (uploads.length > 1)
    rows.push(uploadCells('**Total**', uploadTotals(uploads)))
  return table(
    ['Image', 'Uploaded', 'Mounted', 'Already there', 'Size', 'Blobs', 'Time'],
    rows
  )
}

/** The gate's verdict and its last lines. */
function gateParts(gate: GateVerdict): string[] {
  const verdict =
    gate.why === undefined ? 'passed' : `failed: it ${gate.why}; no tag moved`
  const lines = gate.lines.map(line => line.replaceAll('```', "'''"))
  return [
    `#### Gate ${escapeMarkdown(verdict)}`,
    ...(lines.length > 0 ? [['```text', ...lines, '```'].join('\n')] : [])
  ]
}

/** The job summary as Markdown: what the run changed in the registry, tag by tag. */
export function summaryMarkdown(
  publication: Publication,
  result: PublishResult,
  heading: string,
  platforms: string[]
): string {
  const rows = tagRows(publication, result).map(row => [
    code(row.ref),
    row.kind,
    row.digest || '—',
    escapeMarkdown(changeText(row.change))
  ])
  const parts = [
    `### ${heading}`,
    factsLine(publication, result, platforms),
    table(['Reference', 'Kind', 'Digest', 'Change'], rows)
  ]
  const { uploads } = result
  if (uploads.length > 0) parts.push('#### Uploaded', uploadTable(uploads))
  if (result.check !== undefined) parts.push(result.check)
  if (result.rollback !== undefined)
    parts.push(
      '#### Rollback',
      result.rollback.map(line => `- ${escapeMarkdown(line)}`).join('\n')
    )
  if (result.gate !== undefined) parts.push(...gateParts(result.gate))
  if (result.verify !== undefined)
    parts.push(
      '#### Verify the signature',
      ['```sh', ...result.verify, '```'].join('\n')
    )
  if (result.attestations !== undefined)
    parts.push(
      '#### GitHub attestations',
      table(
        ['Image', 'Subject', 'Type', 'Attestation'],
        result.attestations.map(a => [
          code(a.image),
          a.subject,
          a.predicateType,
          `[${a.id}](${a.url})`
        ])
      )
    )
  const notes: [string, string[]][] = [
    ['Warnings', publication.warnings],
    ['Notes', publication.notices]
  ]
  for (const [title, lines] of notes)
    if (lines.length > 0)
      parts.push(
        `#### ${title}`,
        lines.map(line => `- ${escapeMarkdown(line)}`).join('\n')
      )
  return parts.join('\n\n') + '\n'
}
