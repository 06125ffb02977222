import { expect } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEvent, type EventName } from '../fixtures/events.js'
import { uniqueRepository } from '../support/registry-seed.js'
import type { StackRegistry } from '../support/stack-env.js'
import type { StepResult } from './runner.js'

/** The runner env of an event, with a private docker config per step (so cleanup can be checked). */
export function runnerEnv(
  event: EventName,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    ...loadEvent(event).env,
    DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'dpa-docker-config-')),
    ...extra
  }
}

interface Payload {
  number: number
  pull_request: {
    number: number
    head: { ref: string; sha: string; repo: { fork: boolean } }
  }
}

/** A fork's pull_request event: head ref `head`, pull request `number`, GitHub's merge commit `sha`. */
export function forkPullRequest(
  head: string,
  sha: string,
  number = 42
): Record<string, string> {
  const payload = loadEvent('pull-request').payload as Payload
  payload.number = number
  payload.pull_request.number = number
  payload.pull_request.head.ref = head
  payload.pull_request.head.sha = sha
  payload.pull_request.head.repo.fork = true
  const path = join(mkdtempSync(join(tmpdir(), 'dpa-event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return runnerEnv('pull-request', {
    GITHUB_EVENT_PATH: path,
    GITHUB_REF: `refs/pull/${number}/merge`,
    GITHUB_REF_NAME: `${number}/merge`,
    GITHUB_HEAD_REF: head,
    GITHUB_SHA: sha
  })
}

/** Pull request 7's `closed` event (merged or not, the run is the same). */
export function closedPullRequest(number = 7): Record<string, string> {
  return pullRequestEvent(number, 'closed')
}

/** A pull_request event of pull request `number` with this `action` (e.g. `synchronize`). */
export function pullRequestEvent(
  number: number,
  action: string
): Record<string, string> {
  const payload = loadEvent('pull-request').payload as {
    action?: string
    number: number
    pull_request: { number: number }
  }
  payload.action = action
  payload.number = number
  payload.pull_request.number = number
  const path = join(mkdtempSync(join(tmpdir(), 'dpa-event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return runnerEnv('pull-request', {
    GITHUB_EVENT_PATH: path,
    GITHUB_REF: `refs/pull/${number}/merge`,
    GITHUB_REF_NAME: `${number}/merge`
  })
}

/** The username/password inputs for one registry's user. */
export function credentials(registry: StackRegistry): Record<string, string> {
  return { username: registry.username, password: registry.password }
}

/** The `logins` input giving each registry its own user. */
export function loginsFor(...registries: StackRegistry[]): string {
  return registries
    .map(
      r =>
        `- registry: ${r.host}\n  username: ${r.username}\n  password: ${r.password}`
    )
    .join('\n')
}

/** A repository name no other run uses. */
export function uniqueRepo(prefix: string): string {
  return uniqueRepository(`e2e/${prefix}`)
}

/** The registries the docker config in env's DOCKER_CONFIG holds `auths` for. */
export function auths(env: Record<string, string>): string[] {
  const file = join(env.DOCKER_CONFIG, 'config.json')
  if (!existsSync(file)) return []
  const config = JSON.parse(readFileSync(file, 'utf8')) as { auths?: object }
  return Object.keys(config.auths ?? {})
}

/** What a person sees of a step: its log, summary and outputs. */
export function visibleText(step: StepResult): string {
  // ::add-mask:: is consumed by the runner, never shown: everything else is
  const stdout = step.stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
  return [
    stdout,
    step.stderr,
    step.summary,
    ...Object.values(step.outputs)
  ].join('\n')
}

/** A local git checkout of one commit with a Dockerfile, for the CLI (`origin` set when given). */
export function localCheckout(origin?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-cli-'))
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' })
  git('init', '-q', '-b', 'main')
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n')
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init')
  if (origin !== undefined) git('remote', 'add', 'origin', origin)
  return dir
}

/** A clean-up the registry refused: it failed first, in one line naming the registry and its 405. */
export function expectDeleteRefused(step: StepResult, host: string): void {
  expect(step.code).not.toBe(0)
  const errors = step.stdout.split('\n').filter(l => l.startsWith('::error'))
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatch(
    new RegExp(`${host} refuses to delete \\(nothing was deleted\\): .*405`)
  )
}

/** A clean-up step's line as the log prints it (plan/steps.ts stepLine): `probe     DELETE …`. */
const CLEANUP_STEP = /^(?:probe|reread|remove) +(?:GET|PUT|DELETE) /

/**
 * A clean-up's steps from its log: those its Plan group prints, and those it logged after the
 * group as it took them (a step not taken says why after a dash, and is left out).
 */
function cleanupStepLines(step: StepResult): {
  planned: string[]
  taken: string[]
} {
  const lines = step.stdout.split('\n')
  const start = lines.indexOf('::group::Plan')
  const end = lines.indexOf('::endgroup::', start)
  const steps = (part: string[]) => part.filter(l => CLEANUP_STEP.test(l))
  return {
    planned: steps(lines.slice(start + 1, end)),
    taken: steps(lines.slice(end + 1)).filter(l => !l.includes(' — '))
  }
}

/**
 * The plan is the run: the run took exactly the steps the dry run printed, in order (and the
 * printed plan holds every step of the `plan` output).
 */
export function expectPlanTaken(dry: StepResult, run: StepResult): void {
  const printed = cleanupStepLines(dry).planned
  const plan = JSON.parse(dry.outputs.plan ?? '[]') as unknown[]
  expect(printed.length).toBeGreaterThan(0)
  expect(printed).toHaveLength(plan.length)
  expect(cleanupStepLines(run).taken).toStrictEqual(printed)
}
