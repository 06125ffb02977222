import type { Cleaned, CleanupOutcome } from '../cleanup/cleanup-run.js'
import { code, escapeMarkdown } from './summary.js'

function rows(cleaned: Cleaned[]): string[] {
  return [
    `| Image | Tag | Digest | Why |`,
    '| --- | --- | --- | --- |',
    ...cleaned.map(
      c =>
        `| ${code(c.image)} | ${c.tag === undefined ? '(untagged)' : code(c.tag)} | ` +
        `${code(c.digest)} | ${escapeMarkdown(c.reason)} |`
    )
  ]
}

/**
 * The job summary of mode cleanup: per image, each tag or manifest removed, its digest, why; then
 * what the read before the deletes kept.
 */
export function cleanupMarkdown(
  { cleaned, kept }: CleanupOutcome,
  dryRun: boolean
): string {
  const heading = dryRun
    ? '### Clean-up (dry run: nothing deleted)'
    : '### Clean-up'
  const removed = cleaned.length === 0 ? ['Nothing to remove.'] : rows(cleaned)
  const held =
    kept.length === 0
      ? []
      : [
          '',
          '#### Kept: a tag reached them when read again before the deletes',
          '',
          ...rows(kept)
        ]
  return [heading, '', ...removed, ...held, ''].join('\n')
}
