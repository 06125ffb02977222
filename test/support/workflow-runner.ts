/**
 * A reusable workflow's jobs run in order as GitHub runs them, for the e2e of
 * .github/workflows/publish.yml: the file read by GitHub's own parser (@actions/workflow-parser),
 * each expression evaluated by GitHub's own evaluator (@actions/expressions), the matrix expanded,
 * each leg's steps run in a workspace folder of its own (a `uses:` step by the test's callback,
 * which runs dist/ as the runner runs the action; a `run:` step's script by bash, as the runner runs
 * it, its ::notice:: and ::error:: lines taken as the runner's log and its GITHUB_OUTPUT as the
 * step's outputs), the job's outputs evaluated at the end of each leg and handed to the next jobs
 * through `needs`.
 *
 * What each rule rests on:
 * - A step's `if` defaults to success(); a job's too (GitHub's parser adds it where the `if` names
 *   no status function), so a failed leg skips the merge (docs, "Using conditions to control job
 *   execution"). A job's success() holds where every job it needs succeeded, failure() where one
 *   failed: a skipped need makes neither hold, so "if a job fails or is skipped, all jobs that need
 *   it are skipped unless the jobs use a conditional expression that causes the job to continue"
 *   (docs, "Workflow syntax": jobs.<job_id>.needs); `!cancelled()` holds (nothing is cancelled
 *   here), and `needs.<job>.result` is success, failure or skipped (docs, "Contexts": needs).
 * - A matrix job's outputs: each leg's evaluated at its end; a name a later leg sets replaces an
 *   earlier value, an empty value replaces nothing (docs: "the last successful leg"; the empty rule
 *   observed by users, github.community 128626), and only a successful leg's outputs count.
 * - Re-running failed jobs runs again the failed legs and the jobs after them; the succeeded legs
 *   keep their results and outputs (docs, "Re-running failed jobs in a workflow").
 * - `with:` values reach the action as strings (the runner's INPUT_* environment).
 * - A job of a called workflow that declares `permissions` gets those (at most the caller's
 *   grant); one that declares none gets the caller's. The runner sets ACTIONS_ID_TOKEN_REQUEST_URL
 *   and _TOKEN only where the job's token has `id-token: write` (docs, "About security hardening
 *   with OpenID Connect": "Adding permissions settings"; "Reusing workflows": permissions).
 * - A `run:` step without `shell` runs as `bash -e {0}` on Linux, in the workspace, with the step's
 *   `env` and GITHUB_OUTPUT, GITHUB_SERVER_URL (docs, "Workflow syntax": jobs.<id>.steps[*].shell;
 *   "Variables reference").
 */
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import {
  convertWorkflowTemplate,
  isBasicExpression,
  isMapping,
  isSequence,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index'

type Contexts = Record<string, unknown>
type Status = 'success' | 'failure'
/** What a job's status functions see of its needs: all succeeded, one failed, else one skipped. */
type NeedsStatus = Status | 'skipped'

/** A `uses:` step run by the test: its inputs as strings; its outputs and whether it succeeded. */
export type ActionRunner = (
  uses: string,
  inputs: Record<string, string>,
  leg: {
    job: string
    matrix: Record<string, unknown>
    runsOn: unknown
    /** The leg's workspace folder (GITHUB_WORKSPACE), where `uses: ./…` resolves. */
    workspace: string
    /** Whether the job's token may ask for an ID token (its `permissions`, else the caller's). */
    idToken: boolean
  }
) => Promise<{ ok: boolean; outputs: Record<string, string> }>

/** One leg of a job as it ran. */
interface LegRun {
  matrix: Record<string, unknown>
  runsOn: unknown
  environment: string
  status: Status
  outputs: Record<string, string>
  notices: string[]
  errors: string[]
}

/** A job's result as `needs` shows it, with each leg's. */
export interface JobRun {
  result: Status | 'skipped'
  outputs: Record<string, string>
  legs: LegRun[]
}

function evaluate(
  expr: string,
  contexts: Contexts,
  status: NeedsStatus
): data.ExpressionData {
  const statusFunctions = [
    ['success', status === 'success'],
    ['failure', status === 'failure'],
    ['always', true],
    ['cancelled', false]
  ] as const
  const functions = statusFunctions.map(([name, value]) => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new data.BooleanData(value)
  }))
  const lexed = new Lexer(expr).lex()
  const parsed = new Parser(
    lexed.tokens,
    Object.keys(contexts),
    functions
  ).parse()
  const context = JSON.parse(
    JSON.stringify(contexts),
    data.reviver
  ) as data.Dictionary
  return new Evaluator(
    parsed,
    context,
    new Map(functions.map(f => [f.name, f]))
  ).evaluate()
}

