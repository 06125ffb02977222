/**
 * The password, and docker's base64 `user:password`, never show: not in
 * stdout/stderr, the outputs, the summary or the state file of main and
 * post, not in any process's command line while they run (sampled from
 * /proc), and in no file under RUNNER_TEMP or the user's docker config
 * after post. For a run that succeeds, one that fails after its login (the
 * registry stops taking the credentials) and one cancelled with SIGTERM
 * while it reads the registry. field.test.ts has the build failure and the
 * SIGTERM during the build (files on disk, the user's config untouched);
 * publish.test.ts the command lines of a plain publish.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { filesContaining, secretForms } from './field-support.js'
import { watchCommandLines } from './proc-watch.js'
import { registryState } from './registry-api.js'
import {
  runPost,
  startMain,
  type RunningStep,
  type StepResult
} from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo, visibleText } from './steps.js'
import {
  startFaultProxy,
  type Fault,
  type FaultProxy
} from '../support/fault-proxy.js'
import { describeLeft, reliabilityRecorder } from '../support/reliability.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
const record = reliabilityRecorder('secrets')
let stack: StackEnv
const started: RunningStep[] = []

beforeAll(() => {
  stack = stackEnv()
})
afterAll(() => {
  for (const step of started)
    if (step.child.exitCode === null) step.child.kill('SIGKILL')
})

/** Everything a person or a later step can read of a step. */
function readable(step: StepResult): string {
  return [
    visibleText(step),
    readFileSync(join(step.dir, 'state'), 'utf8')
  ].join('\n')
}

interface SecretCase {
  name: string
  faults: Fault[]
  /** Kill main with SIGTERM once its log shows this line. */
  cancelAt?: string
  /** Exit code; null when SIGTERM ended it (node's default handler). */
  code: number | null
}

const cases: SecretCase[] = [
  { name: 'a run that succeeds', faults: [], code: 0 },
  {
    // as a password rotated while the run builds
    name: 'a run that fails after its login (401 on the registry read)',
    faults: [
      {
        kind: 'status',
        status: 401,
        headers: { 'WWW-Authenticate': 'Basic realm="Registry Realm"' },
        match: { path: /\/tags\/list/ }
      }
    ],
    code: 1
  },
  {
    name: 'a run cancelled (SIGTERM) while it reads the registry',
    faults: [{ kind: 'hang', match: { path: /\/tags\/list/ } }],
    cancelAt: '::group::Read the registry',
    code: null
  }
]

/** Resolves once the step printed `line` (rejects if it ends first). */
function printed(step: RunningStep, line: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (step.stdout().includes(line)) {
        clearInterval(timer)
        resolve()
      } else if (step.child.exitCode !== null) {
        clearInterval(timer)
        reject(new Error(`main ended first:\n${step.stdout()}`))
      }
    }, 20)
  })
}

describe('no credential shows, on screen, in argv or on disk', () => {
  let proxy: FaultProxy
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: stackEnv().a.host })
  })
  afterAll(() => proxy.close())

  it.each(cases)('$name', ({ name, faults, cancelAt, code }) =>
    record('secrets', name, async c => {
      const { a } = stack
      const forms = secretForms(a)
      const repo = uniqueRepo('secrets')
      const before = await registryState(a, repo)
      proxy.setFaults(faults)
      const env = runnerEnv('push-tag')
      const watchers = forms.map(form => watchCommandLines(form))
      const main = await c.time(async () => {
        const running = startMain(
          {
            images: `${proxy.host}/${repo}`,
            logins: loginsFor({ ...a, host: proxy.host }),
            context: HELLO
          },
          env
        )
        started.push(running)
        if (cancelAt !== undefined) {
          await printed(running, cancelAt)
          running.child.kill('SIGTERM')
        }
        return running.result
      })
      const post = await runPost(main, env)
      const commandLines = watchers.flatMap(stop => stop())
      c.left(describeLeft(before, await registryState(a, repo)))

      expect(main.code).toBe(code)
      expect(post.code).toBe(0)
      expect(commandLines).toEqual([])
      for (const form of forms) {
        expect(readable(main)).not.toContain(form)
        expect(readable(post)).not.toContain(form)
      }
      expect(filesContaining(main.dir, forms)).toEqual([])
      expect(filesContaining(env.DOCKER_CONFIG, forms)).toEqual([])
    })
  )
})
