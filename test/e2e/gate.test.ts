/**
 * The gate input: a command run on the image staged by digest, before any tag moves. A gate that
 * passes lets the tags move; one that fails (it reads the staged image's layers over the registry
 * API and finds /gate-marker) or hangs past gate-timeout leaves every tag as it was, and the step
 * fails naming the gate. The gate gets a run: step's environment and a docker config that reads
 * the staged registries only; its timeout ends what it started in the background; no log line
 * holds a password. docs/safety.md's gate example, run as written, scans every platform.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import {
  BUILDERS,
  builderNamed,
  RUNNER_CONTAINERD
} from '../support/builders.js'
import { stackEnv, stackOras, type StackEnv } from '../support/stack-env.js'
import { tokenAccess } from '../support/token-auth.js'
import { registryState } from './registry-api.js'
import { errorLines, HELLO } from './releases.js'
import { ROOT, runMain, runPost, type StepResult } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo, visibleText } from './steps.js'

const MARKED = 'test/fixtures/contexts/gate-marker'
const GATE = `${resolve(ROOT, 'test/fixtures/gate/marker-gate.sh')}`
/** The folder of the trivy stand-in (its header says what each of its rules rests on). */
const TRIVY_STANDIN = resolve(ROOT, 'test/fixtures/gate/trivy-standin')
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

/**
 * A release of `version` from `context` on `builder`, with the gate inputs given, and the runner's
 * env and a folder first on PATH where given.
 */
async function release(
  builder: string,
  repo: string,
  version: string,
  context: string,
  inputs: Record<string, string> = {},
  runner: { env?: Record<string, string>; pathFirst?: string } = {}
): Promise<StepResult & { report: string }> {
  const step = runnerEnv('push-tag', {
    GITHUB_REF: `refs/tags/v${version}`,
    GITHUB_REF_NAME: `v${version}`
  })
  const use = builderNamed(builder).use(step.DOCKER_CONFIG)
  withOtherLogin(step.DOCKER_CONFIG)
  const report = join(mkdtempSync(join(tmpdir(), 'dpa-gate-')), 'registries')
  const path = use.env.PATH ?? process.env.PATH ?? ''
  const env = {
    ...step,
    ...use.env,
    GATE_REPORT: report,
    ORAS: stackOras(),
    ...runner.env,
    ...(runner.pathFirst === undefined
      ? {}
      : { PATH: `${runner.pathFirst}:${path}` })
  }
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

/** What the runner gives a JavaScript action: set in the step's env, as the runner sets it. */
const RUNNER_VARIABLES = {
  ACTIONS_RUNTIME_TOKEN: 'runtime-token',
  ACTIONS_RUNTIME_URL: 'http://127.0.0.1:9/runtime/',
  ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/results/',
  ACTIONS_CACHE_URL: 'http://127.0.0.1:9/cache/',
  ACTIONS_CACHE_SERVICE_V2: 'True',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/id-token',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-token',
  STATE_probe: 'a state of the action'
}

/** Whether a process still runs (a zombie has ended; only its entry is left). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** docs/safety.md's gate example as written there: its `gate` and `gate-timeout`. */
function documentedGate(): Record<string, string> {
  const doc = readFileSync(join(ROOT, 'docs/safety.md'), 'utf8')
  const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map(match => match[1])
    .find(text => text.includes('DPA_GATE_PLATFORMS'))
  if (block === undefined)
    throw new Error('docs/safety.md: no gate example over DPA_GATE_PLATFORMS')
  const inputs = parse(block) as Record<string, string | number>
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [name, String(value)])
  )
}

