import { beforeAll, describe, expect, it } from '@jest/globals'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { registryState } from './registry-api.js'
import { runMain, runPost, type StepResult } from './runner.js'
import { forkPullRequest, loginsFor, runnerEnv, uniqueRepo } from './steps.js'

// SECURITY.md, "Tags a fork may not name": a tag named from a fork's head
// ref is created when absent and moves only off an image that the same
// pull request's runs wrote; what a push run wrote stays.

const HELLO = 'test/fixtures/contexts/hello'
/** One rule set for pushes and pull requests alike: the case the rule closes. */
const TAGS =
  'type=ref,event=branch\ntype=ref,event=pr\ntype=raw,value={{branch}}'
const COMMIT_1 = 'aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111'
const COMMIT_2 = 'bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222'

let stack: StackEnv
beforeAll(() => {
  stack = stackEnv()
})

const pushOf = (branch: string) =>
  runnerEnv('push-branch', {
    GITHUB_REF: `refs/heads/${branch}`,
    GITHUB_REF_NAME: branch
  })

async function publish(
  repo: string,
  env: Record<string, string>
): Promise<StepResult> {
  const main = await runMain(
    {
      images: `${stack.a.host}/${repo}`,
      logins: loginsFor(stack.a),
      context: HELLO,
      tags: TAGS
    },
    env
  )
  await runPost(main, env)
  expect(main.code).toBe(0)
  return main
}

const skippedRefs = (run: StepResult) =>
  (JSON.parse(run.outputs.skipped) as { ref: string }[]).map(s => s.ref)

describe('a fork-named tag moves only off its own pull request', () => {
  it("a fork's head ref develop leaves the push run's develop alone, while pr-42 is created and moves", async () => {
    const repo = uniqueRepo('fork-develop')
    const ref = `${stack.a.host}/${repo}`
    await publish(repo, pushOf('develop'))
    const pushed = await registryState(stack.a, repo)
    expect(Object.keys(pushed)).toEqual(['develop'])

    const first = await publish(repo, forkPullRequest('develop', COMMIT_1))
    const afterFirst = await registryState(stack.a, repo)
    expect(afterFirst.develop).toBe(pushed.develop)
    expect(afterFirst['pr-42']).not.toBe(pushed.develop)
    expect(skippedRefs(first)).toEqual([`${ref}:develop`])
    expect(first.stdout).toContain(
      `${ref}:develop held back: it holds ${pushed.develop}, which a push or release run wrote`
    )
    expect(first.summary).toMatch(
      /:develop` .* held back: it holds sha256:\w+, which a push or release run wrote/
    )

    const dryRun = await runMain(
      {
        images: ref,
        logins: loginsFor(stack.a),
        context: HELLO,
        tags: TAGS,
        'dry-run': 'true'
      },
      forkPullRequest('develop', COMMIT_2)
    )
    expect(dryRun.stdout).toContain(
      `${ref}:develop held back: it holds ${pushed.develop}, which a push or release run wrote`
    )

    await publish(repo, forkPullRequest('develop', COMMIT_2))
    const afterSecond = await registryState(stack.a, repo)
    expect(afterSecond.develop).toBe(pushed.develop)
    expect(afterSecond['pr-42']).not.toBe(afterFirst['pr-42'])
  })

  it("a per-PR branch image moves on the same pull request's next commit, not on another pull request's", async () => {
    const repo = uniqueRepo('fork-feature')
    await publish(repo, forkPullRequest('feature/login', COMMIT_1))
    const first = await registryState(stack.a, repo)
    expect(Object.keys(first)).toEqual(['feature-login', 'pr-42'])

    const next = await publish(repo, forkPullRequest('feature/login', COMMIT_2))
    const second = await registryState(stack.a, repo)
    expect(skippedRefs(next)).toEqual([])
    expect(second['feature-login']).not.toBe(first['feature-login'])
    expect(second['feature-login']).toBe(second['pr-42'])

    const other = await publish(
      repo,
      forkPullRequest('feature/login', COMMIT_1, 43)
    )
    const third = await registryState(stack.a, repo)
    expect(third['feature-login']).toBe(second['feature-login'])
    expect(third['pr-43']).toBeDefined()
    expect(other.stdout).toContain(
      `feature-login held back: it holds ${second['feature-login']}, which pull request #42's run wrote`
    )
  })
})
