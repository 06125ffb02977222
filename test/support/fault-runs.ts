/**
 * A release run under a fault, and the invariants it must keep (SPEC 12 "Builders fail too",
 * issue 39), shared by builder-faults.test.ts and soak.test.ts. A run publishes v1.2.3 as the
 * runner does on a tag push, over a repository that holds 1.2.2 as 1.2.2, 1.2, 1 and latest; a
 * fault lands once the step printed a marker of its RUN (a builder fault), or is armed in the
 * fault proxy the step pushes through (a registry fault). The invariants:
 * - the run ends within its bound (past it, it is cancelled as the runner does at timeout-minutes);
 * - the registry holds the state before, or exactly the asked result (1.2.3 added, 1, 1.2 and
 *   latest moved to it, an index of every asked platform), as the exit code says;
 * - the builder, container, volume and folder the step made are gone;
 * - a failure prints one ::error:: line, saying what the case expects (naming the builder, the
 *   endpoint or the registry).
 * What a case makes is undone after it: a test file calls undoAfterEachCase() once.
 */
import { afterAll, afterEach, expect } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readManifest, registryState } from '../e2e/registry-api.js'
import { errorLines } from '../e2e/releases.js'
import {
  postRuns,
  runPost,
  startMain,
  type RunningStep,
  type StepResult
} from '../e2e/runner.js'
import { credentials, runnerEnv, uniqueRepo } from '../e2e/steps.js'
import { builderNamed } from './builders.js'
import {
  startPrivateBuildkitd,
  type PrivateBuildkitd
} from './private-buildkitd.js'
import { pushTestImage } from './registry-seed.js'
import { describeLeft, type CaseRecord, type TagState } from './reliability.js'
import { stackEnv } from './stack-env.js'

export const PLATFORMS = ['linux/amd64', 'linux/arm64']
const SEEDED = ['1', '1.2', '1.2.2', 'latest']
/** The tags a v1.2.3 tag push asks for. */
const ASKED = ['1', '1.2', '1.2.3', 'latest']
/** Far above any of these runs on a loaded machine: a run still going then is taken for hung. */
export const BOUND_MS = 120_000

const started: RunningStep[] = []
const undo: (() => unknown)[] = []

/** Something the case made, undone after it, failed or not (last made, first undone). */
export const later = (step: () => unknown): void => {
  undo.push(step)
}

/** Undoes what each case made after it, and kills a step still running after the file. */
export function undoAfterEachCase(): void {
  afterEach(async () => {
    const failures: unknown[] = []
    for (const step of undo.splice(0).reverse())
      await Promise.resolve()
        .then(step)
        .catch((error: unknown) => failures.push(error))
    if (failures.length > 0) throw failures[0]
  })
  afterAll(() => {
    for (const step of started)
      if (step.child.exitCode === null) step.child.kill('SIGKILL')
  })
}

/**
 * A build whose RUN prints `marker` and then sleeps (on the build platform, so two platforms
 * need no emulation), its result copied into a scratch image; fresh each time (no cache hit).
 */
export function slowContext(seconds = 30): { dir: string; marker: string } {
  const nonce = randomBytes(6).toString('hex')
  const dir = mkdtempSync(join(tmpdir(), 'dpa-slow-run-'))
  later(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'ARG BASE=busybox',
      'FROM --platform=$BUILDPLATFORM ${BASE} AS work',
      `RUN n=${nonce}; echo "started-$n" && sleep ${seconds} && echo $n > /done`,
      'FROM scratch',
      'COPY --from=work /done /done',
      ''
    ].join('\n')
  )
  return { dir, marker: `started-${nonce}` }
}

/** Where a step runs: its runner env and the engine it talks to (DOCKER_HOST). */
export interface RunnerSetup {
  env: Record<string, string>
  host: string
}

/**
 * A runner whose docker uses the stack's builder of that name (default: a stock runner's engine
 * and CLI, Docker 28.5, classic store, buildx 0.29, no builder); its inputs, if any, in `inputs`.
 */
