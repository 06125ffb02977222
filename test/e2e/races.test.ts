/**
 * Concurrent releases (SPEC 9, docs/safety.md "Re-runs and concurrent releases"):
 * two runs of one repository started at the same moment, one on the
 * stack's dockerd (containerd image store), the other on the classic-store
 * dockerd, so their builds and pushes really overlap. Each pair has a
 * fresh repository; the pairs run one after another. What is checked is
 * what a user sees at the end: each run's outcome and error, the registry,
 * and the `digest` and `pushed` outputs. Each pair is recorded in
 * .reliability/races.jsonl.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { refusingRegistryForSuite } from '../support/refusing-registry.js'
import { reliabilityRecorder, type CaseRecord } from '../support/reliability.js'
import {
  stackEnv,
  type StackEnv,
  type StackRegistry
} from '../support/stack-env.js'
import { registryState } from './registry-api.js'
import {
  runPost,
  startMain,
  type RunningStep,
  type StepResult
} from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'

const HELLO = 'test/fixtures/contexts/hello'
const UNREPRODUCIBLE = 'test/fixtures/contexts/unreproducible'
const record = reliabilityRecorder('races')
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

type Daemon = 'containerd store' | 'classic store'

/** One run of a pair: its release, commit, workflow run and daemon. */
interface Member {
  version: string
  daemon: Daemon
  /** The `labels` input: makes two builds of one release differ. */
  labels?: string
  /** A build with a RUN step and no cache: slower than the COPY of hello. */
  slow?: boolean
  /** The commit and workflow run (a re-run keeps both); fresh ones if absent. */
  commit?: string
  runId?: string
  attempt?: number
}

const commit = () => randomBytes(20).toString('hex')
const runId = () => String(100_000 + randomBytes(3).readUIntBE(0, 3))

/** A member's runner env and inputs, publishing to `repo` of `registry`. */
function memberRun(
  member: Member,
  repo: string,
  registry: StackRegistry = stack.a
) {
  const env = runnerEnv('push-tag', {
    GITHUB_REF: `refs/tags/v${member.version}`,
    GITHUB_REF_NAME: `v${member.version}`,
    GITHUB_SHA: member.commit ?? commit(),
    GITHUB_RUN_ID: member.runId ?? runId(),
    GITHUB_RUN_ATTEMPT: String(member.attempt ?? 1),
    ...(member.daemon === 'classic store'
      ? { DOCKER_HOST: stack.classicDockerHost }
      : {})
  })
  const inputs = {
    images: `${registry.host}/${repo}`,
    logins: loginsFor(registry),
    ...(member.slow === true
      ? { context: UNREPRODUCIBLE, 'no-cache': 'true' }
      : { context: HELLO }),
    ...(member.labels === undefined ? {} : { labels: member.labels })
  }
  return { env, inputs }
}

/** Runs each step's post step, as the runner does; each must succeed. */
async function postsOf(
  steps: StepResult[],
  runs: { env: Record<string, string> }[]
): Promise<void> {
  const posts = await Promise.all(
    steps.map((step, i) => runPost(step, runs[i].env))
  )
  expect(posts.map(post => post.code)).toEqual(steps.map(() => 0))
}

/** Starts both members at once (each its own commit and workflow run), waits for both, runs their post steps. */
async function race(
  repo: string,
  members: Member[],
  c: CaseRecord
): Promise<StepResult[]> {
  const runs = members.map(member => memberRun(member, repo))
  const steps = await c.time(() =>
    Promise.all(runs.map(run => startMain(run.inputs, run.env).result))
  )
  await postsOf(steps, runs)
  return steps
}

const errors = (step: StepResult) =>
  step.stdout.split('\n').filter(line => line.startsWith('::error::'))

const warnings = (step: StepResult) =>
  step.stdout.split('\n').filter(line => line.startsWith('::warning::'))

const tagOf = (ref: string) => ref.slice(ref.lastIndexOf(':') + 1)

/** The `pushed` output as [tag, digest] pairs ([] when the run wrote none). */
function pushedOutput(step: StepResult): [string, string][] {
  const pushed = JSON.parse(step.outputs.pushed ?? '[]') as {
    ref: string
    digest: string
  }[]
  return pushed.map(p => [tagOf(p.ref), p.digest])
}

