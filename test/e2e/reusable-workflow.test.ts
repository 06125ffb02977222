/**
 * Native multi-arch in one `uses:` (issue 54): .github/workflows/publish.yml run the way GitHub
 * runs it (test/support/workflow-runner.ts: GitHub's parser and evaluator, the matrix expanded,
 * each leg's action step run as the runner runs dist/, outputs through `needs`), against a
 * registry that refuses deletes (as GHCR), with the stand-in of the runner's artifact service
 * offered to every job, to show that the job-output handover calls no service and sets no tag.
 * Then the README's hand-written matrix with that handover, under both artifact name rules.
 * Judged over the registry's HTTP API and the stand-in's store.
 *
 * The legs build on the default engine's docker driver (containerd store), which builds both
 * platforms of the COPY-only fixture on this amd64 machine (no emulation needed).
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NameRule } from '../support/results-service/artifacts.js'
import { runWorkflow, type ActionRunner } from '../support/workflow-runner.js'
import {
  job,
  jobSite,
  newRun,
  outcome,
  platformManifests,
  TAGS,
  type WorkflowRun
} from './handover-jobs.js'
import { listTags, registryState } from './registry-api.js'
import { HELLO } from './releases.js'
import { legOutputs } from '../../src/settings/leg-outputs.js'
import { ROOT, type StepResult } from './runner.js'
import { uniqueRepo } from './steps.js'

jest.setTimeout(300_000)

const WORKFLOW = join(ROOT, '.github/workflows/publish.yml')
const ACTION = 'acme/docker-publish-action@v1'

const site = jobSite()

const ABSENT = `sha256:${'0'.repeat(64)}`

/**
 * The action step as the runner runs it: this checkout's dist/ for `acme/docker-publish-action@v1`
 * (the ref the workflow names), each job with a runtime token of its own. `fail`: that platform's
 * build fails (a Dockerfile that is not there); `absent`: that leg's output names a digest the
 * registry does not hold (a leg of another registry, a tampered output).
 */
function actionRunner(
  run: WorkflowRun,
  attempt: number,
  steps: StepResult[],
  { fail = '', absent = '' } = {}
): ActionRunner {
  return async (uses, inputs) => {
    expect(uses).toBe(ACTION)
    const broken: Record<string, string> =
      inputs.platforms === fail ? { file: 'Dockerfile.none' } : {}
    const step = await job(
      site(),
      run,
      '',
      { ...inputs, ...broken },
      { attempt }
    )
    steps.push(step)
    const outputs =
      inputs.platforms === absent
        ? { ...step.outputs, ...legOutputs(absent, [ABSENT]) }
        : step.outputs
    return { ok: step.code === 0, outputs }
  }
}

/** The workflow called with the caller's inputs and secrets, as `secrets: inherit` passes them. */
function call(repo: string, more: Record<string, unknown> = {}) {
  const { host, username, password } = site().registry
  return {
    inputs: { images: `${host}/${repo}`, context: HELLO, ...more },
    secrets: { REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password },
    github: { actor: 'octo', token: 'ghs_unused', repository: 'acme/app' }
  }
}

/** The platform manifests the legs' images hold (each leg's digest output), by architecture. */
async function legImages(repo: string, legs: StepResult[]) {
  const each = await Promise.all(
    legs.map(leg =>
      platformManifests(site().registry, repo, leg.outputs.digest)
    )
  )
  return Object.assign({}, ...each) as Record<string, string>
}