/** A token's value, its expressions evaluated (strings as the runner makes them). */
function valueOf(
  token: TemplateToken | undefined,
  contexts: Contexts,
  status: NeedsStatus = 'success'
): unknown {
  if (token === undefined) return undefined
  if (isBasicExpression(token)) {
    const result = evaluate(token.expression, contexts, status)
    return JSON.parse(JSON.stringify(result, data.replacer)) as unknown
  }
  if (isSequence(token))
    return Array.from({ length: token.count }, (_, i) =>
      valueOf(token.get(i), contexts, status)
    )
  if (isMapping(token))
    return Object.fromEntries(
      Array.from({ length: token.count }, (_, i) => {
        const { key, value } = token.get(i)
        return [
          String(valueOf(key, contexts, status)),
          valueOf(value, contexts, status)
        ]
      })
    )
  return (token as unknown as { value: unknown }).value
}

/** As a `with:` value or an output reaches the action: a string. */
function asString(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

function stringsOf(
  token: TemplateToken | undefined,
  contexts: Contexts
): Record<string, string> {
  const value = (valueOf(token, contexts) ?? {}) as Record<string, unknown>
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, asString(v)])
  )
}

/** The matrix's combinations (one axis list, plus include entries). */
function expand(
  matrix: Record<string, unknown> | undefined
): Record<string, unknown>[] {
  if (matrix === undefined) return [{}]
  const { include = [], ...axes } = matrix as {
    include?: Record<string, unknown>[]
  }
  let legs: Record<string, unknown>[] = Object.keys(axes).length > 0 ? [{}] : []
  for (const [axis, values] of Object.entries(axes))
    legs = legs.flatMap(leg =>
      (values as unknown[]).map(value => ({ ...leg, [axis]: value }))
    )
  return [...legs, ...include]
}

export interface WorkflowCall {
  inputs: Record<string, unknown>
  secrets?: Record<string, string>
  github: Record<string, unknown>
  /** The job context: the runner's `job.workflow_*` name the called workflow's own commit. */
  job?: Record<string, unknown>
  run: ActionRunner
  /** Re-run failed jobs: the jobs of the earlier attempt; its succeeded legs are kept. */
  previous?: Record<string, JobRun>
}

/** The checkouts `withCheckout` made: the repository and ref each asked for, and where. */
export interface Checkout {
  repository: string
  ref: string
  path: string
}

/**
 * `runner` behind the runner's handling of two kinds of `uses:`: `actions/checkout@<sha>` puts
 * the repository at `ref` into the workspace, here `source` (this checkout, standing for the
 * action's repository at the workflow's commit) linked at `path`, and records what was asked;
 * `./path` runs a local action, which must be in the workspace by then, as the runner requires.
 */
export function withCheckout(
  runner: ActionRunner,
  source: string,
  checkouts: Checkout[]
): ActionRunner {
  return async (uses, inputs, leg) => {
    if (uses.startsWith('actions/checkout@')) {
      const { repository = '', ref = '', path = '.' } = inputs
      checkouts.push({ repository, ref, path })
      symlinkSync(source, join(leg.workspace, path))
      return { ok: true, outputs: {} }
    }
    if (uses.startsWith('./') && !existsSync(join(leg.workspace, uses)))
      return { ok: false, outputs: {} }
    return runner(uses, inputs, leg)
  }
}