/**
 * `pushed` entries that name another image than the run's own, or a tag
 * that does not hold it at the end, unless the other run of the pair wrote
 * that tag later (it lists it with what the tag holds): a run that read
 * back before the other one's write cannot know of it.
 */
function pushedAmiss(
  step: StepResult,
  own: string,
  state: Record<string, string>,
  other: StepResult
): [string, string][] {
  const later = (tag: string) =>
    pushedOutput(other).some(([t, d]) => t === tag && d === state[tag])
  return pushedOutput(step).filter(
    ([tag, digest]) => digest !== own || (state[tag] !== digest && !later(tag))
  )
}

/** Tags of a run's `pushed` that hold another digest at the end. */
const overtaken = (step: StepResult, state: Record<string, string>) =>
  pushedOutput(step)
    .filter(([tag, digest]) => state[tag] !== digest)
    .map(([tag]) => tag)

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const DAEMONS: Daemon[] = ['containerd store', 'classic store']

interface Pair {
  name: string
  members: Member[]
}

/**
 * The daemons of pair i swap every other pair; from pair `slowFrom` on, the
 * member on the classic store builds a RUN step without cache, so which
 * run reaches the registry first changes too.
 */
function pairOf(
  i: number,
  slowFrom: number,
  make: (daemon: Daemon, slow: boolean) => Member
): Member[] {
  const daemons = i % 2 === 0 ? DAEMONS : [...DAEMONS].reverse()
  return daemons.map(daemon =>
    make(daemon, i + 1 >= slowFrom && daemon === 'classic store')
  )
}

const describeMember = (m: Member) =>
  `${m.version} (${m.daemon}${m.slow === true ? ', RUN build' : ''})`

/** 1.5.0 and its backport 1.4.6, started together. */
const differentReleases: Pair[] = Array.from({ length: 10 }, (_, i) => {
  const versions = ['1.5.0', '1.4.6']
  const pair = pairOf(i, 6, (daemon, slow) => ({
    version: versions.shift() ?? '',
    daemon,
    slow
  }))
  return {
    name: `pair ${i + 1}: ${pair.map(describeMember).join(' and ')} at once`,
    members: pair
  }
})

/** 2.0.0 built twice from different commits (labels differ), started together. */
const sameRelease: Pair[] = Array.from({ length: 5 }, (_, i) => {
  const pair = pairOf(i, 3, (daemon, slow) => ({
    version: '2.0.0',
    daemon,
    slow,
    labels: `build=${daemon}`,
    commit: commit()
  }))
  return {
    name: `pair ${i + 1}: ${pair.map(describeMember).join(' and ')} at once`,
    members: pair
  }
})

const REPAIRED =
  /^::warning::\S+:1 repaired: 1\.5\.0 is the newest release of its line .*now points at sha256:[0-9a-f]{64}$/

/** How the floating tag 1 was settled, in words (for the record). */
function howOneSettled(
  newer: StepResult,
  older: StepResult,
  state: Record<string, string>
): string {
  const repairs = [newer, older]
    .flatMap(warnings)
    .filter(w => /repaired/.test(w))
  const heldBack = warnings(older).some(w => /:1 was left alone/.test(w))
  if (repairs.length > 0)
    return `1 repaired by the read-back (${repairs.length} repair${repairs.length > 1 ? 's' : ''})`
  if (heldBack) return '1.4.6 read 1.5.0 first and left 1 alone'
  if (overtaken(older, state).includes('1'))
    return '1.4.6 wrote 1 and read it back before 1.5.0 wrote 1 over it'
  return '1 settled by write order, no repair needed'
}

