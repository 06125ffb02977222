// Prints performance figures; asserts nothing (goals are read by people).
// Part 1: cold start of a dry run of the bundle vs bare `node -e 0`, alternated.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, statSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const RUNS = Number(process.env.BENCH_RUNS ?? 21)

const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function timeRun(args, env) {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0)
    throw new Error(
      `${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`
    )
  return ms
}

function dryRunEnv() {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-'))
  const event = join(dir, 'event.json')
  writeFileSync(
    event,
    JSON.stringify({
      ref: 'refs/tags/v1.2.3',
      head_commit: { timestamp: '2026-11-01T10:00:00Z' },
      repository: {
        full_name: 'o/app',
        html_url: 'https://github.com/o/app',
        default_branch: 'main'
      }
    })
  )
  for (const f of ['output', 'state', 'summary'])
    writeFileSync(join(dir, f), '')
  return {
    PATH: process.env.PATH,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REPOSITORY: 'o/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_PATH: event,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    INPUT_IMAGES: 'ghcr.io/o/app',
    'INPUT_DRY-RUN': 'true'
  }
}

function bundleBytes(dir) {
  return readdirSync(dir, { recursive: true })
    .map(f => join(dir, f))
    .filter(f => statSync(f).isFile() && f.endsWith('.js'))
    .reduce((sum, f) => sum + statSync(f).size, 0)
}

export function coldStart() {
  const env = dryRunEnv()
  const bare = []
  const action = []
  timeRun(['dist/index.js'], env) // warm the file cache once
  for (let i = 0; i < RUNS; i++) {
    bare.push(timeRun(['-e', '0'], env))
    action.push(timeRun(['dist/index.js'], env))
  }
  const ratio = median(action.map((a, i) => a / bare[i]))
  console.log(
    'cold start, dry run of a v1.2.3 tag push (alternated, %d runs each)',
    RUNS
  )
  console.log('  node -e 0        median %s ms', median(bare).toFixed(1))
  console.log('  dist/index.js    median %s ms', median(action).toFixed(1))
  console.log(
    '  ratio (median of pairwise ratios) %s   goal <= 2.0',
    ratio.toFixed(2)
  )
  console.log(
    '  bundle: dist/index.js %s KiB, all dist/ JS %s KiB',
    (statSync('dist/index.js').size / 1024).toFixed(0),
    (bundleBytes('dist') / 1024).toFixed(0)
  )
}

coldStart()
