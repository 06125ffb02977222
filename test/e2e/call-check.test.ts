/**
 * `call: check` (build-push-action's input, buildx's `--call`).
 *
 * With the default engine's buildx (0.13, no `--call`) the step fails before
 * any docker command that changes anything, with one line, and the registry
 * gets nothing. With the stack's buildx 0.29 (Docker 28.5) the check runs for
 * real (the last case). The cases in between (a clean check, a build error,
 * ignorestatus, annotations off) run against a recorded-shape fixture: a
 * docker-buildx CLI plugin in the step's private DOCKER_CONFIG/cli-plugins
 * that says it is v0.15.1 and answers `build --call check,format=json` with
 * output shaped as real buildx's (test/fixtures/buildx-check/README.md).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listTags } from './registry-api.js'
import { ROOT, runMain } from './runner.js'
import { errorLines } from './releases.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { BUILDERS, RUNNER_CONTAINERD } from '../support/builders.js'

const CHECK = 'test/fixtures/contexts/check'
const DOCKERFILE = `${CHECK}/Dockerfile`
const PLUGIN = join(ROOT, 'test/fixtures/buildx-check/docker-buildx.mjs')
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

/** The runner env with the fixture buildx as the only plugin docker finds first. */
function withFixtureBuildx(fixture: string) {
  const env = runnerEnv('push-tag', {
    GITHUB_WORKSPACE: ROOT,
    DPA_CHECK_FIXTURE: fixture,
    DPA_FIXTURE_LOG: join(mkdtempSync(join(tmpdir(), 'dpa-buildx-')), 'argv')
  })
  writeFileSync(env.DPA_FIXTURE_LOG, '')
  const plugins = join(env.DOCKER_CONFIG, 'cli-plugins')
  mkdirSync(plugins)
  symlinkSync(PLUGIN, join(plugins, 'docker-buildx'))
  return env
}

/** The buildx commands the fixture ran, as `buildx …` whether docker started it or the action did directly. */
const calls = (env: Record<string, string>) =>
  readFileSync(env.DPA_FIXTURE_LOG, 'utf8')
    .split('\n')
    .filter(line => line !== '' && line !== 'docker-cli-plugin-metadata')
    .map(line => (line.startsWith('buildx ') ? line : `buildx ${line}`))

describe('call: check', () => {
  it('on buildx 0.13 (no --call) fails first with one line, and the registry gets nothing', async () => {
    const repo = uniqueRepo('call-check-old')
    const { a } = stack
    const step = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: CHECK,
        call: 'check'
      },
      runnerEnv('push-tag')
    )
    expect(step.code).toBe(1)
    const errors = errorLines(step.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      /^::error::input "call": invalid value "check": needs buildx >= 0\.15\.0 \(found 0\.13\.1\): /
    )
    expect(step.stdout).not.toMatch(/\[command\].* (login|buildx build) /)
    expect(await listTags(a, repo)).toEqual([])
  })

  // the fixture below stands in for buildx >= 0.15 (none exists here)
  it('reports each violation as an annotation on the Dockerfile, in the log and the summary, and fails', async () => {
    const repo = uniqueRepo('call-check')
    const { a } = stack
    const env = withFixtureBuildx('warnings')
    const step = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: CHECK,
        call: 'check'
      },
      env
    )
    expect(step.code).toBe(1)
    const annotations = step.stdout
      .split('\n')
      .filter(line => line.startsWith('::warning '))
    expect(annotations).toEqual([
      `::warning title=The 'as' keyword should match the case of the 'from' keyword,file=${DOCKERFILE},line=1,endLine=1::FromAsCasing: 'as' and 'FROM' keywords' casing do not match%0AMore info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/`,
      `::warning title=JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals,file=${DOCKERFILE},line=3,endLine=3::JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals%0AMore info: https://docs.docker.com/go/dockerfile/rule/json-args-recommended/`
    ])
    expect(step.stdout).toContain(
      `Build checks: 2 warnings\n  ${DOCKERFILE}:1: FromAsCasing: 'as' and 'FROM' keywords' casing do not match\n`
    )
    expect(errorLines(step.stdout)).toEqual([
      '::error::call: the build check found 2 violations (annotated above); fix them, or add ignorestatus=true to report them without failing'
    ])
    expect(step.summary).toContain(
      `Build checks (\`call: check\`): 2 warnings: \`FromAsCasing\` (${DOCKERFILE}:1), \`JSONArgsRecommended\` (${DOCKERFILE}:3)`
    )
    const [version, build] = calls(env)
    expect(version).toBe('buildx version')
    expect(build).toMatch(/^buildx build .*--call check,format=json /)
    // logged in first, as login-action would be: the check reads FROM
    expect(step.stdout).toMatch(/^login {5}GET \S+\/v2\/ as /m)
    expect(await listTags(a, repo)).toEqual([])
  })

  it('DOCKER_BUILD_CHECKS_ANNOTATIONS=false: the violations in the log only', async () => {
    const repo = uniqueRepo('call-check-quiet')
    const { a } = stack
    const env = {
      ...withFixtureBuildx('warnings'),
      DOCKER_BUILD_CHECKS_ANNOTATIONS: 'false'
    }
    const step = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: CHECK,
        call: 'check'
      },
      env
    )
    expect(step.code).toBe(1)
    expect(warningAnnotations(step.stdout)).toEqual([])
    expect(step.stdout).toContain(
      `Build checks: 2 warnings\n  ${DOCKERFILE}:1: FromAsCasing:`
    )
  })

  it('passes a clean check, and says so in the summary', async () => {
    const { a } = stack
    const step = await runMain(
      {
        images: `${a.host}/${uniqueRepo('call-check-clean')}`,
        ...credentials(a),
        context: CHECK,
        call: 'check,format=text'
      },
      withFixtureBuildx('clean')
    )
    expect(step.stdout).not.toMatch(/::(error|warning) /)
    expect(step.code).toBe(0)
    expect(step.stdout).toContain('Build checks: no warnings')
    expect(step.summary).toContain('Build checks (`call: check`): no warnings')
  })

  it('with ignorestatus=true annotates the violations and does not fail', async () => {
    const { a } = stack
    const step = await runMain(
      {
        images: `${a.host}/${uniqueRepo('call-check-ignore')}`,
        ...credentials(a),
        context: CHECK,
        call: 'check,ignorestatus=true'
      },
      withFixtureBuildx('warnings')
    )
    expect(step.code).toBe(0)
    expect(
      step.stdout.split('\n').filter(line => line.startsWith('::warning '))
    ).toHaveLength(2)
  })

  it('fails on the build error the check ran into, naming where', async () => {
    const { a } = stack
    const step = await runMain(
      {
        images: `${a.host}/${uniqueRepo('call-check-error')}`,
        ...credentials(a),
        context: CHECK,
        call: 'check'
      },
      withFixtureBuildx('build-error')
    )
    expect(step.code).toBe(1)
    expect(errorLines(step.stdout)).toEqual([
      `::error::call: the build check stopped on an error at ${DOCKERFILE}:2: dockerfile parse error on line 2: unknown instruction: RUNN`
    ])
  })
})