describe('two different releases at once', () => {
  it.each(differentReleases)(
    '$name: both succeed and the floating tags end on the newest release of their line',
    ({ name, members }) =>
      record('races', `different releases, ${name}`, async c => {
        const repo = uniqueRepo('races')
        const [newer, older] = await race(repo, members, c)
        const state = await registryState(stack.a, repo)
        const v150 = state['1.5.0']
        const v146 = state['1.4.6']
        c.left(
          `1, 1.5, 1.5.0 on 1.5.0; 1.4, 1.4.6 on 1.4.6 (${Object.keys(state).length} tags)`
        )
        c.note(howOneSettled(newer, older, state))
        expect(errors(newer)).toEqual([])
        expect(errors(older)).toEqual([])
        expect([newer.code, older.code]).toEqual([0, 0])
        expect(v150).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(v146).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(v150).not.toBe(v146)
        expect(state).toEqual({
          '1': v150,
          '1.5': v150,
          '1.5.0': v150,
          '1.4': v146,
          '1.4.6': v146
        })
        expect(newer.outputs.digest).toBe(v150)
        expect(older.outputs.digest).toBe(v146)
        expect(pushedAmiss(newer, v150, state, older)).toEqual([])
        expect(pushedAmiss(older, v146, state, newer)).toEqual([])
        // 1.4.6 may read back before 1.5.0 writes 1: then its log says 1 was
        // on 1.4.6 at its read-back, and 1.5.0's write came after
        expect(overtaken(newer, state)).toEqual([])
        for (const tag of overtaken(older, state))
          expect(older.stdout).toMatch(
            new RegExp(
              `manifests/${escape(tag)} \\(only if .*\\) — not needed: it is on 1\\.4\\.6`
            )
          )
        expect(pushedOutput(newer).map(([tag]) => tag)).toEqual(
          expect.arrayContaining(['1.5.0', '1.5'])
        )
        expect(pushedOutput(older).map(([tag]) => tag)).toEqual(
          expect.arrayContaining(['1.4.6', '1.4'])
        )
        const repairs = [newer, older]
          .flatMap(warnings)
          .filter(w => / repaired: /.test(w))
        for (const warning of repairs) expect(warning).toMatch(REPAIRED)
      })
  )
})

/**
 * What must hold when both runs of a same-release pair succeeded: every tag
 * on one build, one run's digest that build, no error, and each run's
 * `pushed` naming only its own build. Returns what does not hold.
 */
function stated(
  steps: StepResult[],
  state: Record<string, string>,
  won: string
): string[] {
  const problems: string[] = []
  if (state['2'] !== won || state['2.0'] !== won)
    problems.push(`floating tags not on ${won}: ${JSON.stringify(state)}`)
  if (!steps.some(step => step.outputs.digest === won))
    problems.push(`no run's digest output is ${won}`)
  // another commit's build is never a run's release (only a re-run's is)
  if (steps[0].outputs.digest === steps[1].outputs.digest)
    problems.push(`both runs of two commits report ${won}`)
  for (const step of steps) {
    problems.push(...errors(step))
    for (const [tag, digest] of pushedOutput(step))
      if (digest !== step.outputs.digest)
        problems.push(`pushed ${tag} names ${digest}, not the run's own build`)
  }
  return problems
}

