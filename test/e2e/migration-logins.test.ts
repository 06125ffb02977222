import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { publishedTags } from './registry-api.js'
import { runMain, runPost } from './runner.js'
import { pushTestImage } from '../support/registry-seed.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { runnerEnv, uniqueRepo, visibleText } from './steps.js'

// Logins as the trio has them: login-action's step is guarded off on a fork's
// pull request (its secret is empty), and it logs in whether or not anything
// is pushed, so a build with push: false still reads a private FROM.

let stack: StackEnv
let base: string
let context: string
const loaded: string[] = []

beforeAll(async () => {
  stack = stackEnv()
  // a base image only registry B's user can read (the stack's registries
  // want credentials for every read)
  const repo = uniqueRepo('private-base')
  await pushTestImage(stack.b, repo, { tags: ['1'] })
  base = `${stack.b.host}/${repo}:1`
  context = mkdtempSync(join(tmpdir(), 'dpa-private-base-'))
  writeFileSync(
    join(context, 'Dockerfile'),
    'ARG BASE\nFROM ${BASE}\nCOPY app.txt /app.txt\n'
  )
  writeFileSync(join(context, 'app.txt'), 'app\n')
})

afterAll(() => {
  for (const ref of loaded)
    execFileSync('docker', ['image', 'rm', '--force', ref], { stdio: 'ignore' })
})

async function step(
  inputs: Record<string, string>,
  event: 'pull-request' | 'push-branch'
) {
  const env = runnerEnv(event)
  const main = await runMain(inputs, env)
  await runPost(main, env)
  return main
}

const NOTICE =
  /::notice::Login to (\S+) skipped: input "password" gave an empty password on a pull_request event/

/** A fork's pull request: the password secret is empty, as GitHub gives it. */
function forkPullRequest(repo: string, push: string) {
  const { a } = stack
  return step(
    {
      images: `${a.host}/${repo}`,
      registry: a.host,
      username: a.username,
      password: '',
      context: 'test/fixtures/contexts/hello',
      push
    },
    'pull-request'
  )
}

describe("a fork's pull request: the secret is empty", () => {
  it('push: false builds, with one notice that the login was skipped', async () => {
    const { a } = stack
    const repo = uniqueRepo('fork-pr')
    const main = await forkPullRequest(repo, 'false')
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(main.stdout.match(new RegExp(NOTICE, 'g'))).toHaveLength(1)
    expect(main.stdout).toMatch(NOTICE)
    expect(main.outputs.tags).toBe(`${a.host}/${repo}:pr-42`)
    expect(await publishedTags(a, repo)).toEqual([])
  })

  it('push: true fails at the push, saying the password was empty', async () => {
    const { a } = stack
    const repo = uniqueRepo('fork-pr-push')
    const main = await forkPullRequest(repo, 'true')
    expect(main.code).not.toBe(0)
    expect(main.stdout).toMatch(NOTICE)
    expect(main.stdout).toMatch(
      new RegExp(
        `::error::registry ${a.host.replace(/\./g, '\\.')} asked for credentials and none were offered: its login was skipped because the password was empty`
      )
    )
    expect(visibleText(main)).not.toMatch(/wrong username or password/)
    expect(await publishedTags(a, repo)).toEqual([])
  })
})

describe('a private base image with push: false and load: true', () => {
  it("logs in to the base image's registry and loads the image", async () => {
    const { a, b } = stack
    const repo = uniqueRepo('private-base-load')
    const main = await step(
      {
        // docker/metadata-action
        images: `${a.host}/${repo}`,
        tags: 'type=ref,event=branch',
        // docker/login-action: the registry the base image comes from
        registry: b.host,
        username: b.username,
        password: b.password,
        // docker/build-push-action
        context,
        'build-args': `BASE=${base}`,
        push: 'false',
        load: 'true'
      },
      'push-branch'
    )
    const ref = `${a.host}/${repo}:tickets-DM-42`
    loaded.push(ref)
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(main.outputs.tags).toBe(ref)
    const files = execFileSync('docker', [
      'image',
      'inspect',
      '--format',
      '{{len .RootFS.Layers}}',
      ref
    ])
    // the base's layer and ours: FROM was read with B's credentials
    expect(files.toString().trim()).toBe('2')
    expect(await publishedTags(a, repo)).toEqual([])
  })

  it('without a login for it, the 401 says no credentials were offered', async () => {
    const { a } = stack
    const repo = uniqueRepo('private-base-nologin')
    const main = await step(
      {
        images: `${a.host}/${repo}`,
        context,
        'build-args': `BASE=${base}`,
        push: 'false',
        load: 'true'
      },
      'push-branch'
    )
    expect(main.code).not.toBe(0)
    expect(main.stdout).toMatch(
      `::error::registry ${stack.b.host} asked for credentials and this run has no login for it`
    )
    expect(visibleText(main)).not.toMatch(/wrong username or password/)
  })
})
