/**
 * A registry written the way `docker login` and login-action take it (issue
 * 37): a URL with a scheme, `/v1/` and a trailing slash is the registry its
 * host names, in `registry` beside username/password and in a `logins` or
 * `registry-auth` entry. The stack's registries speak plain http on 127.0.0.1
 * (test/support/stack-env.ts), so `https://127.0.0.1:5002/v1/` must reach
 * registry B over http, as docker reaches a loopback registry. Judged by the
 * registry's tags over its HTTP API and the plan's login line.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { publishedTags } from './registry-api.js'
import { errorLines, HELLO } from './releases.js'
import { runMain, runPost } from './runner.js'
import { stackEnv, type StackRegistry } from '../support/stack-env.js'
import { runnerEnv, uniqueRepo } from './steps.js'

jest.setTimeout(180_000)

const { a, b } = stackEnv()
/** The push-branch fixture's tag (tickets/DM-42). */
const BRANCH_TAG = 'tickets-DM-42'

const listed = (input: string, registry: StackRegistry, spelled: string) => ({
  [input]: `- registry: ${spelled}\n  username: ${registry.username}\n  password: ${registry.password}`
})

describe('a registry named as docker login takes it publishes', () => {
  it.each([
    {
      name: 'registry: http://host:port/ beside username and password',
      registry: a,
      inputs: {
        registry: `http://${a.host}/`,
        username: a.username,
        password: a.password
      }
    },
    {
      name: 'a logins entry https://host:port/v1/',
      registry: b,
      inputs: listed('logins', b, `https://${b.host}/v1/`)
    },
    {
      name: 'a registry-auth entry (login-action) http://host:port',
      registry: a,
      inputs: listed('registry-auth', a, `http://${a.host}`)
    }
  ])('$name', async ({ registry, inputs }) => {
    const repo = uniqueRepo('registry-names')
    const env = runnerEnv('push-branch')
    const main = await runMain(
      { images: `${registry.host}/${repo}`, context: HELLO, ...inputs },
      env
    )
    await runPost(main, env)
    expect([main.code, ...errorLines(main.stdout)]).toEqual([0])
    expect(await publishedTags(registry, repo)).toEqual([BRANCH_TAG])
    // the one endpoint: the host as docker keeps it, over http (loopback)
    expect(main.stdout).toMatch(
      new RegExp(
        `login +GET http://${registry.host.replace(/\./g, '\\.')}/v2/ as ${registry.username},`
      )
    )
  })
})
