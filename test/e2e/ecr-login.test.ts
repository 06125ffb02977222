/**
 * ECR's login as login-action makes it, end to end: the bundled action asks the ECR API
 * stand-in (test/support/ecr-api.ts, which checks the SigV4 signature) for a token through the
 * AWS SDK, and publishes to the stack's registry E under ECR's names (TLS with the stack's CA,
 * user AWS): with keys as username/password, with only the AWS environment (a session token, as
 * configure-aws-credentials leaves it), and to ECR Public's name. Wrong keys and no credentials
 * fail before any build with one line naming the registry and the cause; no secret (keys, token,
 * docker's base64 form) shows in the log, the outputs, the summary or the state.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { listTagsOverTls } from './registry-api.js'
import { runMain, type StepResult } from './runner.js'
import { auths, runnerEnv, uniqueRepo, visibleText } from './steps.js'
import { startEcrApi, startSts, type EcrApi } from '../support/ecr-api.js'
import { unusedPort } from '../support/http-server.js'
import {
  ecrStackRegistry,
  type StackEcrRegistry
} from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
const KEY = { id: 'AKIAE2EEXAMPLEKEY', secret: 'e2e-secret-0c9f2a' }
const SESSION = {
  id: 'ASIAE2EEXAMPLESES',
  secret: 'session-secret-7b1e',
  token: 'session-token-55aa'
}

const ROLE = {
  arn: 'arn:aws:iam::123456789012:role/publisher',
  webIdentityToken: 'web-identity-token-9d1c',
  id: 'ASIAE2EWEBIDENTITY',
  secret: 'web-identity-secret-41f0',
  sessionToken: 'web-identity-session-77c2'
}

let e: StackEcrRegistry
let api: EcrApi
let sts: Awaited<ReturnType<typeof startSts>>
let awsEnv: Record<string, string>
let tokenFile: string

beforeAll(async () => {
  e = ecrStackRegistry()
  api = await startEcrApi({
    keys: {
      [KEY.id]: { secret: KEY.secret },
      [SESSION.id]: { secret: SESSION.secret, sessionToken: SESSION.token },
      [ROLE.id]: { secret: ROLE.secret, sessionToken: ROLE.sessionToken }
    },
    password: e.password,
    registryPort: e.host.split(':')[1],
    account: '123456789012'
  })
  sts = await startSts(ROLE)
  tokenFile = join(mkdtempSync(join(tmpdir(), 'dpa-web-identity-')), 'token')
  writeFileSync(tokenFile, ROLE.webIdentityToken)
  awsEnv = {
    AWS_ENDPOINT_URL_ECR: api.url,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ENDPOINT_URL_ECR_PUBLIC: api.url,
    NODE_EXTRA_CA_CERTS: e.ca,
    // nothing of this machine's: no shared files, no instance metadata
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${await unusedPort()}`
  }
})
afterAll(async () => {
  await api.close()
  await sts.close()
  rmSync(dirname(tokenFile), { recursive: true, force: true })
})

const tags = (host: string, repo: string) => listTagsOverTls(e, host, repo)

/** Every form a secret of these runs could take. */
function secrets(): string[] {
  return [
    KEY.secret,
    SESSION.secret,
    SESSION.token,
    ROLE.secret,
    ROLE.sessionToken,
    ROLE.webIdentityToken,
    e.password,
    Buffer.from(`AWS:${e.password}`).toString('base64')
  ]
}

function expectNoSecret(main: StepResult): void {
  const readable = [
    visibleText(main),
    readFileSync(join(main.dir, 'state'), 'utf8')
  ].join('\n')
  for (const secret of secrets()) expect(readable).not.toContain(secret)
}

interface ReleaseCase {
  name: string
  registry: () => string
  inputs: Record<string, string>
  env: Record<string, string>
  key: string
}

