/** Part 1: start-up cost of a dry run of the bundle against bare `node -e 0`. */
import { spawnSync } from 'node:child_process'
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from '../../test/e2e/runner.js'
import { HELLO, tagPushEnv } from './event.js'
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
    // a dry run checks the build's files as a real run does
    INPUT_CONTEXT: join(ROOT, HELLO),
    'INPUT_DRY-RUN': 'true'
  }
}

/** Bytes of the .js files in a folder and below. */
function jsBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map(name => join(dir, name))
    .filter(file => file.endsWith('.js') && statSync(file).isFile())
    .reduce((sum, file) => sum + statSync(file).size, 0)
}

const IMPORT = /(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g

/**
 * The files an entry loads, following its relative imports; `lazy` follows
 * the import()s too (the chunks a dry run loads after the plan is computed).
 */
function loadedFiles(entry: string, lazy: boolean): string[] {
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const dynamic = match[0].includes('(')
      if (!dynamic || lazy) visit(join(dirname(file), match[1]))
    }
  }
  visit(entry)
  return [...seen]
}

function bytesOf(files: string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0)
}

/**
 * A dry run detects the builder with `docker buildx inspect`, a process of
 * its own: the run without docker on PATH shows the action's own share.
 */
export function coldStart(pairs: number): void {
  requireDist('dist/index.js')
  const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-cold-'))
  const env = dryRunEnv(dir)
  const noDocker = { ...env, PATH: dir }
  const bare: number[] = []
  const action: number[] = []
  const alone: number[] = []
  timeNode(['dist/index.js'], env) // not counted: warms the file cache
  for (let i = 0; i < pairs; i++) {
    bare.push(timeNode(['-e', '0'], env))
    action.push(timeNode(['dist/index.js'], env))
    alone.push(timeNode(['dist/index.js'], noDocker))
  }
  rmSync(dir, { recursive: true, force: true })
  const dist = join(ROOT, 'dist')
  const entry = join(dist, 'index.js')
  const startFiles = loadedFiles(entry, false)
  const allFiles = loadedFiles(entry, true)
  console.log(`  dry run, ${pairs} alternated triples; median (min–max)`)
  printTable([
    ['node -e 0', spread(bare, ms1)],
    ['node dist/index.js', spread(action, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(action, bare))} median of pairwise ratios, goal <= 1.3`
    ],
    ['same, no docker on PATH', spread(alone, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(alone, bare))} (the action without the docker process)`
    ],
    [
      'loaded at start',
      `${kib(bytesOf(startFiles))} (dist/index.js and its static imports; ${startFiles.length} files)`
    ],
    [
      'at most loaded',
      `${kib(bytesOf(allFiles))} (with every import()ed chunk; ${allFiles.length} files)`
    ],
    ['dist/**/*.js', `${kib(jsBytes(dist))} (post and cli bundles too)`]
  ])
}
