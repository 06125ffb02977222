import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { sharingEngine } from '../support/engine-lock.js'
import { stackNode24 } from '../support/stack-env.js'

export const ROOT = resolve(import.meta.dirname, '../..')

export interface StepResult {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  /** Where the step ran: the runner temp folder with the file commands. */
  dir: string
  /** The post step runMain ran after it: main left cache entries for it to write. */
  post?: StepResult
  /** The step's wall time, in ms: a figure for a report, never asserted. */
  ms: number
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file: `name<<DELIM\nvalue\nDELIM` or `name=value` entries. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2], i + 1)
      values[heredoc[1]] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=')
      values[lines[i].slice(0, eq)] = lines[i].slice(eq + 1)
    }
  }
  return values
}

/** Inputs as the runner passes them: `INPUT_<NAME>` (spaces as `_`), unset ones left out. */
export function inputEnv(
  inputs: Record<string, string | undefined>
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).flatMap(([name, value]) =>
      value === undefined
        ? []
        : [[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]]
    )
  )
}

/** A step still running: its process, and its result once it ends. */
export interface RunningStep {
  child: ChildProcess
  /** What it has printed so far. */
  stdout(): string
  result: Promise<StepResult>
  /** The runner temp folder with the file commands. */
  dir: string
}

let node24: string | undefined

/**
 * The node the Actions runner runs the action on: action.yml's `using: node24`, so the stack's
 * Node 24, never the node running jest (the machine's, which runs the local CLI). Checked once.
 */
export function runnerNode(): string {
  if (node24 !== undefined) return node24
  const node = stackNode24()
  let version: string
  try {
    version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  } catch (error) {
    throw new Error(
      `the stack lacks Node 24: ${node} does not run (${String(error)}); ` +
        'run "bash scripts/stack/stack.sh up"'
    )
  }
  if (!version.startsWith('v24.'))
    throw new Error(`the stack's Node 24 (${node}) is ${version}`)
  node24 = node
  return node
}

/** Starts a bundled entry point the way the Actions runner does, with fresh file commands. */
function startStep(
  entry: string,
  env: Record<string, string>,
  dir = mkdtempSync(join(tmpdir(), 'dpa-step-')),
  /** A command that runs node for the step (e.g. in another mount namespace). */
  launcher: string[] = []
): RunningStep {
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary')
  }
  for (const file of Object.values(files))
    writeFileSync(file, '', { flag: 'a' })
  const [command, ...args] = [
    ...sharingEngine(env.DOCKER_HOST),
    ...launcher,
    runnerNode(),
    join(ROOT, entry)
  ]
  const child = spawn(command, args, {
    cwd: env.GITHUB_WORKSPACE ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      RUNNER_TEMP: dir,
      GITHUB_ACTIONS: 'true',
      ...files,
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const read = (file: string) => readFileSync(file, 'utf8')
  const started = Date.now()
  const result = new Promise<number | null>(done =>
    child.on('close', done)
  ).then(code => ({
    code,
    stdout,
    stderr,
    outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
    state: parseFileCommands(read(files.GITHUB_STATE)),
    summary: read(files.GITHUB_STEP_SUMMARY),
    dir,
    ms: Date.now() - started
  }))
  return { child, stdout: () => stdout, result, dir }
}

/** Runs a bundled entry point to its end (see startStep). */
export function runStep(
  entry: string,
  env: Record<string, string>,
  dir?: string
): Promise<StepResult> {
  return startStep(entry, env, dir).result
}

/**
 * What every test's step gets unless it says otherwise: qemu: false, since binfmt handlers are
 * kernel-wide and the tests share the machine (emulation.test.ts passes the stand-in, and removes
 * what it installed); and the stack's BuildKit stand-in under its moving tag, which every engine
 * holds, for the builder the step makes: the default is Docker Hub's image pinned by digest,
 * which this offline stack cannot pull (emulation.test.ts gives both by digest from registry A).
 */
const TEST_INPUTS = {
  qemu: 'false',
  'buildkit-image': 'moby/buildkit:buildx-stable-1'
}

/** Starts the main step with these inputs and runner environment (through `launcher`, if given). */
export function startMain(
  inputs: Record<string, string | undefined>,
  env: Record<string, string>,
  launcher: string[] = []
): RunningStep {
  return startStep(
    'dist/index.js',
    { ...env, ...inputEnv({ ...TEST_INPUTS, ...inputs }) },
    undefined,
    launcher
  )
}

/** Whether main left cache entries for the post step to write (its saved state says where). */
const leftCache = (main: StepResult): boolean =>
  /"cacheSpool"/.test(main.state['docker-publish'] ?? '')

/**
 * Runs the main step with these inputs and runner environment (through `launcher`, if given);
 * then the post step where the runner starts it (action.yml's `post-if`) and main left cache
 * entries for it to write (with nothing left it does nothing: publish.test.ts).
 */
export async function runMain(
  inputs: Record<string, string | undefined>,
  env: Record<string, string>,
  launcher: string[] = []
): Promise<StepResult> {
  const main = await startStep(
    'dist/index.js',
    { ...env, ...inputEnv({ ...TEST_INPUTS, ...inputs }) },
    undefined,
    launcher
  ).result
  const status = main.code === 0 ? 'success' : 'failure'
  return leftCache(main) && postRuns(status)
    ? { ...main, post: await runPost(main, env) }
    : main
}

/** The state a main step saved, as the runner hands it to the post step (STATE_* env). */
export const stateEnv = (main: StepResult): Record<string, string> =>
  Object.fromEntries(
    Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v])
  )

/** Runs the post step with the state main saved, as the runner does. */
export function runPost(
  main: StepResult,
  env: Record<string, string>
): Promise<StepResult> {
  return runStep('dist/post/index.js', { ...env, ...stateEnv(main) }, main.dir)
}

export type JobStatus = 'success' | 'failure' | 'cancelled'

const STATUS_CHECKS: Record<string, (status: JobStatus) => boolean> = {
  'always()': () => true,
  'success()': status => status === 'success',
  'failure()': status => status === 'failure',
  'cancelled()': status => status === 'cancelled'
}

/**
 * Whether the runner starts the post step: action.yml's `post-if` (status
 * checks joined by `||`) for a job in this status once main ended.
 */
export function postRuns(status: JobStatus): boolean {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    runs: { 'post-if'?: string }
  }
  const condition = action.runs['post-if'] ?? 'always()'
  return condition.split('||').some(check => {
    const known = STATUS_CHECKS[check.trim()]
    if (known === undefined)
      throw new Error(
        `post-if "${condition}": only status checks joined by || are modelled`
      )
    return known(status)
  })
}