describe('the reusable workflow: legs on their runners, handed over through job outputs', () => {
  it('two platforms land as one index with exactly the asked tags; no artifact, no other tag', async () => {
    const repo = uniqueRepo('workflow/both')
    const run = newRun()
    const steps: StepResult[] = []
    const jobs = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(run, 1, steps)
    })
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual([
      'exit 0',
      'exit 0',
      'exit 0'
    ])
    expect(
      jobs.legs.legs.map(leg => [leg.matrix.platform, leg.runsOn])
    ).toEqual([
      ['linux/amd64', 'ubuntu-24.04'],
      ['linux/arm64', 'ubuntu-24.04-arm']
    ])
    expect(Object.keys(jobs.legs.outputs).sort()).toEqual([
      'leg-linux-amd64',
      'leg-linux-arm64'
    ])
    const merged = jobs.merge.outputs.digest
    expect(await registryState(site().registry, repo)).toEqual(
      Object.fromEntries(TAGS.map(tag => [tag, merged]))
    )
    const index = await platformManifests(site().registry, repo, merged)
    expect(Object.keys(index).sort()).toEqual(['amd64', 'arm64'])
    expect(await legImages(repo, steps.slice(0, 2))).toEqual(index)
    expect(await site().service.artifacts(run.backend)).toEqual([])
  })

  it('a leg that fails fails the release, no tag moved; re-running the failed jobs lands it', async () => {
    const repo = uniqueRepo('workflow/rerun')
    const run = newRun()
    const steps: StepResult[] = []
    const first = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(run, 1, steps, { fail: 'linux/arm64' })
    })
    expect([first.legs.result, first.merge.result]).toEqual([
      'failure',
      'skipped'
    ])
    // the arm64 leg failed for its build, its output unset
    const arm64 = steps.find(step => step.stdout.includes('Dockerfile.none'))
    expect(arm64?.code).toBe(1)
    expect(Object.keys(first.legs.outputs)).toEqual(['leg-linux-amd64'])
    expect(await listTags(site().registry, repo)).toEqual([])
    steps.length = 0
    const second = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(run, 2, steps),
      previous: first
    })
    // the re-run: the failed leg and the merge, the amd64 leg kept from attempt 1
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual([
      'exit 0',
      'exit 0'
    ])
    const merged = second.merge.outputs.digest
    expect(await registryState(site().registry, repo)).toEqual(
      Object.fromEntries(TAGS.map(tag => [tag, merged]))
    )
    const index = await platformManifests(site().registry, repo, merged)
    expect(Object.keys(index).sort()).toEqual(['amd64', 'arm64'])
  })

  it('a merge handed a digest the registry does not hold fails first, naming it; no tag moves', async () => {
    const repo = uniqueRepo('workflow/absent')
    const steps: StepResult[] = []
    const jobs = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(newRun(), 1, steps, { absent: 'linux/arm64' })
    })
    expect(jobs.legs.result).toBe('success')
    const image = `${site().registry.host}/${repo}`
    expect(outcome(steps[2], 'exit 1')).toMatch(
      new RegExp(
        `^exit 1\\n::error::.*input "handover": the linux/arm64 leg names ${image}@${ABSENT}, ` +
          'which registry .* does not hold: nothing was published'
      )
    )
    expect(await listTags(site().registry, repo)).toEqual([])
  })
})

/** The README's hand-written matrix, with the job-output handover, as a workflow of its own. */
function readmeMatrix(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map(match => match[1])
    .find(text => text.includes('handover: outputs'))
  if (block === undefined) throw new Error('README: no matrix with handover')
  const file = join(mkdtempSync(join(tmpdir(), 'dpa-matrix-')), 'matrix.yml')
  writeFileSync(file, `on: push\n${block}`)
  return file
}

describe.each<NameRule>(['per-run', 'per-attempt'])(
  "the README's hand-written matrix, the job-output handover, under the %s name rule",
  rule => {
    beforeAll(() => site().service.setNameRule(rule))

    it('lands both platforms under the tags and uploads no artifact', async () => {
      const repo = uniqueRepo(`workflow/matrix-${rule}`)
      const run = newRun()
      const steps: StepResult[] = []
      const { host, username, password } = site().registry
      const runner: ActionRunner = async (uses, inputs) => {
        expect(uses).toBe(ACTION)
        const step = await job(site(), run, repo, {
          ...inputs,
          // the README's step names GHCR with the job's token: here, the stack's registry
          images: `${host}/${repo}`,
          username,
          password
        })
        steps.push(step)
        return { ok: step.code === 0, outputs: step.outputs }
      }
      const jobs = await runWorkflow(readmeMatrix(), {
        inputs: {},
        github: { actor: 'octo', repository: 'acme/app' },
        secrets: { GITHUB_TOKEN: 'ghs_unused' },
        run: runner
      })
      expect(steps.map(step => outcome(step, 'exit 0'))).toEqual([
        'exit 0',
        'exit 0',
        'exit 0'
      ])
      const merged = jobs.merge.outputs.digest ?? steps[2].outputs.digest
      expect(await registryState(site().registry, repo)).toEqual(
        Object.fromEntries(TAGS.map(tag => [tag, merged]))
      )
      expect(await site().service.artifacts(run.backend)).toEqual([])
    })
  }
)
