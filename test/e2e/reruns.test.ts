/**
 * Re-runs (SPEC 9, docs/safety.md "Re-runs and concurrent releases"): GitHub's
 * "Re-run jobs" builds the same commit again, on a fresh runner, usually to
 * another digest. Every case builds an ordinary Dockerfile that is not
 * reproducible (test/fixtures/contexts/unreproducible, without the
 * builder's cache, as on a fresh runner), publishes 1.2.3, runs again, and
 * checks what a user sees: the outcome, the registry, the outputs and the
 * log. Each case is recorded in .reliability/reruns.jsonl.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import {
  describeLeft,
  reliabilityRecorder,
  type CaseRecord
} from '../support/reliability.js'
import { pushTestImage } from '../support/registry-seed.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { registryState } from './registry-api.js'
import { runMain, runPost, type StepResult } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'

const UNREPRODUCIBLE = 'test/fixtures/contexts/unreproducible'
const VERSION = '1.2.3'
/** Another commit than the fixture's: its build of 1.2.3 is not a re-run. */
const OTHER_COMMIT = 'f00dfacef00dfacef00dfacef00dfacef00dface'
const RERUN = /this is a re-run/
const record = reliabilityRecorder('reruns')
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

interface Attempt {
  /** GITHUB_RUN_ATTEMPT: GitHub's "Re-run jobs" keeps the run id. */
  attempt: number
  inputs?: Record<string, string>
  env?: Record<string, string>
}

/** Publishes 1.2.3 from a tag push (attempt `attempt` of one workflow run), and runs post. */
async function publish(
  repo: string,
  { attempt, inputs = {}, env = {} }: Attempt
): Promise<StepResult> {
  const { a } = stack
  const runner = runnerEnv('push-tag', {
    GITHUB_REF: `refs/tags/v${VERSION}`,
    GITHUB_REF_NAME: `v${VERSION}`,
    GITHUB_RUN_ID: '7001',
    GITHUB_RUN_ATTEMPT: String(attempt),
    ...env
  })
  const main = await runMain(
    {
      images: `${a.host}/${repo}`,
      logins: loginsFor(a),
      context: UNREPRODUCIBLE,
      'no-cache': 'true',
      ...inputs
    },
    runner
  )
  expect((await runPost(main, runner)).code).toBe(0)
  return main
}

const errors = (step: StepResult) =>
  step.stdout.split('\n').filter(line => line.startsWith('::error::'))

/** The `pushed` output as tag → digest. */
function pushedOutput(step: StepResult): Record<string, string> {
  const pushed = JSON.parse(step.outputs.pushed) as {
    ref: string
    digest: string
  }[]
  return Object.fromEntries(
    pushed.map(p => [p.ref.slice(p.ref.lastIndexOf(':') + 1), p.digest])
  )
}

/** The digest of this run's own build that the re-run line says it did not use. */
function unusedBuild(step: StepResult): string | undefined {
  return /this run's build \((sha256:[0-9a-f]{64})\) is not used/.exec(
    step.stdout
  )?.[1]
}

interface Published {
  repo: string
  first: StepResult
  /** The registry after the first run: 1.2.3, 1.2 and 1 on its digest. */
  state: Record<string, string>
  digest: string
}

/** A fresh repository with 1.2.3 published by attempt 1. */
async function firstRelease(
  inputs: Record<string, string> = {},
  env: Record<string, string> = {}
): Promise<Published> {
  const repo = uniqueRepo('reruns')
  const first = await publish(repo, { attempt: 1, inputs, env })
  expect(errors(first)).toEqual([])
  expect(first.code).toBe(0)
  const state = await registryState(stack.a, repo)
  const digest = state[VERSION]
  expect(state).toEqual({ '1': digest, '1.2': digest, '1.2.3': digest })
  expect(first.outputs.digest).toBe(digest)
  return { repo, first, state, digest }
}

/** Runs `rerun` timed, and records what it left in the registry. */
async function timed(
  c: CaseRecord,
  release: Published,
  rerun: () => Promise<StepResult>
): Promise<{ step: StepResult; after: Record<string, string> }> {
  const step = await c.time(rerun)
  const after = await registryState(stack.a, release.repo)
  c.left(describeLeft(release.state, after))
  return { step, after }
}

