/** Part 1: start-up cost of a dry run of the bundle against bare `node -e 0`. */
import { spawnSync } from 'node:child_process'
import {
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../test/e2e/runner.js'
import { tagPushEnv } from './event.js'
import { requireDist } from './host.js'
import { kib, medianRatio, ms1, printTable, ratio, spread } from './report.js'

function timeNode(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env,
    encoding: 'utf8'
  })
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0)
    throw new Error(
      `node ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`
    )
  return elapsed
}

function dryRunEnv(dir: string): NodeJS.ProcessEnv {
  for (const name of ['output', 'state', 'summary'])
    writeFileSync(join(dir, name), '')
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUNNER_TEMP: dir,
    ...tagPushEnv(),
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    INPUT_IMAGES: 'ghcr.io/o/app',
    'INPUT_DRY-RUN': 'true'
  }
}

/** Bytes of the .js files in a folder (and below, if `deep`). */
function jsBytes(dir: string, deep: boolean): number {
  return readdirSync(dir, { recursive: deep, encoding: 'utf8' })
    .map(name => join(dir, name))
    .filter(file => file.endsWith('.js') && statSync(file).isFile())
    .reduce((sum, file) => sum + statSync(file).size, 0)
}

export function coldStart(pairs: number): void {
  requireDist('dist/index.js')
  const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-cold-'))
  const env = dryRunEnv(dir)
  const bare: number[] = []
  const action: number[] = []
  timeNode(['dist/index.js'], env) // not counted: warms the file cache
  for (let i = 0; i < pairs; i++) {
    bare.push(timeNode(['-e', '0'], env))
    action.push(timeNode(['dist/index.js'], env))
  }
  rmSync(dir, { recursive: true, force: true })
  const dist = join(ROOT, 'dist')
  console.log(`  dry run, ${pairs} alternated pairs; median (min–max)`)
  printTable([
    ['node -e 0', spread(bare, ms1)],
    ['node dist/index.js', spread(action, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(action, bare))} median of pairwise ratios, goal <= 2.0`
    ],
    ['dist/index.js', kib(statSync(join(dist, 'index.js')).size)],
    ['dist/*.js', kib(jsBytes(dist, false))],
    ['dist/**/*.js', `${kib(jsBytes(dist, true))} (post and cli bundles too)`]
  ])
}