export function runnerOn(
  builder = 'docker 28.5 classic store'
): RunnerSetup & { inputs: Record<string, string> } {
  const runner = runnerEnv('push-tag')
  later(() => rmSync(runner.DOCKER_CONFIG, { recursive: true, force: true }))
  const use = builderNamed(builder).use(runner.DOCKER_CONFIG)
  return {
    env: { ...runner, ...use.env },
    host: use.engine.host,
    inputs: use.inputs
  }
}

/** Waits until the step printed `text`; fails if it ends first. */
async function printed(step: RunningStep, text: string | RegExp) {
  const deadline = Date.now() + 90_000
  const seen = () =>
    typeof text === 'string'
      ? step.stdout().includes(text)
      : text.test(step.stdout())
  while (!seen()) {
    if (step.child.exitCode !== null || Date.now() > deadline)
      throw new Error(
        `the step never printed ${String(text)}:\n${step.stdout()}`
      )
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/**
 * The step's result, and whether it ended within `bound` ms: past it, the step is cancelled as
 * the runner cancels a job at its timeout (SIGTERM, SIGKILL 10 s later).
 */
async function ended(
  step: RunningStep,
  bound: number
): Promise<{ main: StepResult; inBound: boolean }> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>(resolve => {
    timer = setTimeout(() => resolve('late'), bound)
  })
  const first = await Promise.race([step.result, late])
  clearTimeout(timer)
  if (first !== 'late') return { main: first, inBound: true }
  const children = descendants(step.child.pid ?? 0)
  step.child.kill('SIGTERM')
  const kill = setTimeout(() => step.child.kill('SIGKILL'), 10_000)
  const main = await step.result
  clearTimeout(kill)
  // the runner's orphan clean-up at the end of the job
  for (const pid of children)
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // it ended with the step
    }
  return { main, inBound: false }
}

/** The processes below `pid` (read from /proc), deepest last. */
function descendants(pid: number): number[] {
  const parents = readdirSync('/proc')
    .filter(entry => /^\d+$/.test(entry))
    .flatMap(entry => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        return [[Number(entry), ppid]]
      } catch {
        return []
      }
    })
  const below = (parent: number): number[] =>
    parents
      .filter(([, ppid]) => ppid === parent)
      .flatMap(([child]) => [child, ...below(child)])
  return below(pid)
}

export interface Published {
  main: StepResult
  /** Whether main ended within its bound (else it was cancelled, and post ran). */
  inBound: boolean
  /** The engine the step ran on (DOCKER_HOST). */
  host: string
  /** The runner env of the step (its DOCKER_CONFIG, BUILDX_CONFIG). */
  env: Record<string, string>
  repo: string
  platforms: string[]
  before: TagState
  after: TagState
}

/** A fault: `act` once the step printed `when`. */
export interface Fault {
  when: string | RegExp
  act: (step: RunningStep) => Promise<void> | void
}

/** How a run publishes, beyond its inputs. */
export interface PublishOptions {
  /** `act` once the step printed `when`. */
  fault?: Fault
  /** ms; BOUND_MS unless told. */
  bound?: number
  /** The registry name the step pushes to (a fault proxy in front of registry A); A's own else. */
  registry?: string
  /** The platforms asked (PLATFORMS unless told). */
  platforms?: string[]
}

/**
 * Seeds the repository, runs main with these inputs (calling `fault.act` once the step printed
 * `fault.when`) within its bound, then post where the runner would; records the run's time and
 * what it left (read from registry A itself, never through a proxy).
 */
export async function publish(
  c: CaseRecord,
  setup: RunnerSetup,
  inputs: Record<string, string>,
  options: PublishOptions = {}
): Promise<Published> {
  const { a, emulation } = stackEnv()
  const { fault, bound = BOUND_MS, platforms = PLATFORMS } = options
  const registry = options.registry ?? a.host
  const repo = uniqueRepo('builder-faults')
  await pushTestImage(a, repo, { tags: SEEDED })
  const before = await registryState(a, repo)
  const { main, inBound } = await c.time(async () => {
    const step = startMain(
      {
        images: `${registry}/${repo}`,
        ...credentials(a),
        platforms: platforms.join(','),
        // the base image from the registry the step pushes to (it logs in there only)
        'build-args': `BASE=${emulation.base.replace(a.host, registry)}`,
        flavor: 'latest=release',
        ...inputs
      },
      setup.env
    )
    started.push(step)
    later(() => rmSync(step.dir, { recursive: true, force: true }))
    if (fault !== undefined) {
      await printed(step, fault.when)
      await fault.act(step)
    }
    return ended(step, bound)
  })
  const status = !inBound
    ? 'cancelled'
    : main.code === 0
      ? 'success'
      : 'failure'
  if (postRuns(status)) await runPost(main, setup.env)
  const after = await registryState(a, repo)
  c.left(describeLeft(before, after))
  const { host, env } = setup
  return { main, inBound, host, env, repo, platforms, before, after }
}