/** The workflow file parsed and converted by GitHub's parser; its errors, if any, thrown. */
export async function readWorkflow(file: string) {
  const parsed = parseWorkflow(
    { name: file, content: readFileSync(file, 'utf8') },
    new NoOperationTraceWriter()
  )
  const root = parsed.value!
  const template = await convertWorkflowTemplate(parsed.context, root)
  const errors = [
    ...parsed.context.errors.getErrors(),
    ...(template.errors ?? [])
  ]
  if (errors.length > 0)
    throw new Error(
      errors.map(e => ('Message' in e ? e.Message : e.message)).join('\n')
    )
  return Object.assign(template, { root })
}

/** A mapping token's value under `key`. */
function field(
  token: TemplateToken | undefined,
  key: string
): TemplateToken | undefined {
  if (token === undefined || !isMapping(token)) return undefined
  for (let i = 0; i < token.count; i++) {
    const pair = token.get(i)
    if (valueOf(pair.key, {}) === key) return pair.value
  }
  return undefined
}

/** The `with:` of a job's step, from the parsed file (the converted model leaves it out). */
function stepWith(
  root: TemplateToken,
  job: string,
  index: number
): TemplateToken | undefined {
  const steps = field(field(field(root, 'jobs'), job), 'steps')
  return steps && isSequence(steps)
    ? field(steps.get(index), 'with')
    : undefined
}

/** A job's own `permissions`, where it declares them: `id-token: write` among them, or not. */
function grantsIdToken(
  root: TemplateToken,
  job: string,
  contexts: Contexts
): boolean {
  const declared = field(field(field(root, 'jobs'), job), 'permissions')
  if (declared === undefined) return true
  const permissions = valueOf(declared, contexts)
  // a string is GitHub's shorthand for every permission: write-all, read-all
  if (typeof permissions === 'string') return permissions === 'write-all'
  return (permissions as Record<string, unknown>)['id-token'] === 'write'
}

/** The workflow_call inputs with their declared defaults. */
function callInputs(
  template: Awaited<ReturnType<typeof readWorkflow>>,
  given: Contexts
): Contexts {
  const declared = template.events.workflow_call?.inputs ?? {}
  const defaults = Object.fromEntries(
    Object.entries(declared).map(([name, input]) => [name, input.default ?? ''])
  )
  return { ...defaults, ...given }
}

/** A `run:` step as the runner runs it: `bash -e` on a file, the step's env, GITHUB_OUTPUT. */
function runScript(
  script: string,
  env: Record<string, string>,
  workspace: string,
  github: Record<string, unknown>
) {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-step-'))
  const output = join(dir, 'output')
  writeFileSync(join(dir, 'script.sh'), script)
  writeFileSync(output, '')
  const ran = spawnSync('bash', ['-e', join(dir, 'script.sh')], {
    cwd: workspace,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      ...env,
      GITHUB_OUTPUT: output,
      GITHUB_SERVER_URL: asString(github.server_url) || 'https://github.com'
    }
  })
  const logged = (command: string) =>
    [...ran.stdout.matchAll(new RegExp(`^::${command}::(.*)$`, 'gm'))].map(
      m => m[1]
    )
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(line => line.includes('='))
      .map(line => [
        line.slice(0, line.indexOf('=')),
        line.slice(line.indexOf('=') + 1)
      ])
  )
  return {
    ok: ran.status === 0,
    outputs,
    notices: logged('notice'),
    errors: logged('error')
  }
}

type Job = {
  id: { value: string }
  needs?: { value: string }[]
  strategy?: TemplateToken
  if?: TemplateToken
} & Record<string, unknown>

/** Whether a job runs: its `if` (with the parser's success()) against its needs' results. */
function jobRuns(job: Job, needs: Record<string, JobRun>, contexts: Contexts) {
  const results = Object.values(needs).map(need => need.result)
  const status: NeedsStatus = results.every(result => result === 'success')
    ? 'success'
    : results.includes('failure')
      ? 'failure'
      : 'skipped'
  return Boolean(valueOf(job.if, contexts, status) ?? status === 'success')
}

