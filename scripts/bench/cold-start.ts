/**
 * Part 1: start-up cost of a dry run of the bundle against bare `node -e 0`, on the runner's
 * Node 24 (action.yml's `using: node24`, the stack's) and on the machine's node.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
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
import { ROOT, runnerNode } from '../../test/e2e/runner.js'
import { HELLO, tagPushEnv } from './event.js'
import { requireDist } from './host.js'
import { kib, medianRatio, ms1, printTable, ratio, spread } from './report.js'
import { stackEnv } from '../../test/support/stack-env.js'

/** A node binary the figures are taken on. */
interface BenchNode {
  path: string
  /** e.g. "Node v24.21.0, the runner's". */
  label: string
}

function timeNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  node = process.execPath
): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(node, args, {
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

/**
 * The engine the dry runs and the floor ask GET /info: DOCKER_HOST if set (a unix socket: the
 * floor asks no other), else the stack's Docker 29.4 on its containerd store (ubuntu-latest's),
 * else the machine's default socket.
 */
function benchEngine(): { host?: string; label: string } {
  const given = process.env.DOCKER_HOST
  if (given && !given.startsWith('unix://'))
    throw new Error(
      `DOCKER_HOST ${given}: the cold start asks a unix:// socket only`
    )
  if (given) return { host: given, label: `DOCKER_HOST (${given})` }
  let runners: string | undefined
  try {
    runners = stackEnv().field29?.containerdDockerHost
  } catch {
    // no stack: the machine's engine
  }
  return runners === undefined
    ? { label: "the machine's (/var/run/docker.sock)" }
    : {
        host: runners,
        label: "Docker 29.4's, containerd store (the stack's; ubuntu-latest's)"
      }
}

function dryRunEnv(dir: string, engine?: string): NodeJS.ProcessEnv {
  for (const name of ['output', 'state', 'summary', 'env'])
    writeFileSync(join(dir, name), '')
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(engine !== undefined && { DOCKER_HOST: engine }),
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
/** A chunk loaded through dist/chunks/load.js (scripts/build.mjs): a path in dist/chunks/. */
const CHUNK_LOAD = /__dpaLoad\("(\.\/[^"]+)"\)/g

/** Every file an entry can load: its relative imports and requires, lazy ones too. */
function reachableFiles(entry: string): string[] {
  const chunks = join(ROOT, 'dist/chunks')
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(IMPORT))
      visit(join(dirname(file), match[1]))
    for (const match of text.matchAll(CHUNK_LOAD)) {
      const chunk = join(chunks, match[1])
      if (existsSync(chunk)) visit(chunk)
    }
  }
  visit(entry)
  return [...seen]
}

/** What one untimed run loaded: the files of dist/ and node's builtins. */
interface Loaded {
  files: string[]
  builtins: string[]
}

/**
 * What a run of `script` loads, as node saw it at exit (its CommonJS module cache and
 * process.moduleLoadList, recorded by a preloaded hook in a run that is not timed).
 */
function loaded(script: string, env: NodeJS.ProcessEnv, dir: string): Loaded {
  const hook = join(dir, 'loaded-hook.cjs')
  const out = join(dir, 'loaded.json')
  writeFileSync(
    hook,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify([Object.keys(require.cache), process.moduleLoadList])))`
  )
  timeNode(['--require', hook, script], env)
  const [files, modules] = JSON.parse(readFileSync(out, 'utf8')) as string[][]
  const dist = join(ROOT, 'dist') + '/'
  return {
    files: files.filter(file => file.startsWith(dist)),
    builtins: modules
      .filter(name => name.startsWith('NativeModule '))
      .map(name => name.slice('NativeModule '.length))
  }
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
function setupBuildxConfig(dir: string, engine?: string): string {
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
    {
      env: {
        ...process.env,
        DOCKER_CONFIG: config,
        ...(engine !== undefined && { DOCKER_HOST: engine })
      },
      stdio: 'pipe'
    }
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

/**
 * The runner's Node 24 first (the stack's; left out, with the reason, when the stack lacks it),
 * then the machine's node, which runs jest and the local CLI.
 */
function benchNodes(): BenchNode[] {
  const machine = {
    path: process.execPath,
    label: `Node ${process.version}, the machine's`
  }
  let path: string
  try {
    path = runnerNode()
  } catch (error) {
    console.log(`  Node 24 left out: ${String(error)}`)
    return [machine]
  }
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' })
  return [{ path, label: `Node ${version.trim()}, the runner's` }, machine]
}

/** The dry runs' environments and the floors' files, made once for every node. */
function coldStartSetup(dir: string, engine?: string) {
  const env = dryRunEnv(dir, engine)
  const floorFile = join(dir, 'floor.cjs')
  writeFileSync(floorFile, FLOOR)
  const afterInfoFile = join(dir, 'floor-after-info.cjs')
  writeFileSync(afterInfoFile, FLOOR_AFTER_INFO)
  return {
    env,
    // with docker installed the default builder is known from files; without
    // it a dry run tries `docker buildx inspect` and falls back to the classic build
    noDocker: { ...env, PATH: dir },
    setupBuildx: { ...env, DOCKER_CONFIG: setupBuildxConfig(dir, engine) },
    floorFile,
    afterInfoFile
  }
}