/** A registry state in one comparable string (tag order aside). */
const canon = (state: TagState) => JSON.stringify(Object.entries(state).sort())

/** "as before", "exactly as asked", or what else the registry holds. */
async function registryVerdict({ repo, platforms, before, after }: Published) {
  if (canon(after) === canon(before)) return 'as before'
  const digest = after['1.2.3'] ?? ''
  const asked = {
    ...before,
    ...Object.fromEntries(ASKED.map(tag => [tag, digest]))
  }
  if (canon(after) !== canon(asked))
    return `neither: ${describeLeft(before, after)}`
  const index = (await readManifest(stackEnv().a, repo, '1.2.3')).platforms
  // one platform may land as an image manifest (no index)
  const landed =
    index.length === 0 && platforms.length === 1 ? platforms : index
  return landed.join() === platforms.join()
    ? 'exactly as asked'
    : `a partial index (${landed.join(', ')})`
}

/** The builder the step made, as its log names it ('-' if none). */
export const ownBuilder = (stdout: string) =>
  /Builder: (docker-publish-\S+) \(driver/.exec(stdout)?.[1] ?? '-'

/** The containers and volumes of the step's own builder on the engine (buildx's names). */
export function onEngine(host: string, builder: string): string[] {
  const docker = (...args: string[]) =>
    execFileSync('docker', ['-H', host, ...args], { encoding: 'utf8' })
      .split('\n')
      .filter(line => line.includes(`buildx_buildkit_${builder}0`))
  return [
    ...docker('ps', '-a', '--format', '{{.Names}}'),
    ...docker('volume', 'ls', '-q')
  ]
}

/** The builders the step made still in the runner's buildx state (BUILDX_CONFIG, else docker's). */
function inBuildxState(env: Record<string, string>): string[] {
  const state = env.BUILDX_CONFIG ?? join(env.DOCKER_CONFIG, 'buildx')
  const instances = join(state, 'instances')
  if (!existsSync(instances)) return []
  return readdirSync(instances).filter(f => f.startsWith('docker-publish-'))
}

/** The run folders main made in the runner's temp folder. */
const runFolders = (main: StepResult) =>
  readdirSync(main.dir).filter(f => /^docker-publish-(?!bake-)/.test(f))

/**
 * The invariants every run keeps: it ended within its bound, the registry as before or exactly as
 * asked (as the exit code says), no run folder, no container, volume or buildx state of a builder
 * the step made, and one ::error:: line saying `error` on a failure.
 */
export async function expectInvariants(run: Published, error: RegExp) {
  expect(run.inBound ? 'ended' : 'cancelled at its bound').toBe('ended')
  expect(await registryVerdict(run)).toBe(
    run.main.code === 0 ? 'exactly as asked' : 'as before'
  )
  expect(runFolders(run.main)).toEqual([])
  expect(onEngine(run.host, ownBuilder(run.main.stdout))).toEqual([])
  expect(inBuildxState(run.env)).toEqual([])
  expect(errorLines(run.main.stdout)).toEqual(
    run.main.code === 0 ? [] : [expect.stringMatching(error)]
  )
}

/** A private buildkitd (with mTLS on tcp too, given TLS material), stopped after the case. */
export async function privateBuildkitd(
  ...pki: Parameters<typeof startPrivateBuildkitd>
): Promise<PrivateBuildkitd> {
  const daemon = await startPrivateBuildkitd(...pki)
  later(() => daemon.stop())
  return daemon
}

/** A TCP listener that accepts, reads and never answers; closed after the case. */
export async function silentListener(): Promise<string> {
  const sockets = new Set<Socket>()
  const server: Server = createServer(socket => {
    sockets.add(socket)
    socket.on('data', () => undefined)
    socket.on('error', () => undefined)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  later(
    () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(resolve)
      })
  )
  const address = server.address()
  return `tcp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}

/** A builder of the user's (the builder input), made by `buildx create` in a state of its own. */
export interface UserBuilder extends RunnerSetup {
  name: string
  nodes: PrivateBuildkitd[]
  /** Whether the user's builder is still there (the step made it not, so keeps it). */
  kept: () => boolean
}

/**
 * A remote builder of the user's over private buildkitds' unix sockets: one node, or one node per
 * platform (`platforms`), in a buildx state of the case's own.
 */
export async function userRemoteBuilder(
  setup: RunnerSetup,
  platforms: (string | undefined)[]
): Promise<UserBuilder> {
  const nodes: PrivateBuildkitd[] = []
  for (let i = 0; i < platforms.length; i++)
    nodes.push(await privateBuildkitd())
  const config = mkdtempSync(join(tmpdir(), 'dpa-buildx-state-'))
  later(() => rmSync(config, { recursive: true, force: true }))
  const name = `dpa-faults-${randomBytes(3).toString('hex')}`
  platforms.forEach((platform, i) =>
    execFileSync(
      join(stackEnv().field.bin, 'docker'),
      [
        'buildx',
        'create',
        ...(i === 0 ? [] : ['--append']),
        ...['--name', name, '--driver', 'remote'],
        ...(platform === undefined ? [] : ['--platform', platform]),
        nodes[i].sock
      ],
      { env: { ...process.env, ...setup.env, BUILDX_CONFIG: config } }
    )
  )
  return {
    name,
    nodes,
    host: setup.host,
    env: { ...setup.env, BUILDX_CONFIG: config },
    kept: () => existsSync(join(config, 'instances', name))
  }
}

/**
 * A docker-container builder of the user's (as docker/setup-buildx-action makes one) on the
 * setup's engine, started, in a buildx state of the case's own; removed after the case. On the
 * host network by default, where it reaches the stack's registries on loopback; on the engine's
 * bridge (`network: 'bridge'`) as setup-buildx-action makes it, where it reaches none of them.
 * Started unless `bootstrap: false` (as `buildx create` leaves it).
 */
export function userContainerBuilder(
  setup: RunnerSetup,
  {
    network = 'host',
    bootstrap = true
  }: { network?: 'host' | 'bridge'; bootstrap?: boolean } = {}
): UserBuilder {
  const config = mkdtempSync(join(tmpdir(), 'dpa-buildx-state-'))
  const name = `dpa-faults-${randomBytes(3).toString('hex')}`
  const env = { ...setup.env, BUILDX_CONFIG: config }
  const buildx = (...args: string[]) =>
    execFileSync(join(stackEnv().field.bin, 'docker'), ['buildx', ...args], {
      env: { ...process.env, ...env },
      stdio: 'ignore'
    })
  later(() => rmSync(config, { recursive: true, force: true }))
  later(() => buildx('rm', '--force', name))
  const onHost = network === 'host' ? ',network=host' : ''
  buildx(
    ...['create', '--name', name, '--driver', 'docker-container'],
    ...['--driver-opt', `image=moby/buildkit:buildx-stable-1${onHost}`],
    ...(bootstrap ? ['--bootstrap'] : [])
  )
  return {
    name,
    nodes: [],
    host: setup.host,
    env,
    kept: () => existsSync(join(config, 'instances', name))
  }
}

export const escape = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** buildx's words when its BuildKit went away in the middle of the build (the build is retried). */
export const LOST_MID_BUILD = /Unavailable.*error reading from server: EOF/

/** Words that tell a user what to do next. */
const ADVICE = /\b(re-?run|restart|start|check|make sure)\b/

/** An ::error:: line that names `what` (a builder, an endpoint) and says what to do about it. */
export const namesAndAdvises = (what: string) =>
  new RegExp(`^::error::(?=.*${escape(what)})(?=.*${ADVICE.source})`, 'i')

/** The ::error:: line of a bad input: its name, its value quoted (*** for a secret), why. */
export const inputError = (input: string, value: string, why = '') =>
  new RegExp(
    `^::error::input "${input}": invalid value "${escape(value)}": .*${why}`
  )
