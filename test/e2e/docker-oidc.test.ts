/**
 * Docker Hub's OIDC login (login-action v4.5) end to end: an empty password with
 * DOCKERHUB_OIDC_CONNECTIONID set; the action asks the runner's ID-token endpoint for a token
 * with Docker's audience and exchanges it at the identity stand-in
 * (test/support/docker-identity.ts, reached through DPA_DOCKER_IDENTITY_URL), then publishes to
 * the stack's registry E under the name dhi.io (one of login-action's Docker Hub names; the
 * stand-in's access token is registry E's password for its one user, AWS). Without
 * `id-token: write` (no ACTIONS_ID_TOKEN_REQUEST_*) the run fails first, saying so; a fork's pull
 * request, which GitHub gives no ID token, skips the login with the empty secret's one notice and
 * builds (issue 55).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { listTagsOverTls } from './registry-api.js'
import { runMain } from './runner.js'
import { forkPullRequest, runnerEnv, uniqueRepo, visibleText } from './steps.js'
import {
  startDockerIdentity,
  type DockerIdentity
} from '../support/docker-identity.js'
import {
  ecrStackRegistry,
  type StackEcrRegistry
} from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
const CONNECTION = '3f1c9a52-7e4b-4d2a-9c61-0b8e5d7a2f10'

let e: StackEcrRegistry
let identity: DockerIdentity

beforeAll(async () => {
  e = ecrStackRegistry()
  identity = await startDockerIdentity({
    connectionId: CONNECTION,
    accessToken: e.password
  })
})
afterAll(() => identity.close())

const tags = (host: string, repo: string) => listTagsOverTls(e, host, repo)

describe('Docker Hub by OIDC', () => {
  it('exchanges the job ID token and publishes with the access token', async () => {
    const repo = uniqueRepo('hub-oidc')
    const main = await runMain(
      {
        images: `${e.dhi}/${repo}`,
        username: 'AWS',
        password: '',
        context: HELLO,
        // the job's ID token turns GitHub's attestations on: github-attestations.test.ts has them
        'github-attestations': 'false'
      },
      runnerEnv('push-tag', {
        NODE_EXTRA_CA_CERTS: e.ca,
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        DPA_DOCKER_IDENTITY_URL: identity.identityUrl,
        ...identity.runnerEnv
      })
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await tags(e.dhi, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(identity.exchanges).toEqual([
      expect.objectContaining({ connection_id: CONNECTION, expires_in: '300' })
    ])
    const readable = [
      visibleText(main),
      readFileSync(join(main.dir, 'state'), 'utf8')
    ].join('\n')
    for (const secret of [
      e.password,
      Buffer.from(`AWS:${e.password}`).toString('base64'),
      identity.exchanges[0].subject_token
    ])
      expect(readable).not.toContain(secret)
  })

  it('without id-token: write, one error saying so, before any build', async () => {
    const repo = uniqueRepo('hub-oidc-no-token')
    const main = await runMain(
      {
        images: `${e.dhi}/${repo}`,
        username: 'AWS',
        password: '',
        context: HELLO
      },
      runnerEnv('push-tag', {
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        DPA_DOCKER_IDENTITY_URL: identity.identityUrl
      })
    )
    expect(main.code).toBe(1)
    expect(
      main.stdout.split('\n').filter(line => line.startsWith('::error::'))
    ).toEqual([
      expect.stringContaining('give the job "permissions: id-token: write"')
    ])
    expect(main.stdout).not.toMatch(/^build {5}/m)
    expect(await tags(e.dhi, repo)).toEqual([])
  })

  it("a fork's pull request (no ID token): the login skipped with one notice, the build goes on", async () => {
    const repo = uniqueRepo('hub-oidc-fork')
    const exchanges = identity.exchanges.length
    const main = await runMain(
      {
        images: `${e.dhi}/${repo}`,
        username: 'AWS',
        password: '',
        context: HELLO,
        push: 'false'
      },
      {
        ...forkPullRequest(
          'feature/login',
          'cccc3333cccc3333cccc3333cccc3333cccc3333'
        ),
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        DPA_DOCKER_IDENTITY_URL: identity.identityUrl
      }
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(
      main.stdout.split('\n').filter(line => line.startsWith('::notice::'))
    ).toEqual([
      `::notice::Login to ${e.dhi} skipped: input "password" gave an empty password on a ` +
        `pull_request event (GitHub gives a fork's pull request no secrets); reads from ` +
        `${e.dhi} go without credentials`
    ])
    expect(main.stdout).toMatch(/^build {5}/m)
    expect(identity.exchanges).toHaveLength(exchanges)
    expect(await tags(e.dhi, repo)).toEqual([])
  })
})