describe('the same release from two builds at once', () => {
  it.each(sameRelease)(
    '$name: one owns 2.0.0, the other fails and says why (or, the stated limit, finished first)',
    ({ name, members }) =>
      record('races', `the same release, ${name}`, async c => {
        const repo = uniqueRepo('races-same')
        const steps = await race(repo, members, c)
        const state = await registryState(stack.a, repo)
        const won = state['2.0.0']
        c.left(
          `2, 2.0, 2.0.0 on the winner's build (${Object.keys(state).length} tags)`
        )
        // the stated limit of docs/safety.md (no conditional write): one run read back
        // its own build and finished before the other wrote over it
        const bothFinished = steps.every(step => step.code === 0)
        c.note(
          bothFinished
            ? 'both succeeded: one finished before the other wrote'
            : ''
        )
        expect(bothFinished ? stated(steps, state, won) : []).toEqual([])
        if (bothFinished) return
        expect(steps.map(step => step.code).sort()).toEqual([0, 1])
        const winner = steps.find(step => step.code === 0) as StepResult
        const loser = steps.find(step => step.code === 1) as StepResult
        const loserDaemon = members[steps.indexOf(loser)].daemon
        const winnerCommit = members[steps.indexOf(winner)].commit ?? ''
        expect(won).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(state).toEqual({ '2': won, '2.0': won, '2.0.0': won })
        expect(errors(winner)).toEqual([])
        expect(winner.outputs.digest).toBe(won)
        expect(pushedAmiss(winner, won, state, loser)).toEqual([])
        expect(pushedOutput(winner).map(([tag]) => tag)).toContain('2.0.0')

        // the loser wrote 2.0.0 and read back the winner's build over it, or
        // it read 2.0.0 after the winner wrote it: both are right
        const [error, ...more] = errors(loser)
        expect(more).toEqual([])
        const readBack = /another run published the same release/.test(error)
        const rechecked = / was written by another run after this run read it/
        c.note(
          readBack
            ? `the loser (${loserDaemon}) wrote 2.0.0 and read the winner's build back over it`
            : rechecked.test(error)
              ? `the loser (${loserDaemon}) read 2.0.0 again before writing it and found the winner's build: immutable-tags refused`
              : `the loser (${loserDaemon}) read 2.0.0 after the winner wrote it: immutable-tags refused`
        )
        const ref = escape(`${stack.a.host}/${repo}:2.0.0`)
        const expected = readBack
          ? new RegExp(
              `^::error::another run published the same release at the same time .*${ref} now holds ${won}, the build of another commit \\(${winnerCommit}\\), not (sha256:[0-9a-f]{64}) which this run wrote$`
            )
          : new RegExp(
              `^::error::release tags are immutable \\(immutable-tags: error\\), so nothing was pushed.*release tag 2\\.0\\.0 already exists at ${won}`
            )
        expect(error).toMatch(expected)
        const ours = expected.exec(error)?.[1]
        expect(ours).not.toBe(won)
        // no output of the loser names the winner's build, nor a tag it lost
        expect(loser.outputs.digest ?? '').not.toBe(won)
        expect(pushedOutput(loser)).toEqual([])
      })
  )
})

/** One commit released twice at once: a re-run racing the first attempt. */
const sameCommit: Pair[] = Array.from({ length: 4 }, (_, i) => {
  const sha = commit()
  const run = runId()
  let attempt = 0
  const pair = pairOf(i, 3, (daemon, slow) => ({
    version: '2.0.0',
    daemon,
    slow,
    commit: sha,
    runId: run,
    attempt: ++attempt
  }))
  return {
    name: `pair ${i + 1}: ${pair.map(describeMember).join(' and ')} at once`,
    members: pair
  }
})

/** Where a run took its twin's build as its release, by its log: the first that matches. */
const TAKEN_AT: [string, RegExp][] = [
  ['the recheck', / was written by another run after this run read it/],
  ['the read', /already holds a build of this commit/],
  ['the read-back', /now holds \S+, another build of this commit/]
]

describe('the same commit released twice at once (a re-run racing the first attempt)', () => {
  it.each(sameCommit)(
    '$name: both succeed with the same digest, every tag on it',
    ({ name, members }) =>
      record('races', `the same commit twice, ${name}`, async c => {
        const repo = uniqueRepo('races-rerun')
        const steps = await race(repo, members, c)
        const state = await registryState(stack.a, repo)
        const won = state['2.0.0']
        c.left(`2, 2.0, 2.0.0 on one build (${Object.keys(state).length} tags)`)
        const taken = steps.flatMap(step => {
          const where = TAKEN_AT.find(([, line]) => line.test(step.stdout))
          return where === undefined ? [] : [where[0]]
        })
        c.note(
          taken.length > 0
            ? `the other attempt's build taken as the release at ${taken.join(', ')}`
            : 'both builds had one digest'
        )
        expect(steps.map(errors)).toEqual([[], []])
        expect(steps.map(step => step.code)).toEqual([0, 0])
        expect(won).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(state).toEqual({ '2': won, '2.0': won, '2.0.0': won })
        expect(steps.map(step => step.outputs.digest)).toEqual([won, won])
        for (const step of steps)
          for (const [, digest] of pushedOutput(step)) expect(digest).toBe(won)
      })
  )
})

