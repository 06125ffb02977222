/**
 * An app's commits run as the runner does, each on a cold runner (its build cache gone from the
 * builder first), on a builder of the stack or of the user's, straight to registry A or through a
 * fault proxy of the case's own: shared by warm-cache.test.ts (GitHub's cache service, which a
 * test gives by `serviceEnv`) and hung-registry.test.ts (a registry that hangs inside the build).
 */
import { expect } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMain, type StepResult } from '../e2e/runner.js'
import { credentials, runnerEnv, uniqueRepo } from '../e2e/steps.js'
import { listTags, readManifest } from '../e2e/registry-api.js'
import {
  appCommit,
  coldRunner,
  commitEnv,
  registryBase
} from './app-commits.js'
import type { StackBuilder } from './builders.js'
import { startFaultProxy } from './fault-proxy.js'
import { later, onEngine, ownBuilder, type UserBuilder } from './fault-runs.js'
import { stackEnv } from './stack-env.js'

/** The env GitHub's cache service gives a job whose cache scopes are those of `ref`. */
export type ServiceEnv = (
  ref: string,
  baseRef?: string
) => Promise<Record<string, string>>

let pushedBase: string | undefined

/** The app's base image in registry A (pushed once per test file). */
export function appBase(): string {
  pushedBase ??= registryBase(stackEnv().a)
  return pushedBase
}

/** The app's base image as a registry name (a fault proxy's) names it. */
export const appBaseVia = (host: string): string =>
  appBase().replace(stackEnv().a.host, host)

/** The `[command]` line of the run's `buildx build`. */
export const buildLine = (stdout: string): string | undefined =>
  stdout.split('\n').find(line => /^\[command\].*buildx build /.test(line))

export function succeeded(step: StepResult): StepResult {
  expect(step.stdout).not.toMatch(/::error::/)
  expect(step.code).toBe(0)
  return step
}

/** The containers and volumes of the builder the step made for `step`, left on the engine. */
export function ownBuilderLeft(host: string, step: StepResult): string[] {
  return onEngine(host, ownBuilder(step.stdout))
}

/**
 * A multi-stage app of its own on one builder; each run on a cold runner. `host`: the registry's
 * name (a fault proxy's); `serviceEnv`: GitHub's cache service, where the runner offers it.
 */
export function multiStageApp(
  builder: StackBuilder,
  { host = '', serviceEnv }: { host?: string; serviceEnv?: ServiceEnv } = {}
) {
  const { a } = stackEnv()
  // the base image from the same registry name (a fault proxy's), which the run logs in to
  const from = appBaseVia(host || a.host)
  const repo = uniqueRepo('warm')
  const nonce = repo.replace(/\W/g, '-')
  const run = async (
    commit: number,
    event: Record<string, string>,
    inputs: Record<string, string> = {}
  ): Promise<StepResult> => {
    const { DOCKER_CONFIG } = runnerEnv('push-branch')
    const use = builder.use(DOCKER_CONFIG)
    coldRunner({ ...use.env, DOCKER_CONFIG }, use.builder, nonce)
    const context = appCommit({
      nonce,
      commit,
      seconds: 2,
      multiStage: true,
      base: from
    })
    const ref = event.GITHUB_REF
    return runMain(
      {
        images: `${host || a.host}/${repo}`,
        ...credentials(a),
        context,
        provenance: 'false',
        'registry-timeout': '5',
        ...use.inputs,
        ...inputs
      },
      {
        ...event,
        ...(serviceEnv &&
          (await serviceEnv(ref, event.GITHUB_BASE_REF || undefined))),
        DOCKER_CONFIG,
        ...use.env
      }
    )
  }
  const engineHost = () =>
    builder.use(runnerEnv('push-branch').DOCKER_CONFIG).engine.host
  return { run, repo, registry: a, engineHost }
}

/**
 * Two stages from scratch (or the build stage from `base`): a bridge's builder pulls no base image
 * from the stack's registries, which listen on loopback.
 */