async function runLeg(
  root: TemplateToken,
  job: Job,
  matrix: Record<string, unknown>,
  contexts: Contexts,
  call: WorkflowCall
): Promise<LegRun> {
  const legContexts = { ...contexts, matrix }
  const runsOn = valueOf(job['runs-on'] as TemplateToken, legContexts)
  const environment = asString(
    valueOf(job.environment as TemplateToken, legContexts)
  )
  const steps: Record<string, { outputs: Record<string, string> }> = {}
  const notices: string[] = []
  const errors: string[] = []
  const workspace = mkdtempSync(join(tmpdir(), 'dpa-workspace-'))
  let status: Status = 'success'
  for (const [index, step] of (
    job.steps as Record<string, unknown>[]
  ).entries()) {
    const stepContexts = { ...legContexts, steps }
    const condition = step.if as TemplateToken | undefined
    if (
      condition !== undefined &&
      valueOf(condition, stepContexts, status) !== true
    )
      continue
    if (step.run !== undefined) {
      const ran = runScript(
        asString(valueOf(step.run as TemplateToken, stepContexts)),
        stringsOf(step.env as TemplateToken, stepContexts),
        workspace,
        call.github
      )
      notices.push(...ran.notices)
      errors.push(...ran.errors)
      if (typeof step.id === 'string') steps[step.id] = { outputs: ran.outputs }
      if (!ran.ok) status = 'failure'
      continue
    }
    const inputs = stringsOf(stepWith(root, job.id.value, index), stepContexts)
    const ran = await call.run(String(step.uses), inputs, {
      job: job.id.value,
      matrix,
      runsOn,
      workspace,
      idToken: grantsIdToken(root, job.id.value, legContexts)
    })
    if (typeof step.id === 'string') steps[step.id] = { outputs: ran.outputs }
    if (!ran.ok) status = 'failure'
  }
  const outputs =
    status === 'success'
      ? stringsOf(job.outputs as TemplateToken, { ...legContexts, steps })
      : {}
  return { matrix, runsOn, environment, status, outputs, notices, errors }
}

/** Runs the workflow's jobs in order (one attempt); each job's result, legs and outputs. */
export async function runWorkflow(
  file: string,
  call: WorkflowCall
): Promise<Record<string, JobRun>> {
  const template = await readWorkflow(file)
  const inputs = callInputs(template, call.inputs)
  const jobs: Record<string, JobRun> = {}
  for (const job of template.jobs as unknown as Job[]) {
    const needs = Object.fromEntries(
      (job.needs ?? []).map(n => [n.value, jobs[n.value]])
    )
    const contexts = {
      inputs,
      secrets: call.secrets ?? {},
      github: call.github,
      job: call.job ?? {},
      needs
    }
    if (!jobRuns(job, needs, contexts)) {
      jobs[job.id.value] = { result: 'skipped', outputs: {}, legs: [] }
      continue
    }
    const strategy = valueOf(job.strategy, contexts) as
      { matrix?: Record<string, unknown> } | undefined
    const kept = call.previous?.[job.id.value]?.legs ?? []
    const legs: LegRun[] = []
    for (const matrix of expand(strategy?.matrix)) {
      const done = kept.find(
        leg =>
          leg.status === 'success' &&
          JSON.stringify(leg.matrix) === JSON.stringify(matrix)
      )
      legs.push(
        done ?? (await runLeg(template.root, job, matrix, contexts, call))
      )
    }
    const outputs: Record<string, string> = {}
    for (const leg of legs)
      for (const [name, value] of Object.entries(leg.outputs))
        if (value !== '') outputs[name] = value
    const result = legs.every(leg => leg.status === 'success')
      ? 'success'
      : 'failure'
    jobs[job.id.value] = { result, outputs, legs }
  }
  return jobs
}
