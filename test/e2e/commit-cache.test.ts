/**
 * The second commit of an app reuses its slow dependency step (SPEC 9, 11):
 * SOURCE_DATE_EPOCH is not passed by default, since BuildKit >= 0.22 (Docker
 * 28.5's) keys its cache on it and would re-run every step after the first
 * WORKDIR on each commit. `reproducible: true` passes it, and pays that.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEvent } from '../fixtures/events.js'
import { runMain, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import { BUILDERS, type StackBuilder } from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'

/** The slow step's marker: a step BuildKit ran prints it, a cached one does not. */
const DEPENDENCIES = 'installing-dependencies'

/**
 * An app: WORKDIR, a dependency step, then its sources (which each commit
 * changes); `nonce` keeps one test's app out of another's cache.
 */
function app(nonce: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-app-'))
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM local/busybox:latest',
      'WORKDIR /app',
      `RUN echo ${DEPENDENCIES} ${nonce} && head -c 65536 /dev/urandom > /app/deps`,
      'COPY src.txt /app/',
      ''
    ].join('\n')
  )
  writeFileSync(join(dir, 'src.txt'), source)
  return dir
}

/** A push to the branch of another commit, at another time (a payload of its own). */
function commitEnv(n: number, dockerConfig: string): Record<string, string> {
  const fixture = loadEvent('push-branch')
  const payload = fixture.payload as {
    after: string
    head_commit: { id: string; timestamp: string }
  }
  const sha = `${String(n).repeat(7)}${'a'.repeat(33)}`
  payload.after = sha
  payload.head_commit = {
    ...payload.head_commit,
    id: sha,
    timestamp: `2026-11-0${n}T10:00:00Z`
  }
  const path = join(mkdtempSync(join(tmpdir(), 'dpa-event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return {
    ...runnerEnv('push-branch'),
    GITHUB_EVENT_PATH: path,
    GITHUB_SHA: sha,
    DOCKER_CONFIG: dockerConfig
  }
}

/** Whether the build ran the dependency step (BuildKit printed its output). */
const ranDependencies = (step: StepResult): boolean =>
  step.stdout
    .split('\n')
    .some(line => /^#\d+ [\d.]+ installing-dependencies \S+$/.test(line))

/** Two commits of the app on one builder, the second changing only the sources. */
async function twoCommits(
  builder: StackBuilder,
  inputs: Record<string, string> = {}
): Promise<[StepResult, StepResult]> {
  const { a } = stackEnv()
  const repo = uniqueRepo('commit-cache')
  const images = `${a.host}/${repo}`
  const run = async (n: number) => {
    const dockerConfig = mkdtempSync(join(tmpdir(), 'dpa-docker-config-'))
    const use = builder.use(dockerConfig)
    const step = await runMain(
      {
        images,
        ...credentials(a),
        context: app(repo.replace(/\W/g, '-'), `commit ${n}\n`),
        provenance: 'false',
        ...use.inputs,
        ...inputs
      },
      { ...commitEnv(n, dockerConfig), ...use.env }
    )
    expect(step.stdout).not.toMatch(/::error::/)
    expect(step.code).toBe(0)
    return step
  }
  const first = await run(1)
  return [first, await run(2)]
}

/** The docker drivers of every engine (their builders keep the cache between runs). */
const ENGINES = BUILDERS.filter(builder => builder.name.startsWith('docker '))

describe('the second commit of an app', () => {
  it.each(ENGINES.map(builder => ({ builder, name: builder.name })))(
    '$name: the dependency step is cached, no settings',
    async ({ builder }) => {
      const [first, second] = await twoCommits(builder)
      // the first commit ran it (a fresh RUN line each test: urandom's bytes)
      expect(ranDependencies(first)).toBe(true)
      expect(ranDependencies(second)).toBe(false)
    }
  )

  it.each(
    ENGINES.filter(builder => builder.name.startsWith('docker 28.5')).map(
      builder => ({ builder, name: builder.name })
    )
  )(
    '$name: reproducible: true passes SOURCE_DATE_EPOCH, and BuildKit runs the step again',
    async ({ builder }) => {
      const [, second] = await twoCommits(builder, { reproducible: 'true' })
      expect(second.stdout).toContain(
        '--build-arg SOURCE_DATE_EPOCH=1793613600'
      )
      expect(ranDependencies(second)).toBe(true)
    }
  )
})
