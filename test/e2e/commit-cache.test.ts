/**
 * The second commit of an app reuses its slow dependency step (SPEC 9, 11):
 * SOURCE_DATE_EPOCH is not passed by default, since BuildKit >= 0.22 (Docker
 * 28.5's) keys its cache on it and would re-run every step after the first
 * WORKDIR on each commit. `reproducible: true` passes it, and pays that.
 */
import { describe, expect, it } from '@jest/globals'
import { runMain, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import {
  appContext,
  commitEnv,
  commitEpoch,
  ranDependencies
} from '../support/app-commits.js'
import { BUILDERS, type StackBuilder } from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'

/** Two commits of the app on one builder, the second changing only the sources. */
async function twoCommits(
  builder: StackBuilder,
  inputs: Record<string, string> = {}
): Promise<[StepResult, StepResult]> {
  const { a } = stackEnv()
  const repo = uniqueRepo('commit-cache')
  const run = async (commit: number) => {
    const { DOCKER_CONFIG } = runnerEnv('push-branch')
    const use = builder.use(DOCKER_CONFIG)
    const step = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: appContext(repo.replace(/\W/g, '-'), commit),
        provenance: 'false',
        ...use.inputs,
        ...inputs
      },
      { ...commitEnv(commit), DOCKER_CONFIG, ...use.env }
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
const rows = (builders: StackBuilder[]) =>
  builders.map(builder => ({ builder, name: builder.name }))

describe('the second commit of an app', () => {
  it.each(rows(ENGINES))(
    '$name: the dependency step is cached, no settings',
    async ({ builder }) => {
      const [first, second] = await twoCommits(builder)
      // the first commit ran it (the nonce is new to every builder)
      expect(ranDependencies(first.stdout)).toBe(true)
      expect(ranDependencies(second.stdout)).toBe(false)
    }
  )

  it.each(rows(ENGINES.filter(builder => /28\.5|29\.4/.test(builder.name))))(
    '$name: reproducible: true passes SOURCE_DATE_EPOCH, and BuildKit runs the step again',
    async ({ builder }) => {
      const [, second] = await twoCommits(builder, { reproducible: 'true' })
      expect(second.stdout).toContain(
        `--build-arg SOURCE_DATE_EPOCH=${commitEpoch(2)}`
      )
      expect(ranDependencies(second.stdout)).toBe(true)
    }
  )
})