function scratchApp(nonce: string, commit: number, base = 'scratch'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-app-'))
  writeFileSync(join(dir, 'deps.txt'), `dependencies of ${nonce}\n`)
  writeFileSync(join(dir, 'src.txt'), `commit ${commit}\n`)
  const lines = [
    `FROM ${base} AS builder`,
    'COPY deps.txt /app/',
    'FROM scratch',
    'COPY --from=builder /app/deps.txt /deps/',
    'COPY src.txt /app/'
  ]
  writeFileSync(join(dir, 'Dockerfile'), [...lines, ''].join('\n'))
  return dir
}

/**
 * Commit n of the scratch app on a user's builder, on a cold runner (the builder's own cache
 * pruned first); `host`: the registry's name (a fault proxy's); `serviceEnv`: GitHub's cache
 * service, where the runner offers it.
 */
export async function coldCommit(
  builder: UserBuilder,
  repo: string,
  n: number,
  inputs: Record<string, string> = {},
  {
    host = stackEnv().a.host,
    serviceEnv,
    base = 'scratch'
  }: { host?: string; serviceEnv?: ServiceEnv; base?: string } = {}
): Promise<StepResult> {
  try {
    execFileSync(
      'docker',
      ['buildx', 'prune', '-af', '--builder', builder.name],
      {
        env: { ...process.env, ...builder.env },
        stdio: 'ignore'
      }
    )
  } catch {
    // a builder never started has no container to prune (buildx says so), and no cache
  }
  const event = commitEnv(n)
  return runMain(
    {
      images: `${host}/${repo}`,
      ...credentials(stackEnv().a),
      context: scratchApp(repo, n, base),
      provenance: 'false',
      'registry-timeout': '5',
      builder: builder.name,
      ...inputs
    },
    {
      ...builder.env,
      ...event,
      ...(serviceEnv && (await serviceEnv(event.GITHUB_REF)))
    }
  )
}

/**
 * A user's builder's first commit through a fault proxy of the case's own (closed after the case),
 * with no cache service; `inputs` from the proxy's host and the repository. Gives the proxy, the
 * tag's manifest before the second commit, and that commit to run once the faults are set.
 */
export async function firstCommitThroughProxy(
  builder: UserBuilder,
  inputs: (host: string, repo: string) => Record<string, string> = () => ({})
) {
  const proxy = await startFaultProxy({ target: stackEnv().a.host })
  later(() => proxy.close())
  const repo = uniqueRepo('warm-user')
  const viaProxy = {
    host: proxy.host,
    base: appBaseVia(proxy.host)
  }
  const asked = inputs(proxy.host, repo)
  succeeded(await coldCommit(builder, repo, 1, asked, viaProxy))
  const before = await readManifest(stackEnv().a, repo, 'tickets-DM-42')
  const second = () => coldCommit(builder, repo, 2, asked, viaProxy)
  return { proxy, repo, before, second }
}

/** The base image's manifest reads (its resolve). */
export const BASE_MANIFESTS = /\/app-base\/busybox\/manifests\//

/** What the step says when the base image's resolve hung and it ran the build again. */
export const RAN_AGAIN_AFTER_RESOLVE =
  /^::warning::buildx sent no progress for \d+ s while it resolved \S+app-base\/busybox:latest: \S+ did not answer \(BuildKit sets that read no deadline\); the build runs again$/m

/** Whether the second commit landed: only its tag, on a manifest other than `before`. */
export async function expectLanded(repo: string, before: unknown) {
  expect(await listTags(stackEnv().a, repo)).toEqual(['tickets-DM-42'])
  expect(await readManifest(stackEnv().a, repo, 'tickets-DM-42')).not.toEqual(
    before
  )
}

/** Whether the registry is as the first commit left it. */
export async function expectUnchanged(repo: string, before: unknown) {
  expect(await listTags(stackEnv().a, repo)).toEqual(['tickets-DM-42'])
  expect(await readManifest(stackEnv().a, repo, 'tickets-DM-42')).toEqual(
    before
  )
}