/** The line the held run logs once it has read the registry (DPA_TEST_HOLD_TAGS, tagging.ts). */
const HELD = 'DPA_TEST_HOLD_TAGS: read; held until'

/** Resolves once the step has logged `line`, or ended. */
async function logged(step: RunningStep, line: string): Promise<void> {
  let ended = false
  void step.result.then(() => (ended = true))
  while (!ended && !step.stdout().includes(line))
    await new Promise(resolve => setTimeout(resolve, 100))
}

/**
 * Two attempts of one commit's release, two builds: the first held (DPA_TEST_HOLD_TAGS) between
 * its read, which finds 3.0.0 absent, and its first write, until the second has published 3.0.0
 * and ended; then let go. Returns [held, twin].
 */
async function heldTwins(
  registry: StackRegistry,
  repo: string,
  c: CaseRecord
): Promise<StepResult[]> {
  const sha = commit()
  const run = runId()
  const runs = (['containerd store', 'classic store'] as const).map(
    (daemon, i) =>
      memberRun(
        {
          version: '3.0.0',
          daemon,
          slow: true,
          commit: sha,
          runId: run,
          attempt: i + 1
        },
        repo,
        registry
      )
  )
  const release = join(mkdtempSync(join(tmpdir(), 'dpa-hold-')), 'release')
  const steps = await c.time(async () => {
    const held = startMain(runs[0].inputs, {
      ...runs[0].env,
      DPA_TEST_HOLD_TAGS: release
    })
    await logged(held, HELD)
    const twin = await startMain(runs[1].inputs, runs[1].env).result
    writeFileSync(release, '')
    return [await held.result, twin]
  })
  await postsOf(steps, runs)
  return steps
}

/** The digest of this run's own build where the run took another one as its release. */
const unusedBuild = (step: StepResult) =>
  /this run's build \((sha256:[0-9a-f]{64})\) is not used/.exec(
    step.stdout
  )?.[1]

describe('the same commit twice, one held between its read and its write until the other has written', () => {
  const refusing = refusingRegistryForSuite()
  it.each([
    { name: 'registry A (deletes allowed)', registry: () => stack.a },
    { name: 'a registry that refuses deletes', registry: () => refusing() }
  ])(
    "$name: the held run reads 3.0.0 again, takes its twin's build as the release, and every output names it",
    ({ name, registry }) =>
      record('races', `the same commit twice, held, ${name}`, async c => {
        const repo = uniqueRepo('races-held')
        const [held, twin] = await heldTwins(registry(), repo, c)
        const state = await registryState(registry(), repo)
        const won = state['3.0.0']
        c.left(
          `3, 3.0, 3.0.0 on the twin's build (${Object.keys(state).length} tags)`
        )
        expect([held, twin].map(errors)).toEqual([[], []])
        expect([held.code, twin.code]).toEqual([0, 0])
        expect(held.stdout).toContain(HELD)
        expect(won).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(state).toEqual({ '3': won, '3.0': won, '3.0.0': won })
        // the held run built another image, and read 3.0.0 again before writing it
        const own = unusedBuild(held)
        expect(own).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(own).not.toBe(won)
        const ref = `${registry().host}/${repo}`
        expect(held.stdout).toContain(
          `${ref}:3.0.0 was written by another run after this run read it: it now holds ${won}`
        )
        for (const step of [held, twin]) {
          expect(step.outputs.digest).toBe(won)
          expect(step.outputs.tags.split('\n').sort()).toEqual(
            ['3', '3.0', '3.0.0'].map(tag => `${ref}:${tag}`)
          )
          for (const [, digest] of pushedOutput(step)) expect(digest).toBe(won)
          for (const tag of ['3.0.0', '3.0', '3'])
            expect(step.summary).toMatch(
              new RegExp(
                `\\| \`${escape(`${ref}:${tag}`)}\` \\| \\w+ \\| ${won} \\|`
              )
            )
        }
        // nothing the held run reports names the build it did not publish
        const reported = [
          held.outputs.digest,
          held.outputs.pushed,
          held.summary
        ]
        expect(reported.join('\n')).not.toContain(own)
        expect(pushedOutput(held)).toEqual([])
      })
  )
})