/** What a re-run that found everything right shows. */
function expectNoOp(
  release: Published,
  step: StepResult,
  after: Record<string, string>
): void {
  expect(errors(step)).toEqual([])
  expect(step.code).toBe(0)
  expect(after).toEqual(release.state)
  expect(JSON.parse(step.outputs.pushed)).toEqual([])
  expect(step.outputs.digest).toBe(release.digest)
  // the build of the re-run did differ: the Dockerfile is not reproducible
  const rebuilt = unusedBuild(step)
  expect(rebuilt).toMatch(/^sha256:[0-9a-f]{64}$/)
  expect(rebuilt).not.toBe(release.digest)
}

interface NoOpCase {
  name: string
  inputs?: Record<string, string>
  env?: Record<string, string>
}

const noOps: NoOpCase[] = [
  { name: 'the same commit again (Re-run jobs)' },
  {
    name: 'the same commit again, SOURCE_DATE_EPOCH set',
    env: { SOURCE_DATE_EPOCH: '1731000000' }
  },
  {
    name: 'the same commit again, immutable-tags: skip',
    inputs: { 'immutable-tags': 'skip' }
  }
]

describe('a re-run of the same commit', () => {
  it.each(noOps)(
    '$name changes nothing, succeeds and names the release',
    ({ name, inputs, env }) =>
      record('re-runs', name, async c => {
        const release = await firstRelease(inputs, env)
        const { step, after } = await timed(c, release, () =>
          publish(release.repo, { attempt: 2, inputs, env })
        )
        expect(step.stdout).toMatch(RERUN)
        expectNoOp(release, step, after)
      })
  )

  it('publishes the new build with immutable-tags: overwrite', () =>
    record(
      're-runs',
      'the same commit again, immutable-tags: overwrite',
      async c => {
        const release = await firstRelease()
        const { step, after } = await timed(c, release, () =>
          publish(release.repo, {
            attempt: 2,
            inputs: { 'immutable-tags': 'overwrite' }
          })
        )
        expect(errors(step)).toEqual([])
        expect(step.code).toBe(0)
        const rebuilt = step.outputs.digest
        expect(rebuilt).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(rebuilt).not.toBe(release.digest)
        expect(after).toEqual({
          '1': rebuilt,
          '1.2': rebuilt,
          '1.2.3': rebuilt
        })
        expect(pushedOutput(step)).toEqual(after)
        expect(step.stdout).not.toMatch(RERUN)
      }
    ))

  it('points a floating tag that was moved elsewhere back at the release', () =>
    record(
      're-runs',
      'the same commit again after 1.2 was moved elsewhere',
      async c => {
        const release = await firstRelease()
        const moved = await pushTestImage(stack.a, release.repo, {
          tags: ['1.2']
        })
        const before = await registryState(stack.a, release.repo)
        expect(before['1.2']).toBe(moved.manifest.digest)
        const step = await c.time(() => publish(release.repo, { attempt: 2 }))
        const after = await registryState(stack.a, release.repo)
        c.left(describeLeft(before, after))
        expect(errors(step)).toEqual([])
        expect(step.code).toBe(0)
        expect(after).toEqual(release.state)
        expect(pushedOutput(step)).toEqual({ '1.2': release.digest })
        expect(step.outputs.digest).toBe(release.digest)
        expect(step.stdout).toMatch(RERUN)
      }
    ))
})

describe('another commit building the same version', () => {
  it('fails: release tags are immutable, and nothing moves', () =>
    record(
      're-runs',
      'another commit publishing 1.2.3 again (not a re-run)',
      async c => {
        const release = await firstRelease()
        const { step, after } = await timed(c, release, () =>
          publish(release.repo, {
            attempt: 1,
            env: { GITHUB_SHA: OTHER_COMMIT, GITHUB_RUN_ID: '7002' }
          })
        )
        expect(step.code).toBe(1)
        expect(errors(step)).toEqual([
          expect.stringMatching(
            /::error::release tags are immutable \(immutable-tags: error\), so nothing was pushed/
          )
        ])
        expect(step.stdout).toContain(
          `release tag ${VERSION} already exists at ${release.digest}`
        )
        expect(step.stdout).not.toMatch(RERUN)
        expect(after).toEqual(release.state)
        expect(JSON.parse(step.outputs.pushed ?? '[]')).toEqual([])
      }
    ))
})
