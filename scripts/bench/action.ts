/** Runs the bundled action the way the Actions runner does: main, then post with its state. */
import { rmSync, appendFileSync } from 'node:fs'
import {
  postRuns,
  startMain,
  runPost,
  type StepResult
} from '../../test/e2e/runner.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { HELLO, TAG_NAMES, TAG_RULES } from './event.js'
import { eachLine, measure, tail, type Cost } from './proc.js'

export type Inputs = Record<string, string | undefined>

/**
 * Publish inputs: the hello context under the four tag rules (latest=false:
 * with latest=auto a semver rule adds `latest`, a fifth tag). Credentials go
 * in username/password, or in a `logins` entry for `loginHost`.
 */
export function publishInputs(
  image: string,
  credentials: StackRegistry,
  loginHost?: string
): Inputs {
  const login =
    loginHost === undefined
      ? { username: credentials.username, password: credentials.password }
      : {
          logins: [
            `- registry: ${loginHost}`,
            `  username: ${credentials.username}`,
            `  password: ${credentials.password}`
          ].join('\n')
        }
  return {
    images: image,
    context: HELLO,
    tags: TAG_RULES.join('\n'),
    flavor: 'latest=false',
    ...login
  }
}

function failure(step: StepResult, which: string): Error {
  const said = step.stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
  return new Error(
    `the action's ${which} step exited ${step.code}:\n${tail(said + step.stderr)}`
  )
}

export interface ActionRun {
  main: StepResult
  mainCost: Cost
  /** Zero when the runner would not start the post step (action.yml's post-if). */
  postCost: Cost
}

const NOT_RUN: Cost = { wallMs: 0, cpuMs: 0 }

/** BENCH_LOGS=<file>: each job's main and post output appended, to read why a row ran again. */
function keepLogs(main: StepResult, post: StepResult | undefined): void {
  const file = process.env.BENCH_LOGS
  if (!file) return
  const step = (name: string, run: StepResult | undefined) =>
    run === undefined ? '' : `== ${name}\n${run.stdout}${run.stderr}\n`
  appendFileSync(file, step('main', main) + step('post', post))
}

/**
 * main, then post where the runner would start it (action.yml's post-if),
 * each measured, then removes their runner temp folder; throws if either
 * fails. Every process they start is reaped before they return, so
 * measure() sees its CPU. `onLine` gets each line main prints as it arrives.
 */
export async function runAction(
  inputs: Inputs,
  env: Record<string, string>,
  onLine?: (line: string) => void
): Promise<ActionRun> {
  // the main step alone, then its post step, each timed (runMain would run both)
  const { value: main, cost: mainCost } = await measure(() => {
    const step = startMain(inputs, env)
    if (onLine !== undefined && step.child.stdout !== null)
      eachLine(step.child.stdout, onLine)
    return step.result
  })
  const post = postRuns(main.code === 0 ? 'success' : 'failure')
    ? await measure(() => runPost(main, env))
    : undefined
  rmSync(main.dir, { recursive: true, force: true })
  keepLogs(main, post?.value)
  if (main.code !== 0) throw failure(main, 'main')
  if (post !== undefined && post.value.code !== 0)
    throw failure(post.value, 'post')
  return { main, mainCost, postCost: post?.cost ?? NOT_RUN }
}

/** The bench compares like with like: the action must have pushed TAG_NAMES. */
export function checkTags(main: StepResult): void {
  const names = (main.outputs['tag-names'] ?? '').split('\n').filter(Boolean)
  if (names.sort().join(' ') !== [...TAG_NAMES].sort().join(' '))
    throw new Error(
      `the action pushed tags "${names.join(' ')}", not "${TAG_NAMES.join(' ')}": the figures would not compare`
    )
}
