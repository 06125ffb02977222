/**
 * The jobs of a matrix release through the run's artifacts, for
 * handover.test.ts, handover-reruns.test.ts and reusable-workflow.test.ts,
 * and the site they run against (jobSite): each job of each attempt gets
 * a runtime token of its own from the results service stand-in (the run's
 * backend id, a new job backend id) and GITHUB_RUN_ATTEMPT, as the runner
 * gives them, and releases v3.0.0 of the hello fixture on the default
 * engine's docker driver (containerd store, which builds both platforms of the
 * COPY-only fixture).
 */
import { expect } from '@jest/globals'
import { randomBytes, randomUUID } from 'node:crypto'
import { BUILDERS } from '../support/builders.js'
import {
  stackRunnerServices,
  type StackServices
} from '../support/results-service/stack-services.js'
import {
  refusingRegistryForSuite,
  type RefusingRegistry
} from '../support/refusing-registry.js'
import { startedForSuite } from '../support/started-for-suite.js'
import { readJson } from './registry-api.js'
import { errorLines, HELLO, tagPush } from './releases.js'
import { runMain, runPost, type StepResult } from './runner.js'

export const PLATFORMS = ['linux/amd64', 'linux/arm64']
export const TAGS = ['3', '3.0', '3.0.0']
const BUILDER = BUILDERS.find(b => b.name === 'docker 26.1 containerd store')

export interface WorkflowRun {
  id: string
  /** The run's backend id, in its jobs' runtime tokens (the same in every attempt). */
  backend: string
  sha?: string
}

export function newRun(sha?: string): WorkflowRun {
  return {
    id: String(randomBytes(4).readUInt32BE()),
    backend: randomUUID(),
    ...(sha === undefined ? {} : { sha })
  }
}

/** Where the jobs run: the registry and the results service. */
export interface JobSite {
  registry: RefusingRegistry
  service: StackServices
}

/**
 * The suite's site, started before its tests and closed after them: a registry that refuses
 * deletes (as GHCR) and the results service's stand-in (the runner's artifact service).
 */
export function jobSite(): () => JobSite {
  const registry = refusingRegistryForSuite()
  const service = startedForSuite('the job site', () => stackRunnerServices())
  return () => ({ registry: registry(), service: service() })
}

/**
 * One job of `run` (attempt `attempt`, a job backend id of its own)
 * releasing v3.0.0 to `repo`; `artifacts: false` runs it where the runner
 * offers no artifact service; `event`: another event's runner env than the
 * tag push; `env`: more of the step's environment.
 */
export async function job(
  site: JobSite,
  run: WorkflowRun,
  repo: string,
  inputs: Record<string, string>,
  {
    attempt = 1,
    artifacts = true,
    event = tagPush('3.0.0', run.sha),
    env: more = {}
  }: {
    attempt?: number
    artifacts?: boolean
    event?: Record<string, string>
    env?: Record<string, string>
  } = {}
): Promise<StepResult> {
  if (BUILDER === undefined) throw new Error('no docker 26.1 containerd store')
  const runner: Record<string, string> = {
    ...event,
    ...more,
    GITHUB_RUN_ID: run.id,
    GITHUB_RUN_ATTEMPT: String(attempt),
    ...(artifacts
      ? await site.service.env(run.backend, randomUUID(), attempt)
      : {})
  }
  const use = BUILDER.use(runner.DOCKER_CONFIG)
  const env = { ...runner, ...use.env }
  const main = await runMain(
    {
      images: `${site.registry.host}/${repo}`,
      username: site.registry.username,
      password: site.registry.password,
      context: HELLO,
      ...use.inputs,
      ...inputs
    },
    env
  )
  await runPost(main, env)
  return main
}

/** Exit code and ::error:: lines, with the log's tail when it is not `expected`. */
export function outcome(run: StepResult, expected: string): string {
  const ended = [`exit ${run.code}`, ...errorLines(run.stdout)].join('\n')
  if (ended === expected) return ended
  const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-25)
  return [ended, '--- last lines:', ...tail].join('\n')
}

export const succeeded = (run: StepResult) =>
  expect(outcome(run, 'exit 0')).toBe('exit 0')

interface Index {
  manifests?: { digest: string; platform?: { architecture: string } }[]
}

/** The platform manifests an image lists (an index's, attestations left out), by architecture. */
export async function platformManifests(
  registry: RefusingRegistry,
  repo: string,
  digest: string
): Promise<Record<string, string>> {
  const index = await readJson<Index>(registry, repo, `manifests/${digest}`)
  return Object.fromEntries(
    (index.manifests ?? [])
      .filter(m => m.platform?.architecture !== 'unknown')
      .map(m => [m.platform?.architecture ?? '', m.digest])
  )
}

/** The platform manifest of each leg's image (its digest output), by architecture. */
export async function legManifests(
  registry: RefusingRegistry,
  repo: string,
  steps: StepResult[]
): Promise<Record<string, string>> {
  const each = await Promise.all(
    steps.map(step => platformManifests(registry, repo, step.outputs.digest))
  )
  return Object.assign({}, ...each) as Record<string, string>
}
