#!/usr/bin/env node
/**
 * Writes docs/reliability-cases.md from the reliability results: every `*.jsonl` in
 * $DPA_RELIABILITY_DIR (default `.reliability`), one line per case as
 * test/support/reliability.ts records it. The soak's figures per builder
 * kind (its categories `soak: <kind>`), one table per category, then the
 * totals, the date and the commit.
 *
 *   node scripts/reliability.mjs          write docs/reliability-cases.md from the results
 *   node scripts/reliability.mjs --run    run the reliability suites first
 *                                         (fresh results), then write it
 *   node scripts/reliability.mjs --soak   print the soak's figures per builder
 *                                         kind from the results (the bench's part 11)
 *
 * Plain node, no dependencies. With --run, exits with jest's status (a
 * known gap is an `it.failing` case: recorded as not held, jest passes).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const SUITES = [
  'test/e2e/faults.test.ts',
  'test/e2e/secrets.test.ts',
  'test/e2e/bad-inputs.test.ts',
  'test/e2e/races.test.ts',
  'test/e2e/reruns.test.ts',
  'test/e2e/builder-faults.test.ts',
  'test/e2e/handover-reruns.test.ts',
  'test/e2e/soak.test.ts'
]

function resultsDir() {
  const dir = process.env.DPA_RELIABILITY_DIR
  if (dir === undefined || dir === '') return join(ROOT, '.reliability')
  return isAbsolute(dir) ? dir : resolve(ROOT, dir)
}

/** Runs the suites that exist with jest (e2e project, in band); its exit code. */
function runSuites(dir) {
  rmSync(dir, { recursive: true, force: true })
  const files = SUITES.filter(file => existsSync(join(ROOT, file)))
  console.log(`reliability suites: ${files.join(', ')}`)
  const jest = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      join(ROOT, 'node_modules/jest/bin/jest.js'),
      '--selectProjects',
      'e2e',
      '--runInBand',
      ...files
    ],
    { cwd: ROOT, stdio: 'inherit' }
  )
  return jest.status ?? 1
}

function readRecords(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter(name => name.endsWith('.jsonl'))
    .sort()
    .flatMap(name =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter(line => line.trim() !== '')
        .map(line => JSON.parse(line))
    )
}

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
}

const cell = text =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')