describe(`gate on ${RUNNER_CONTAINERD}: its bound, its environment and docker config, no secret`, () => {
  it('a gate that hangs, its child escaped into the background, ends with that child at gate-timeout and moves no tag', async () => {
    const repo = uniqueRepo('gate-hang')
    const first = await release(RUNNER_CONTAINERD, repo, '1.0.0', HELLO)
    expect(errorLines(first.stdout)).toEqual([])
    const before = await registryState(stack.a, repo)
    const hung = await release(RUNNER_CONTAINERD, repo, '1.1.0', HELLO, {
      // the subshell exits at once: its sleep leaves the gate's tree, holding the gate's output
      gate: '( sleep 600 & echo $! > "$GATE_REPORT.child" ); echo scanning; sleep 600',
      'gate-timeout': '3'
    })
    expect(hung.code).not.toBe(0)
    expect(errorLines(hung.stdout).join('\n')).toMatch(
      /gate did not end within gate-timeout \(3 s\) and was stopped: no tag moved/
    )
    expect(hung.outputs.gate).toBe('failed')
    expect(await registryState(stack.a, repo)).toEqual(before)
    const child = Number(readFileSync(`${hung.report}.child`, 'utf8'))
    expect(child).toBeGreaterThan(0)
    expect(running(child)).toBe(false)
  })

  it("the gate gets a run: step's environment, and a docker config that reads the staged registries only, by a pull token where the registry gives one; no log line holds a password", async () => {
    const repo = uniqueRepo('gate-boundary')
    const { a, t } = stack
    const step = await release(
      RUNNER_CONTAINERD,
      repo,
      '1.0.0',
      HELLO,
      {
        // DPA_GATE_IMAGE is the first: the marker gate reads it from t with the token, by oras
        images: `${t.host}/${repo}\n${a.host}/${repo}`,
        logins: loginsFor(a, t),
        // the runner's variables name no real cache service here
        cache: 'off',
        gate: `${GATE} && env > "$GATE_REPORT.env" && cp "$DOCKER_CONFIG/config.json" "$GATE_REPORT.config"`
      },
      { env: RUNNER_VARIABLES }
    )
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.outputs.gate).toBe('passed')
    const names = readFileSync(`${step.report}.env`, 'utf8')
      .split('\n')
      .map(line => line.split('=')[0])
    expect(
      Object.keys(RUNNER_VARIABLES).filter(n => names.includes(n))
    ).toEqual([
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
    ])
    expect(names.filter(name => name.startsWith('INPUT_'))).toEqual([])
    const { auths } = JSON.parse(
      readFileSync(`${step.report}.config`, 'utf8')
    ) as { auths: Record<string, { auth?: string; registrytoken?: string }> }
    // registry b, which the runner's config holds too, is not the gate's
    expect(Object.keys(auths).sort()).toEqual([a.host, t.host].sort())
    const basic = Buffer.from(`${a.username}:${a.password}`).toString('base64')
    expect(auths[a.host]).toEqual({ auth: basic })
    const token = auths[t.host].registrytoken ?? ''
    expect(Object.keys(auths[t.host])).toEqual(['registrytoken'])
    expect(tokenAccess(token)).toEqual([
      { type: 'repository', name: repo, actions: ['pull'] }
    ])
    for (const registry of [a, stack.b, t])
      expect(visibleText(step)).not.toContain(registry.password)
    expect(visibleText(step)).not.toContain(token)
  })

  it("docs/safety.md's gate, run as written, fails when only the arm64 image holds the marker; the one-line gate it replaced lets it through", async () => {
    const repo = uniqueRepo('gate-platforms')
    const arm64Marked = {
      file: `${MARKED}/arm64-only.Dockerfile`,
      platforms: 'linux/amd64,linux/arm64'
    }
    const standIn = { pathFirst: TRIVY_STANDIN }
    const oneLine = await release(
      RUNNER_CONTAINERD,
      repo,
      '1.0.0',
      MARKED,
      {
        ...arm64Marked,
        gate: 'trivy image --exit-code 1 --severity CRITICAL "$DPA_GATE_IMAGE"'
      },
      standIn
    )
    expect(errorLines(oneLine.stdout)).toEqual([])
    expect(oneLine.stdout).toMatch(/linux\/amd64 \(sha256:\w+\): clean/)
    const before = await registryState(stack.a, repo)
    const documented = documentedGate()
    expect(documented.gate).toContain('--platform "$platform"')
    const looped = await release(
      RUNNER_CONTAINERD,
      repo,
      '1.1.0',
      MARKED,
      { ...arm64Marked, ...documented },
      standIn
    )
    expect(looped.code).not.toBe(0)
    expect(looped.stdout).toMatch(/linux\/amd64 \(sha256:\w+\): clean/)
    expect(looped.stdout).toMatch(
      /linux\/arm64 \(sha256:\w+\): \/gate-marker found/
    )
    expect(errorLines(looped.stdout).join('\n')).toMatch(
      /gate failed with exit status 1: no tag moved/
    )
    expect(await registryState(stack.a, repo)).toEqual(before)
  })
})