describe('ECR: a release lands the asked tags', () => {
  it.each<ReleaseCase>([
    {
      name: 'keys as username/password',
      registry: () => e.host,
      inputs: { username: KEY.id, password: KEY.secret },
      env: {},
      key: KEY.id
    },
    {
      name: 'only registry: and the AWS environment with a session token',
      registry: () => e.host,
      inputs: { registry: '' },
      env: {
        AWS_ACCESS_KEY_ID: SESSION.id,
        AWS_SECRET_ACCESS_KEY: SESSION.secret,
        AWS_SESSION_TOKEN: SESSION.token
      },
      key: SESSION.id
    },
    {
      name: 'only registry: and a web identity token file (the AWS chain asks STS for the role)',
      registry: () => e.host,
      inputs: { registry: '' },
      env: {
        AWS_WEB_IDENTITY_TOKEN_FILE: '<token file>',
        AWS_ROLE_ARN: ROLE.arn
      },
      key: ROLE.id
    },
    {
      name: "ECR Public's name with keys",
      registry: () => e.public,
      inputs: { username: KEY.id, password: KEY.secret, registry: '' },
      env: {},
      key: KEY.id
    }
  ])('$name', async ({ registry, inputs, env, key }) => {
    const host = registry()
    const repo = uniqueRepo('ecr')
    api.calls.length = 0
    const main = await runMain(
      {
        images: `${host}/${repo}`,
        context: HELLO,
        ...inputs,
        ...(inputs.registry === '' && { registry: host })
      },
      runnerEnv('push-tag', {
        ...awsEnv,
        ...env,
        ...(env.AWS_WEB_IDENTITY_TOKEN_FILE && {
          AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile
        })
      })
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await tags(host, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(api.calls).toEqual([expect.objectContaining({ accessKeyId: key })])
    expectNoSecret(main)
  })
})

describe('ECR with logout: false: docker login --password-stdin keeps the token', () => {
  it("writes the ECR login to the user's docker config, as docker login does", async () => {
    const repo = uniqueRepo('ecr-keep')
    const env = runnerEnv('push-tag', awsEnv)
    const main = await runMain(
      {
        images: `${e.host}/${repo}`,
        context: HELLO,
        username: KEY.id,
        password: KEY.secret,
        logout: 'false'
      },
      env
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    // the engine's docker login reached registry E over TLS (certs.d) with AWS and the token
    expect(main.stdout).toContain(
      `login ${e.host} --username AWS --password-stdin`
    )
    expect(auths(env)).toEqual([e.host])
    expect(await tags(e.host, repo)).toEqual(['1', '1.2', '1.2.3'])
    expectNoSecret(main)
  })
})

describe('ECR: refusals, before any build', () => {
  it.each([
    {
      name: 'wrong keys: the registry and the AWS error',
      inputs: { username: KEY.id, password: 'not-the-secret-3e3e' },
      error: `::error::ECR login to \${host} failed: AWS answered InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.`
    },
    {
      name: 'no credentials anywhere: ecr named, and the way out',
      inputs: { registry: '' },
      error: `::error::input "ecr": invalid value "auto": \${host} is an ECR registry and no AWS credentials were found`
    }
  ])('$name', async ({ inputs, error }) => {
    const host = e.host
    const repo = uniqueRepo('ecr-refused')
    const main = await runMain(
      {
        images: `${host}/${repo}`,
        context: HELLO,
        ...inputs,
        ...(inputs.registry === '' && { registry: host })
      },
      runnerEnv('push-tag', awsEnv)
    )
    expect(main.code).toBe(1)
    const errors = main.stdout
      .split('\n')
      .filter(line => line.startsWith('::error::'))
    expect(errors).toEqual([
      expect.stringContaining(error.replace('${host}', host))
    ])
    expect(main.stdout).not.toMatch(/^build {5}/m)
    expect(await tags(host, repo)).toEqual([])
    expectNoSecret(main)
    expect(visibleText(main)).not.toContain('not-the-secret-3e3e')
  })
})