function seconds(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

function table(records) {
  const rows = records.map(r => {
    const why = [r.note, r.error].filter(Boolean).map(cell).join(' ')
    const held = r.held ? 'yes' : `**no**: ${why}`
    return `| ${cell(r.case)} | ${held} | ${seconds(r.ms)} | ${cell(r.left) || '-'} |`
  })
  return [
    '| case | held | time to fail/succeed | left in the registry |',
    '|---|---|---|---|',
    ...rows
  ].join('\n')
}

const SOAK = 'soak: '

/** One builder kind's soak: schedules held / run, recovered, failed truthfully, slowest. */
function soakRow(kind, records) {
  const held = records.filter(r => r.held)
  const struck = records.filter(r => r.schedule?.struck)
  const recovered = held.filter(r => r.schedule?.struck && r.schedule.released)
  const failed = held.filter(r => r.schedule && !r.schedule.released)
  const slowest = records.reduce((max, r) => (r.ms > max.ms ? r : max))
  const bound = slowest.schedule?.boundMs
  return (
    `| ${cell(kind)} | ${held.length} / ${records.length} | ${struck.length} | ` +
    `${recovered.length} | ${failed.length} | ${seconds(slowest.ms)}` +
    `${bound === undefined ? '' : ` / ${seconds(bound)}`} |`
  )
}

/** "Seed 48, 5 schedules per kind. " from the cases' names ("seed 48 #3: …"). */
function seedsOf(soaked) {
  const seeds = [
    ...new Set(soaked.flatMap(r => /^seed (\d+) #/.exec(r.case)?.[1] ?? []))
  ]
  if (seeds.length === 0) return ''
  const kinds = new Set(soaked.map(r => r.category)).size
  const per = Math.round(soaked.length / kinds)
  return `Seed ${seeds.join(', ')}, ${per} schedules per kind. `
}

/** The soak's figures, one row per builder kind ([] without soak records). */
function soakSummary(records) {
  const soaked = records.filter(r => r.category.startsWith(SOAK))
  if (soaked.length === 0) return []
  const kinds = [...new Set(soaked.map(r => r.category))]
  return [
    SOAK_HEADING,
    '',
    `${seedsOf(soaked)}Seeded schedules of one fault each (test/e2e/soak.test.ts, docs/reliability.md):`,
    '"struck" counts the schedules whose fault happened (a registry or cache service',
    'fault whose request never came did not); "recovered" the held ones where it',
    'struck and the release landed exactly as asked; "failed truthfully" the held ones',
    'that failed with the registry as before and an error naming the builder, the',
    'registry or the cache service.',
    '',
    '| builder kind | schedules held / run | fault struck | recovered | failed truthfully | slowest run / bound |',
    '|---|---|---|---|---|---|',
    ...kinds.map(kind =>
      soakRow(
        kind.slice(SOAK.length),
        soaked.filter(r => r.category === kind)
      )
    ),
    ''
  ]
}

const HISTORY = '## Soak history'
const SOAK_HEADING = '## The soak, per builder kind'

/** A `## ` section's body in the cases file ('' when absent), up to the next or the footer. */
function section(text, heading) {
  const start = text.indexOf(`\n${heading}\n`)
  if (start < 0) return ''
  const rest = text.slice(start + heading.length + 2)
  const end = rest.search(/^## |^\*\*\d+ of \d+ cases held/m)
  return (end < 0 ? rest : rest.slice(0, end)).trim()
}

/**
 * The soak history the file keeps across runs: the previous file's, and the soak table this run
 * replaces (a soak run before, under the previous footer's date and commit), newest first.
 */
function soakHistory(previous, soakLines) {
  const kept = section(previous, HISTORY)
  const last = section(previous, SOAK_HEADING)
  const now = soakLines.join('\n')
  const footer = /run (\S+) at ([^.]+)/.exec(previous)
  const moved =
    last === '' || now.includes(last)
      ? ''
      : `### ${footer ? `Run ${footer[1]} at ${footer[2]}` : 'An earlier run'}\n\n${last}`
  const body = [moved, kept].filter(Boolean).join('\n\n')
  return body === '' ? [] : [HISTORY, '', body, '']
}

export function markdown(records, { commit, dirty, date }, previous = '') {
  const categories = [...new Set(records.map(r => r.category))]
  const held = records.filter(r => r.held).length
  const suites = [...new Set(records.map(r => r.suite))]
  const at = commit === '' ? 'an unknown commit' : `commit ${commit}`
  return [
    '# Reliability',
    '',
    'What the action did under faults, measured on the real stack',
    '(`npm run reliability`: dockerd, registries A/B/T, the fault-injecting',
    "proxy of `test/support/fault-proxy.ts`, BuildKit daemons of a case's own",
    'from `test/support/private-buildkitd.ts`). "held" means every assertion of',
    'the case passed: the outcome a user sees, what landed in the registry',
    '(read past the proxy), no floating tag moved on a failure, and a log',
    'that names what the registry holds. Times are measured, not promised.',
    '',
    ...soakSummary(records),
    ...soakHistory(previous, soakSummary(records)),
    ...categories.flatMap(category => [
      `## ${category}`,
      '',
      table(records.filter(r => r.category === category)),
      ''
    ]),
    `**${held} of ${records.length} cases held** (suites: ${suites.join(', ') || 'none'}); ` +
      `run ${date} at ${at}${dirty ? ' with uncommitted changes' : ''}.`,
    ''
  ].join('\n')
}

function main() {
  const dir = resultsDir()
  if (process.argv.includes('--soak')) {
    // the bench's summary: the soak's table alone, from the results as they are
    const rows = soakSummary(readRecords(dir)).filter(line =>
      line.startsWith('|')
    )
    if (rows.length > 0) console.log(rows.join('\n'))
    return
  }
  const run = process.argv.includes('--run')
  const jestStatus = run ? runSuites(dir) : 0
  const records = readRecords(dir)
  const dates = records.map(r => r.at).sort()
  const file = join(ROOT, 'docs/reliability-cases.md')
  const text = markdown(
    records,
    {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain', '--', 'src', 'test') !== '',
      date: (dates.at(-1) ?? new Date().toISOString()).slice(0, 10)
    },
    existsSync(file) ? readFileSync(file, 'utf8') : ''
  )
  writeFileSync(file, text)
  const failed = records.filter(r => !r.held).length
  console.log(
    `docs/reliability-cases.md: ${records.length - failed} of ${records.length} cases held ` +
      `(results in ${dir})`
  )
  process.exitCode = jestStatus
}

// imported (its unit test), it only exports
if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) main()
