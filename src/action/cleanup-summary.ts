import type { Cleaned } from '../cleanup/cleanup-run.js'
import { code, escapeMarkdown } from './summary.js'

/** The job summary of mode cleanup: per image, each tag or manifest removed, its digest, why. */
export function cleanupMarkdown(cleaned: Cleaned[], dryRun: boolean): string {
  const heading = dryRun
    ? '### Clean-up (dry run: nothing deleted)'
    : '### Clean-up'
  if (cleaned.length === 0) return `${heading}\n\nNothing to remove.\n`
  const rows = cleaned.map(
    c =>
      `| ${code(c.image)} | ${c.tag === undefined ? '(untagged)' : code(c.tag)} | ` +
      `${code(c.digest)} | ${escapeMarkdown(c.reason)} |`
  )
  return [
    heading,
    '',
    `| Image | Tag | Digest | Why |`,
    '| --- | --- | --- | --- |',
    ...rows,
    ''
  ].join('\n')
}
