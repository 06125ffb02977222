/**
 * Part 11: the soak's figures per builder kind (issue 39), as the last reliability run measured
 * them (`DPA_SOAK_SCHEDULES=100 npm run reliability`; results in $DPA_RELIABILITY_DIR, else
 * `.reliability`): the bench repeats no fault schedule, it prints what they held.
 */
import { execFileSync } from 'node:child_process'
import { Skip } from './part.js'

export function soakFigures(): void {
  const table = execFileSync(
    process.execPath,
    ['scripts/reliability.mjs', '--soak'],
    { encoding: 'utf8' }
  ).trimEnd()
  if (table === '')
    throw new Skip(
      'no soak results: run `DPA_SOAK_SCHEDULES=100 npm run reliability` first'
    )
  for (const line of table.split('\n')) console.log(`  ${line}`)
}
