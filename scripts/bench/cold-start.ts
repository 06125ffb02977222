/** Part 1: start-up cost of a dry run of the bundle against bare `node -e 0`. */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  mkdirSync,
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
  for (const name of ['output', 'state', 'summary', 'env'])
    writeFileSync(join(dir, name), '')
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUNNER_TEMP: dir,
    ...tagPushEnv(),
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    // the runner always sets it: without it core.exportVariable prints ::set-env
    GITHUB_ENV: join(dir, 'env'),
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

const IMPORT = /(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g

/** Every file an entry can load: its relative imports and requires, lazy ones too. */
function reachableFiles(entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT))
      visit(join(dirname(file), match[1]))
  }
  visit(entry)
  return [...seen]
}

/**
 * The files of dist/ a dry run loads, as node saw them (its CommonJS module
 * cache at exit, recorded by a preloaded hook in a run that is not timed).
 */
function loadedFiles(env: NodeJS.ProcessEnv, dir: string): string[] {
  const hook = join(dir, 'loaded-hook.cjs')
  const out = join(dir, 'loaded.json')
  writeFileSync(
    hook,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))))`
  )
  timeNode(['--require', hook, 'dist/index.js'], env)
  const dist = join(ROOT, 'dist') + '/'
  return (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter(file =>
    file.startsWith(dist)
  )
}

/**
 * What any action built on @actions/core does in a dry run, with nothing of
 * ours: print to stdout (a pipe: node loads net and streams for it), set an
 * output (a random delimiter: node:crypto) and append to the job summary
 * (fs/promises). Nothing ours can start faster than this.
 */
const FLOOR = `
const fs = require('fs')
process.stdout.write('Plan\\n'.repeat(40))
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'tags<<ghadelimiter_' + require('crypto').randomUUID() + '\\n')
fs.promises.appendFile(process.env.GITHUB_STEP_SUMMARY, '# Dry run\\n')
`

/**
 * The floor, after the engine's answer to GET /info: a dry run on buildx's
 * docker driver shows steps that depend on the image store, which only
 * /info tells, so it can end no sooner than this.
 */
const FLOOR_AFTER_INFO = `
const host = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'
const socket = require('net').connect(host.slice('unix://'.length))
socket.write('GET /info HTTP/1.0\\r\\nHost: docker\\r\\n\\r\\n')
socket.resume()
socket.on('close', () => {
${FLOOR}
})
`

/**
 * A docker config where setup-buildx-action's kind of builder is current
 * (`docker buildx create --driver docker-container --use`: files only, the
 * builder is never started).
 */
function setupBuildxConfig(dir: string): string {
  const config = join(dir, 'setup-buildx')
  mkdirSync(config)
  writeFileSync(join(config, 'config.json'), '{}')
  execFileSync(
    'docker',
    [
      'buildx',
      'create',
      '--name',
      'dpa-bench',
      '--driver',
      'docker-container',
      '--use'
    ],
    { env: { ...process.env, DOCKER_CONFIG: config }, stdio: 'pipe' }
  )
  return config
}

function bytesOf(files: string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0)
}

/** The post step's env: the state main saves, a run folder for it to remove. */
function postEnv(env: NodeJS.ProcessEnv, dir: string): NodeJS.ProcessEnv {
  const tempDir = mkdtempSync(join(dir, 'docker-publish-'))
  writeFileSync(join(tempDir, 'config.json'), '{}')
  return { ...env, 'STATE_docker-publish': JSON.stringify({ tempDir }) }
}

export function coldStart(pairs: number): void {
  requireDist('dist/index.js', 'dist/post/index.js')
  const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-cold-'))
  const env = dryRunEnv(dir)
  // with docker installed the default builder is known from files; without
  // it a dry run tries `docker buildx inspect` and falls back to the classic build
  const noDocker = { ...env, PATH: dir }
  const setupBuildx = {
    ...env,
    DOCKER_CONFIG: setupBuildxConfig(dir)
  }
  const floorFile = join(dir, 'floor.cjs')
  writeFileSync(floorFile, FLOOR)
  const afterInfoFile = join(dir, 'floor-after-info.cjs')
  writeFileSync(afterInfoFile, FLOOR_AFTER_INFO)
  const bare: number[] = []
  const floor: number[] = []
  const afterInfo: number[] = []
  const action: number[] = []
  const container: number[] = []
  const alone: number[] = []
  const post: number[] = []
  timeNode(['dist/index.js'], env) // not counted: warms the file cache
  timeNode(['dist/post/index.js'], postEnv(env, dir))
  for (let i = 0; i < pairs; i++) {
    bare.push(timeNode(['-e', '0'], env))
    floor.push(timeNode([floorFile], env))
    afterInfo.push(timeNode([afterInfoFile], env))
    action.push(timeNode(['dist/index.js'], env))
    container.push(timeNode(['dist/index.js'], setupBuildx))
    alone.push(timeNode(['dist/index.js'], noDocker))
    post.push(timeNode(['dist/post/index.js'], postEnv(env, dir)))
  }
  const startFiles = loadedFiles(env, dir)
  rmSync(dir, { recursive: true, force: true })
  const dist = join(ROOT, 'dist')
  const allFiles = reachableFiles(join(dist, 'index.js'))
  console.log(`  dry run, ${pairs} alternated rounds; median (min–max)`)
  printTable([
    ['node -e 0', spread(bare, ms1)],
    ['floor (stdout, output, summary)', spread(floor, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(floor, bare))} (the I/O any @actions/core action does, nothing else)`
    ],
    ['node dist/index.js', spread(action, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(action, bare))} median of pairwise ratios against node -e 0`
    ],
    [
      'ratio to the floor',
      `${ratio(medianRatio(action, floor))} goal <= 1.2 (issue 20)`
    ],
    ["floor after the engine's GET /info", spread(afterInfo, ms1)],
    [
      'ratio to the floor',
      `${ratio(medianRatio(afterInfo, floor))} (the least a dry run on the docker driver can take: its steps depend on the image store)`
    ],
    ['dry run, ratio to that', `${ratio(medianRatio(action, afterInfo))}`],
    ["same, setup-buildx-action's builder", spread(container, ms1)],
    [
      'ratio to the floor',
      `${ratio(medianRatio(container, floor))} goal <= 1.2 (issue 20; docker-container driver, known from buildx's files, no /info)`
    ],
    ['same, docker not on PATH', spread(alone, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(alone, bare))} (buildx asked for and missing: the classic build)`
    ],
    ['post step (removes the run folder)', spread(post, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(post, bare))} (its floor: one line to stdout)`
    ],
    [
      'loaded by the dry run',
      `${kib(bytesOf(startFiles))} (files of dist/ node loaded; ${startFiles.length} files)`
    ],
    [
      'at most loaded',
      `${kib(bytesOf(allFiles))} (dist/index.js with every chunk it can require; ${allFiles.length} files)`
    ],
    ['dist/**/*.js', `${kib(jsBytes(dist))} (post and cli bundles too)`]
  ])
}
