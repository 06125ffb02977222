/**
 * login-action's `logout` input against the real stack: `logout: false`
 * leaves each login in the user's own docker config (or its credential
 * store), where a later step's docker finds it; the default leaves nothing.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { watchCommandLines } from './proc-watch.js'
import { publishedTags } from './registry-api.js'
import { runMain, runPost, type StepResult } from './runner.js'
import {
  auths,
  credentials,
  loginsFor,
  runnerEnv,
  uniqueRepo,
  visibleText
} from './steps.js'
import { writeCredentialHelperConfig } from '../support/credential-helper.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'

jest.setTimeout(120_000)

const HELLO = 'test/fixtures/contexts/hello'
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

/** A later step of the job: docker reads the image with whatever login the user's config holds. */
function laterStepReads(ref: string, env: Record<string, string>) {
  return runDocker(['buildx', 'imagetools', 'inspect', ref], { env })
}

function expectNoSecret(step: StepResult, secret: string) {
  expect(visibleText(step)).not.toContain(secret)
  expect(JSON.stringify(step.state)).not.toContain(secret)
}

describe("login-action's logout input", () => {
  it('logout: false keeps the login in the user docker config, where a later step uses it', async () => {
    const { a } = stack
    const repo = uniqueRepo('logout-false')
    const env = runnerEnv('push-tag')
    const leaks = watchCommandLines(a.password)
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        registry: a.host,
        ...credentials(a),
        logout: 'false',
        context: HELLO
      },
      env
    )
    expect(leaks()).toEqual([])
    expect(main.stderr).toBe('')
    expect(main.code).toBe(0)
    expect(main.stdout).toContain(
      `docker --config ${env.DOCKER_CONFIG} login ${a.host} --username ${a.username} --password-stdin`
    )
    expectNoSecret(main, a.password)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])

    const post = await runPost(main, env)
    expect(post.code).toBe(0)
    expect(auths(env)).toEqual([a.host])
    const later = await laterStepReads(`${a.host}/${repo}:1.2.3`, env)
    expect(later.stderr).toBe('')
    expect(later.code).toBe(0)
    expect(later.stdout).toContain(main.outputs.digest)
  })

  it('logout unset: the user docker config is left as it was, so a later step is refused', async () => {
    const { a } = stack
    const repo = uniqueRepo('logout-default')
    const env = runnerEnv('push-tag')
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        registry: a.host,
        ...credentials(a),
        context: HELLO
      },
      env
    )
    expect(main.code).toBe(0)
    expect(main.stdout).not.toContain('--config')
    await runPost(main, env)
    expect(auths(env)).toEqual([])
    const later = await laterStepReads(`${a.host}/${repo}:1.2.3`, env)
    expect(later.code).not.toBe(0)
    expect(later.stderr).toMatch(/401 Unauthorized|no basic auth credentials/i)
  })

  it("logout: false with a credsStore: each login goes to the user's credential helper, as docker login puts it", async () => {
    const { a, b } = stack
    const repo = uniqueRepo('logout-helper')
    const helper = writeCredentialHelperConfig({
      via: 'credsStore',
      credentials: {}
    })
    const env = runnerEnv('push-tag', helper.env)
    const main = await runMain(
      {
        images: `${a.host}/${repo}\n${b.host}/${repo}`,
        logins: loginsFor(a, b),
        logout: 'false',
        context: HELLO
      },
      env
    )
    expect(main.stderr).toBe('')
    expect(main.code).toBe(0)
    expectNoSecret(main, a.password)
    expectNoSecret(main, b.password)
    await runPost(main, env)
    expect(helper.calls()).toEqual(
      expect.arrayContaining([
        `store ${a.host} ${a.username}`,
        `store ${b.host} ${b.username}`
      ])
    )
    const config = readFileSync(`${helper.configDir}/config.json`, 'utf8')
    expect(config).not.toContain(a.password)
    expect(config).not.toContain(b.password)
    const later = await laterStepReads(`${b.host}/${repo}:1`, env)
    expect(later.code).toBe(0)
    expect(later.stdout).toContain(main.outputs.digest)
  })
})
