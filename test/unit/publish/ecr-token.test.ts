/**
 * ECR's token exchange through the real AWS SDK v3 against the ECR API stand-in
 * (test/support/ecr-api.ts), reached by AWS_ENDPOINT_URL_ECR(_PUBLIC): the keys given, the
 * environment's keys with a session token, AWS_ACCOUNT_IDS, ECR Public, and each refusal.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it
} from '@jest/globals'
import { exchangeEcrLogin } from '../../../src/publish/ecr-token.js'
import type { Login } from '../../../src/settings/logins.js'
import {
  startEcrApi,
  startInstanceMetadata,
  type EcrApi
} from '../../support/ecr-api.js'
import { startServer, unusedPort } from '../../support/http-server.js'
import { request as httpRequest } from 'node:http'

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com:5443'
const OTHER = '210987654321.dkr.ecr.eu-west-1.amazonaws.com:5443'
const PASSWORD = 'registry-password'
const TOKEN = Buffer.from(`AWS:${PASSWORD}`).toString('base64')
const KEYS = {
  AKIAGOOD: { secret: 'good-secret' },
  ASIASESSION: { secret: 'session-secret', sessionToken: 'session-token' },
  ASIAROLE: { secret: 'role-secret', sessionToken: 'role-session' }
}

let api: EcrApi
const saved = { ...process.env }

beforeAll(async () => {
  api = await startEcrApi({
    keys: KEYS,
    password: PASSWORD,
    registryPort: '5443',
    account: '123456789012'
  })
})
afterAll(() => api.close())
afterEach(() => {
  process.env = { ...saved }
  api.calls.length = 0
})

/** The SDK reads the process environment: only what a row gives, no shared config, no IMDS. */
async function useEnv(vars: Record<string, string>): Promise<void> {
  for (const name of Object.keys(process.env))
    if (name.startsWith('AWS_')) delete process.env[name]
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_ECR: api.url,
    AWS_ENDPOINT_URL_ECR_PUBLIC: api.url,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${await unusedPort()}`,
    ...vars
  })
}

const login = (registry: string, username = '', password = ''): Login => ({
  registry,
  username,
  password,
  ecr: true
})

interface TokenCase {
  name: string
  login: Login
  env: Record<string, string>
  logins: Login[]
  call: Record<string, unknown>
}

describe('exchangeEcrLogin: tokens', () => {
  it.each<TokenCase>([
    {
      name: 'keys as username/password',
      login: login(ECR, 'AKIAGOOD', 'good-secret'),
      env: {},
      logins: [{ registry: ECR, username: 'AWS', password: PASSWORD }],
      call: { accessKeyId: 'AKIAGOOD', registryIds: ['123456789012'] }
    },
    {
      name: "the environment's keys with a session token (configure-aws-credentials)",
      login: login(ECR),
      env: {
        AWS_ACCESS_KEY_ID: 'ASIASESSION',
        AWS_SECRET_ACCESS_KEY: 'session-secret',
        AWS_SESSION_TOKEN: 'session-token'
      },
      logins: [{ registry: ECR, username: 'AWS', password: PASSWORD }],
      call: { accessKeyId: 'ASIASESSION', sessionToken: 'session-token' }
    },
    {
      name: 'AWS_ACCOUNT_IDS: a login for each account',
      login: login(ECR, 'AKIAGOOD', 'good-secret'),
      env: { AWS_ACCOUNT_IDS: '210987654321' },
      logins: [
        { registry: ECR, username: 'AWS', password: PASSWORD },
        { registry: OTHER, username: 'AWS', password: PASSWORD }
      ],
      call: { registryIds: ['123456789012', '210987654321'] }
    },
    {
      name: 'ECR Public, the region from AWS_REGION',
      login: login('public.ecr.aws', 'AKIAGOOD', 'good-secret'),
      env: { AWS_REGION: 'us-west-2' },
      logins: [
        { registry: 'public.ecr.aws', username: 'AWS', password: PASSWORD }
      ],
      call: {
        target: 'SpencerFrontendService.GetAuthorizationToken',
        service: 'ecr-public',
        region: 'us-west-2'
      }
    }
  ])('$name', async ({ login, env, logins, call }) => {
    await useEnv(env)
    const masked: string[] = []
    const got = await exchangeEcrLogin(login, process.env, s => masked.push(s))
    expect(got).toEqual(logins)
    expect(api.calls).toEqual([expect.objectContaining(call)])
    expect(masked).toEqual(expect.arrayContaining([TOKEN, PASSWORD]))
  })

  it('signs for ECR in the region of the name', async () => {
    await useEnv({})
    await exchangeEcrLogin(
      login(ECR, 'AKIAGOOD', 'good-secret'),
      process.env,
      () => {}
    )
    expect(api.calls[0]).toMatchObject({
      target: 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
      service: 'ecr',
      region: 'eu-west-1'
    })
  })
})

describe('exchangeEcrLogin: the instance role of a runner on EC2', () => {
  it('takes the role credentials from IMDSv2', async () => {
    const imds = await startInstanceMetadata({
      name: 'runner-role',
      id: 'ASIAROLE',
      secret: 'role-secret',
      sessionToken: 'role-session'
    })
    try {
      await useEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url })
      const got = await exchangeEcrLogin(login(ECR), process.env, () => {})
      expect(got).toEqual([
        { registry: ECR, username: 'AWS', password: PASSWORD }
      ])
      expect(api.calls).toEqual([
        expect.objectContaining({
          accessKeyId: 'ASIAROLE',
          sessionToken: 'role-session'
        })
      ])
    } finally {
      await imds.close()
    }
  })
})

describe('exchangeEcrLogin: refusals', () => {
  it.each([
    {
      name: 'a wrong secret',
      login: login(ECR, 'AKIAGOOD', 'wrong-secret'),
      error:
        /^ECR login to 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com:5443 failed: AWS answered InvalidSignatureException: The request signature we calculated does not match/
    },
    {
      name: 'an unknown access key',
      login: login(ECR, 'AKIAUNKNOWN', 'secret'),
      error:
        /failed: AWS answered UnrecognizedClientException: The security token included in the request is invalid/
    },
    {
      name: 'no credentials anywhere',
      login: login(ECR),
      error:
        /^input "ecr": invalid value "auto": 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com:5443 is an ECR registry and no AWS credentials were found .*give the access key ID as username.*aws-actions\/configure-aws-credentials/
    }
  ])('$name', async ({ login, error }) => {
    await useEnv({})
    await expect(
      exchangeEcrLogin(login, process.env, () => {})
    ).rejects.toThrow(error)
  })
})

describe("exchangeEcrLogin: the environment's proxy", () => {
  it('asks AWS through HTTP_PROXY, as login-action does', async () => {
    const seen: string[] = []
    // a forward proxy: the request line carries the absolute URL of AWS's endpoint
    const proxy = await startServer((request, response) => {
      seen.push(`${request.method} ${request.url}`)
      const target = new URL(String(request.url))
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: request.method,
          headers: request.headers
        },
        answer => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      request.pipe(forwarded)
    })
    try {
      await useEnv({ HTTP_PROXY: `http://${proxy.host}` })
      const got = await exchangeEcrLogin(
        login(ECR, 'AKIAGOOD', 'good-secret'),
        process.env,
        () => undefined
      )
      expect(got).toEqual([
        { registry: ECR, username: 'AWS', password: PASSWORD }
      ])
      expect(seen).toEqual([`POST ${api.url}/`])
    } finally {
      await proxy.close()
    }
  })
})