const LOCAL = 'test/fixtures/contexts/check-local'

/** The step's warning annotations. */
const warningAnnotations = (stdout: string): string[] =>
  stdout.split('\n').filter(line => line.startsWith('::warning '))

/** What buildx >= 0.15 finds in check-local's Dockerfile, as annotations on it. */
const LOCAL_FINDINGS = [
  expect.stringMatching(
    new RegExp(
      `^::warning title=.*,file=${LOCAL}/Dockerfile,line=1,endLine=1::FromAsCasing: `
    )
  ),
  expect.stringMatching(
    new RegExp(
      `^::warning title=.*,file=${LOCAL}/Dockerfile,line=3,endLine=3::JSONArgsRecommended: `
    )
  )
]

describe(`call: check on a real buildx >= 0.15 (${RUNNER_CONTAINERD}, the runner's)`, () => {
  const FIELD = BUILDERS.find(b => b.name === RUNNER_CONTAINERD)

  it("annotates buildx's own findings on the Dockerfile and fails, with nothing pushed", async () => {
    const repo = uniqueRepo('call-check-field')
    const { a } = stack
    const env = runnerEnv('push-tag', { GITHUB_WORKSPACE: ROOT })
    if (FIELD === undefined)
      throw new Error(`no ${RUNNER_CONTAINERD} in the table`)
    const use = FIELD.use(env.DOCKER_CONFIG)
    const step = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: LOCAL,
        call: 'check',
        ...use.inputs
      },
      { ...env, ...use.env }
    )
    expect(step.code).toBe(1)
    expect(warningAnnotations(step.stdout)).toEqual(LOCAL_FINDINGS)
    expect(errorLines(step.stdout)).toEqual([
      '::error::call: the build check found 2 violations (annotated above); fix them, or add ignorestatus=true to report them without failing'
    ])
    expect(await listTags(a, repo)).toEqual([])
  })
})

describe('check warnings on every build (no call input)', () => {
  const plainBuild = async (builderName: string) => {
    const builder = BUILDERS.find(b => b.name === builderName)
    if (builder === undefined) throw new Error(`no ${builderName} builder`)
    const repo = uniqueRepo('build-warnings')
    const env = runnerEnv('push-tag', { GITHUB_WORKSPACE: ROOT })
    const use = builder.use(env.DOCKER_CONFIG)
    const step = await runMain(
      {
        images: `${stack.a.host}/${repo}`,
        ...credentials(stack.a),
        context: LOCAL,
        ...use.inputs
      },
      { ...env, ...use.env }
    )
    return { step, repo }
  }

  it('buildx >= 0.15: a plain build that publishes annotates FromAsCasing on line 1, and the summary lists the warnings', async () => {
    const { step, repo } = await plainBuild(RUNNER_CONTAINERD)
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    expect(warningAnnotations(step.stdout)).toEqual(LOCAL_FINDINGS)
    expect(step.summary).toContain(
      `Build checks: 2 warnings: \`FromAsCasing\` (${LOCAL}/Dockerfile:1), \`JSONArgsRecommended\` (${LOCAL}/Dockerfile:3)`
    )
    expect(await listTags(stack.a, repo)).toEqual(['1', '1.2', '1.2.3'])
  })

  it('buildx 0.13 (no warnings in its metadata): says nothing', async () => {
    const { step } = await plainBuild('docker 26.1 containerd store')
    expect(step.code).toBe(0)
    expect(warningAnnotations(step.stdout)).toEqual([])
    expect(step.summary).not.toContain('Build checks')
  })
})
