/**
 * The credential-helper fixture with the real docker CLI: a docker config
 * without `auths`, whose credHelpers / credsStore name the fixture, lets
 * docker push and buildx push to registry A; the fixture's log shows that
 * docker asked it.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { listTags } from './registry-api.js'
import { uniqueRepo } from './steps.js'
import { writeCredentialHelperConfig } from '../support/credential-helper.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv } from '../support/stack-env.js'

jest.setTimeout(60_000)

const { a: A } = stackEnv()
const aliceOnA = {
  [A.host]: { username: A.username, password: A.password }
}
const localTags: string[] = []

/** Tags the stack base image for registry A in the (main) daemon. */
async function tagBase(repo: string): Promise<string> {
  const ref = `${A.host}/${repo}:1`
  const tag = await runDocker(['tag', 'local/busybox:latest', ref])
  expect(tag.code).toBe(0)
  localTags.push(ref)
  return ref
}

afterAll(async () => {
  if (localTags.length > 0) await runDocker(['rmi', ...localTags])
})

describe('the credential-helper fixture with docker', () => {
  it.each([
    { name: 'credHelpers', via: 'credHelpers' as const },
    { name: 'credsStore', via: 'credsStore' as const }
  ])('docker push finds the credentials through $name', async ({ via }) => {
    const helper = writeCredentialHelperConfig({ via, credentials: aliceOnA })
    const repo = uniqueRepo('cred-helper')
    const push = await runDocker(['push', await tagBase(repo)], {
      env: helper.env,
      retryRegistry500: true
    })
    expect(push.stderr).toBe('')
    expect(push.code).toBe(0)
    expect(helper.calls()).toContain(`get ${A.host}`)
    expect(await listTags(A, repo)).toEqual(['1'])
  })

  it('buildx build --push finds the credentials through credHelpers', async () => {
    const helper = writeCredentialHelperConfig({
      via: 'credHelpers',
      credentials: aliceOnA
    })
    const repo = uniqueRepo('cred-helper')
    const build = await runDocker(
      [
        'buildx',
        'build',
        '--push',
        '--tag',
        `${A.host}/${repo}:1`,
        'test/fixtures/contexts/hello'
      ],
      { env: helper.env, retryRegistry500: true }
    )
    expect(build.stderr).not.toMatch(/^ERROR/m)
    expect(build.code).toBe(0)
    expect(helper.calls()).toContain(`get ${A.host}`)
    expect(await listTags(A, repo)).toEqual(['1'])
  })

  it('docker push fails with the wrong password the helper gives', async () => {
    const helper = writeCredentialHelperConfig({
      via: 'credHelpers',
      credentials: { [A.host]: { username: A.username, password: 'Wr0ng' } }
    })
    const push = await runDocker(
      ['push', await tagBase(uniqueRepo('cred-helper'))],
      { env: helper.env }
    )
    expect(push.code).toBe(1)
    expect(push.stderr).toMatch(/unauthorized/i)
    expect(helper.calls()).toContain(`get ${A.host}`)
  })

  it('store and erase go through the fixture on docker login and logout', async () => {
    const helper = writeCredentialHelperConfig({
      via: 'credsStore',
      credentials: {}
    })
    const login = await runDocker(
      ['login', A.host, '--username', A.username, '--password-stdin'],
      { env: helper.env, input: A.password }
    )
    expect(login.code).toBe(0)
    const logout = await runDocker(['logout', A.host], { env: helper.env })
    expect(logout.code).toBe(0)
    expect(helper.calls()).toEqual(
      expect.arrayContaining([
        `store ${A.host} ${A.username}`,
        `erase ${A.host}`
      ])
    )
    expect(helper.calls().join('\n')).not.toContain(A.password)
  })
})
