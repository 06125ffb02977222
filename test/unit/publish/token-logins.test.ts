import { describe, expect, it } from '@jest/globals'
import {
  exchangeTokenLogins,
  withDockerOidc
} from '../../../src/publish/token-logins.js'
import { parseSettings } from '../../../src/settings/settings.js'

// login-action v4.5's rule (src/dockerhub.ts isDockerHubOIDC): DOCKERHUB_OIDC_CONNECTIONID set,
// the password empty, the registry one of Docker Hub's names.
const CONNECTION = '3f1c9a52-7e4b-4d2a-9c61-0b8e5d7a2f10'
const ID_TOKEN = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/idtoken?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
}

const settingsFor = (images: string) =>
  parseSettings((name: string) =>
    name === 'images' ? images : name === 'username' ? 'acme' : ''
  )

describe('withDockerOidc: which empty passwords become OIDC logins', () => {
  it.each([
    {
      name: 'Docker Hub with a connection ID',
      images: 'acme/app',
      env: { DOCKERHUB_OIDC_CONNECTIONID: CONNECTION, ...ID_TOKEN },
      oidc: ['docker.io']
    },
    {
      name: 'dhi.io with a connection ID',
      images: 'dhi.io/acme/app',
      env: { DOCKERHUB_OIDC_CONNECTIONID: CONNECTION, ...ID_TOKEN },
      oidc: ['dhi.io']
    },
    {
      name: 'another registry: the empty password stays an empty secret',
      images: 'ghcr.io/acme/app',
      env: { DOCKERHUB_OIDC_CONNECTIONID: CONNECTION, ...ID_TOKEN },
      oidc: []
    },
    {
      name: 'no connection ID: the empty password stays an empty secret',
      images: 'acme/app',
      env: { ...ID_TOKEN },
      oidc: []
    },
    {
      name: "a fork's pull request, no ID token: an empty secret (its login skipped, one notice)",
      images: 'acme/app',
      env: {
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        GITHUB_EVENT_NAME: 'pull_request'
      },
      oidc: []
    },
    {
      name: 'a pull request given the ID token (not a fork): OIDC',
      images: 'acme/app',
      env: {
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        GITHUB_EVENT_NAME: 'pull_request',
        ...ID_TOKEN
      },
      oidc: ['docker.io']
    }
  ])('$name', async ({ images, env, oidc }) => {
    const settings = withDockerOidc(await settingsFor(images), env)
    expect(
      settings.logins.filter(l => l.dockerOidc).map(l => l.registry)
    ).toEqual(oidc)
    expect(settings.emptyLogins).toHaveLength(oidc.length === 0 ? 1 : 0)
  })
})

describe('withDockerOidc: errors before anything runs', () => {
  it.each([
    {
      name: 'no ID token offered (no id-token: write)',
      env: { DOCKERHUB_OIDC_CONNECTIONID: CONNECTION },
      error:
        /needs the job's ID token.*give the job "permissions: id-token: write"/
    },
    {
      name: 'pull_request_target without an ID token (it is given secrets, so no fork rule)',
      env: {
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        GITHUB_EVENT_NAME: 'pull_request_target'
      },
      error: /needs the job's ID token/
    },
    {
      name: 'a push without an ID token',
      env: {
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        GITHUB_EVENT_NAME: 'push'
      },
      error: /needs the job's ID token/
    },
    {
      name: 'a connection ID that is not a UUID',
      env: { DOCKERHUB_OIDC_CONNECTIONID: 'my-connection', ...ID_TOKEN },
      error: /DOCKERHUB_OIDC_CONNECTIONID "my-connection" is not a UUID/
    },
    {
      name: 'an expiry beyond an hour',
      env: {
        DOCKERHUB_OIDC_CONNECTIONID: CONNECTION,
        DOCKERHUB_OIDC_EXPIREIN: '7200',
        ...ID_TOKEN
      },
      error:
        /DOCKERHUB_OIDC_EXPIREIN "7200": expected whole seconds from 300 to 3600/
    }
  ])('$name', async ({ env, error }) => {
    const settings = await settingsFor('acme/app')
    expect(() => withDockerOidc(settings, env)).toThrow(error)
  })
})

describe('exchangeTokenLogins: a dry run that cannot get a token', () => {
  it('warns, and goes on without that login', async () => {
    const saved = { ...process.env }
    // the AWS SDK reads the process environment: no keys, files or metadata service here
    for (const name of Object.keys(process.env))
      if (name.startsWith('AWS_')) delete process.env[name]
    Object.assign(process.env, {
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_EC2_METADATA_DISABLED: 'true'
    })
    try {
      const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
      const settings = {
        ...(await settingsFor(`${ecr}/app`)),
        dryRun: true,
        logins: [{ registry: ecr, username: '', password: '', ecr: true }]
      }
      const warnings: string[] = []
      const log = {
        info: () => {},
        mask: () => {},
        warning: (line: string) => warnings.push(line)
      } as unknown as Parameters<typeof exchangeTokenLogins>[1]['log']
      const got = await exchangeTokenLogins(settings, { env: process.env, log })
      expect(got.logins).toEqual([])
      expect(warnings).toEqual([
        expect.stringMatching(
          /no AWS credentials were found.*; the dry run goes without it$/
        )
      ])
    } finally {
      process.env = saved
    }
  })
})
