/**
 * The dry run says what the run will do: for each guard outcome, a dry run
 * and then the run against the same registry state log the same decision,
 * tag by tag, in the same words.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { StepResult } from './runner.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { uniqueRepo } from './steps.js'
import { OTHER_COMMIT, publishRelease, tagPush } from './releases.js'

let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

/** The lines under "The guards decide:" that name a tag of `image`. */
function guardLines(step: StepResult, image: string): string[] {
  const lines = step.stdout.split('\n')
  const at = lines.indexOf('The guards decide:')
  if (at < 0) return []
  const block: string[] = []
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith('  ')) break
    block.push(line.trim())
  }
  return block.filter(line => line.startsWith(`${image}:`))
}

interface Case {
  name: string
  /** What the decision says, in a line of both. */
  says: RegExp
  inputs?: Record<string, string>
  version: string
  sha?: string
  /** The run's exit code. */
  code: number
}

const CASES: Case[] = [
  {
    name: 'move: a newer release moves 1.5 and 1',
    version: '1.5.1',
    says: /:1 moves after the exact tags/,
    code: 0
  },
  {
    name: 'hold back: a backport leaves 1 on 1.5.0',
    version: '1.4.5',
    says: /:1 held back: 1\.5\.0 is already published/,
    code: 0
  },
  {
    name: "adopt a re-run: the same commit's release converges on its image",
    version: '1.5.0',
    says: /:1\.5\.0 already holds a build of this commit .*: this is a re-run/,
    code: 0
  },
  {
    name: "refuse a conflict: another commit's 1.5.0 stops the run",
    version: '1.5.0',
    sha: OTHER_COMMIT,
    says: /release tag 1\.5\.0 already exists at sha256:[0-9a-f]{64}, and this run would replace it/,
    code: 1
  },
  {
    name: 'immutable-tags: skip keeps 1.5.0 and its floating tags',
    version: '1.5.0',
    sha: OTHER_COMMIT,
    inputs: { 'immutable-tags': 'skip' },
    says: /:1\.5\.0 kept: already published at sha256:[0-9a-f]{64}; kept as it is/,
    code: 0
  },
  {
    name: 'immutable-tags: overwrite replaces 1.5.0',
    version: '1.5.0',
    sha: OTHER_COMMIT,
    inputs: { 'immutable-tags': 'overwrite' },
    says: /:1\.5\.0 set first \(exact tag\)/,
    code: 0
  }
]

describe('the dry run and the run decide alike', () => {
  it.each(CASES)('$name', async ({ version, sha, inputs, says, code }) => {
    const { a } = stack
    const repo = uniqueRepo('agree')
    const image = `${a.host}/${repo}`
    expect((await publishRelease(a, repo, '1.5.0')).code).toBe(0)
    const env = tagPush(version, sha)
    const dry = await publishRelease(
      a,
      repo,
      version,
      { ...inputs, 'dry-run': 'true' },
      a.host,
      env
    )
    expect(dry.code).toBe(0)
    const real = await publishRelease(a, repo, version, inputs, a.host, env)
    expect(real.code).toBe(code)
    const predicted = guardLines(dry, image)
    expect(predicted.some(line => says.test(line))).toBe(true)
    expect(guardLines(real, image)).toEqual(predicted)
  })
})
