/**
 * The gate input: a command run on the image staged by digest, before any tag moves. A gate that
 * passes lets the tags move; one that fails (it reads the staged image's layers over the registry
 * API and finds /gate-marker) or hangs past gate-timeout leaves every tag as it was, and the step
 * fails naming the gate. The gate's docker config holds the run's registries only, and no log
 * line holds a password.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  BUILDERS,
  builderNamed,
  RUNNER_CONTAINERD
} from '../support/builders.js'
import { stackEnv, stackOras, type StackEnv } from '../support/stack-env.js'
import { registryState } from './registry-api.js'
import { errorLines, HELLO } from './releases.js'
import { ROOT, runMain, runPost, type StepResult } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo, visibleText } from './steps.js'

const MARKED = 'test/fixtures/contexts/gate-marker'
const GATE = `${resolve(ROOT, 'test/fixtures/gate/marker-gate.sh')}`
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

/** A release of `version` from `context` on `builder`, with the gate inputs given. */
async function release(
  builder: string,
  repo: string,
  version: string,
  context: string,
  inputs: Record<string, string> = {}
): Promise<StepResult & { report: string }> {
  const runner = runnerEnv('push-tag', {
    GITHUB_REF: `refs/tags/v${version}`,
    GITHUB_REF_NAME: `v${version}`
  })
  const use = builderNamed(builder).use(runner.DOCKER_CONFIG)
  withOtherLogin(runner.DOCKER_CONFIG)
  const report = join(mkdtempSync(join(tmpdir(), 'dpa-gate-')), 'registries')
  const env = { ...runner, ...use.env, GATE_REPORT: report, ORAS: stackOras() }
  const main = await runMain(
    {
      images: `${stack.a.host}/${repo}`,
      logins: loginsFor(stack.a),
      context,
      ...use.inputs,
      ...inputs
    },
    env
  )
  await runPost(main, env)
  return { ...main, report }
}

/** The runner's docker config also holds registry b's login, which the run does not use. */
function withOtherLogin(dir: string): void {
  const file = join(dir, 'config.json')
  const config = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as {
        auths?: Record<string, unknown>
      })
    : {}
  const { b } = stack
  const auth = Buffer.from(`${b.username}:${b.password}`).toString('base64')
  config.auths = { ...config.auths, [b.host]: { auth } }
  writeFileSync(file, JSON.stringify(config))
}

describe.each(BUILDERS.map(b => b.name))('gate on %s', builder => {
  it('a gate that passes lets the tags move; one that fails on the marker moves none', async () => {
    const repo = uniqueRepo('gate')
    const passed = await release(builder, repo, '1.0.0', HELLO, { gate: GATE })
    expect(errorLines(passed.stdout)).toEqual([])
    expect(passed.outputs.gate).toBe('passed')
    const before = await registryState(stack.a, repo)
    expect(Object.keys(before).sort()).toEqual(['1', '1.0', '1.0.0'])
    expect(passed.summary).toMatch(/#### Gate passed/)

    const failed = await release(builder, repo, '1.1.0', MARKED, { gate: GATE })
    expect(failed.code).not.toBe(0)
    expect(errorLines(failed.stdout).join('\n')).toMatch(
      /gate failed with exit status 3: no tag moved/
    )
    expect(failed.outputs.gate).toBe('failed')
    expect(failed.summary).toMatch(/holds \/gate-marker: refused/)
    expect(await registryState(stack.a, repo)).toEqual(before)
  })
})

describe(`gate on ${RUNNER_CONTAINERD}: its bound, its docker config, no secret`, () => {
  it('a gate that hangs ends at gate-timeout and moves no tag', async () => {
    const repo = uniqueRepo('gate-hang')
    const first = await release(RUNNER_CONTAINERD, repo, '1.0.0', HELLO)
    expect(errorLines(first.stdout)).toEqual([])
    const before = await registryState(stack.a, repo)
    const hung = await release(RUNNER_CONTAINERD, repo, '1.1.0', HELLO, {
      gate: 'echo scanning; sleep 600',
      'gate-timeout': '5'
    })
    expect(hung.code).not.toBe(0)
    expect(errorLines(hung.stdout).join('\n')).toMatch(
      /gate did not end within gate-timeout \(5 s\) and was stopped: no tag moved/
    )
    expect(hung.outputs.gate).toBe('failed')
    expect(await registryState(stack.a, repo)).toEqual(before)
  })

  it("the gate's docker config holds the run's registry only; no log line holds a password", async () => {
    const repo = uniqueRepo('gate-config')
    const step = await release(RUNNER_CONTAINERD, repo, '1.0.0', HELLO, {
      gate: `${GATE} && env | grep -c '^INPUT_' || true`
    })
    expect(errorLines(step.stdout)).toEqual([])
    expect(readFileSync(step.report, 'utf8').trim().split('\n')).toEqual([
      stack.a.host
    ])
    for (const registry of [stack.a, stack.b])
      expect(visibleText(step)).not.toContain(registry.password)
    // the action's inputs (the password among them) are kept from the gate's environment
    expect(step.stdout).toMatch(/^0$/m)
  })
})