type ColdStartSetup = ReturnType<typeof coldStartSetup>

/** Alternated rounds of every command on one node: each row's times. */
function coldStartRounds(
  node: string,
  pairs: number,
  setup: ColdStartSetup,
  dir: string
): Record<string, number[]> {
  const { env, noDocker, setupBuildx, floorFile, afterInfoFile } = setup
  const time = (args: string[], runEnv: NodeJS.ProcessEnv) =>
    timeNode(args, runEnv, node)
  const rows: Record<string, () => number> = {
    bare: () => time(['-e', '0'], env),
    floor: () => time([floorFile], env),
    afterInfo: () => time([afterInfoFile], env),
    action: () => time(['dist/index.js'], env),
    container: () => time(['dist/index.js'], setupBuildx),
    alone: () => time(['dist/index.js'], noDocker),
    post: () => time(['dist/post/index.js'], postEnv(env, dir))
  }
  time(['dist/index.js'], env) // not counted: warms the file cache
  time(['dist/post/index.js'], postEnv(env, dir))
  const times: Record<string, number[]> = {}
  for (let i = 0; i < pairs; i++)
    for (const [name, run] of Object.entries(rows))
      (times[name] ??= []).push(run())
  return times
}

/** One node's table: each row's median (min–max) and its ratios. */
function printNodeTable(
  label: string,
  pairs: number,
  t: Record<string, number[]>
) {
  console.log(
    `  ${label}: dry run, ${pairs} alternated rounds; median (min–max)`
  )
  printTable([
    ['node -e 0', spread(t.bare, ms1)],
    ['floor (stdout, output, summary)', spread(t.floor, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(t.floor, t.bare))} (the I/O any @actions/core action does, nothing else)`
    ],
    ['node dist/index.js', spread(t.action, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(t.action, t.bare))} median of pairwise ratios against node -e 0`
    ],
    [
      'ratio to the floor',
      `${ratio(medianRatio(t.action, t.floor))} goal <= 1.2 (issue 20)`
    ],
    ["floor after the engine's GET /info", spread(t.afterInfo, ms1)],
    [
      'ratio to the floor',
      `${ratio(medianRatio(t.afterInfo, t.floor))} (the least a dry run on the docker driver can take: its steps depend on the image store)`
    ],
    [
      'dry run, ratio to that',
      `${ratio(medianRatio(t.action, t.afterInfo))} goal <= 1.2 on Node 24 (issue 50)`
    ],
    ["same, setup-buildx-action's builder", spread(t.container, ms1)],
    [
      'ratio to the floor',
      `${ratio(medianRatio(t.container, t.floor))} goal <= 1.2 (issue 20; docker-container driver, known from buildx's files, no /info)`
    ],
    ['same, docker not on PATH', spread(t.alone, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(t.alone, t.bare))} (buildx asked for and missing: the classic build)`
    ],
    ['post step (removes the run folder)', spread(t.post, ms1)],
    [
      'ratio',
      `${ratio(medianRatio(t.post, t.bare))} (its floor: one line to stdout)`
    ]
  ])
}

export function coldStart(pairs: number): void {
  requireDist('dist/index.js', 'dist/post/index.js')
  const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-cold-'))
  const engine = benchEngine()
  console.log(`  engine asked GET /info: ${engine.label}`)
  const setup = coldStartSetup(dir, engine.host)
  for (const node of benchNodes())
    printNodeTable(
      node.label,
      pairs,
      coldStartRounds(node.path, pairs, setup, dir)
    )
  const { files: startFiles, builtins } = loaded(
    'dist/index.js',
    setup.env,
    dir
  )
  const floorBuiltins = new Set(
    loaded(setup.afterInfoFile, setup.env, dir).builtins
  )
  // where node's own modules cost more on one node than another (node:tls and node:crypto: 2-3
  // times on Node 24), a builtin loaded beyond the floor's shows it
  const beyondFloor = builtins.filter(name => !floorBuiltins.has(name))
  rmSync(dir, { recursive: true, force: true })
  const dist = join(ROOT, 'dist')
  const allFiles = reachableFiles(join(dist, 'index.js'))
  printTable([
    [
      'loaded by the dry run',
      `${kib(bytesOf(startFiles))} (files of dist/ node loaded; ${startFiles.length} files)`
    ],
    [
      "node's modules beyond the floor's",
      `${beyondFloor.join(', ') || 'none'} (process.moduleLoadList, the machine's node)`
    ],
    [
      'at most loaded',
      `${kib(bytesOf(allFiles))} (dist/index.js with every chunk it can require; ${allFiles.length} files)`
    ],
    ['dist/**/*.js', `${kib(jsBytes(dist))} (post and cli bundles too)`]
  ])
}
