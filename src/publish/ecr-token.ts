/**
 * ECR's logins, as docker/login-action makes them (its src/aws.ts): GetAuthorizationToken through
 * the AWS SDK v3, whose default chain finds the credentials where no keys are given (environment
 * with session token, web identity token file, shared config, the EC2 instance role). The SDK
 * reads the process environment itself (AWS_*, and AWS_ENDPOINT_URL_ECR(_PUBLIC) for another
 * endpoint). This module and the SDK are a dist chunk of their own, loaded only on an ECR run.
 */
import {
  ECRClient,
  GetAuthorizationTokenCommand,
  type AuthorizationData
} from '@aws-sdk/client-ecr'
import {
  ECRPUBLICClient,
  GetAuthorizationTokenCommand as GetPublicAuthorizationTokenCommand
} from '@aws-sdk/client-ecr-public'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { errorMessage, InputError } from '../errors/input-error.js'
import { registryName } from '../reference/repository.js'
import { ecrRegistry, type EcrRegistry } from '../settings/ecr-registry.js'
import type { Login } from '../settings/logins.js'

/** The clients' settings: the keys given, the region, the environment's proxies. */
function clientConfig(login: Login, region: string, env: NodeJS.ProcessEnv) {
  const httpProxy = env.http_proxy || env.HTTP_PROXY
  const httpsProxy = env.https_proxy || env.HTTPS_PROXY
  return {
    region,
    customUserAgent: 'docker-publish-action',
    // both empty: the SDK's default chain
    ...(login.username !== '' && {
      credentials: {
        accessKeyId: login.username,
        secretAccessKey: login.password
      }
    }),
    requestHandler: new NodeHttpHandler({
      httpAgent: httpProxy ? new HttpProxyAgent(httpProxy) : undefined,
      httpsAgent: httpsProxy ? new HttpsProxyAgent(httpsProxy) : undefined
    })
  }
}

/**
 * ECR's tokens for a registry: ECR Public's one, or one per account (the registry's,
 * AWS_ACCOUNT_IDS).
 */
async function authorizationData(
  login: Login,
  target: EcrRegistry,
  env: NodeJS.ProcessEnv
): Promise<AuthorizationData[]> {
  if (target.kind === 'public') {
    // ECR Public's API answers in us-east-1; login-action lets AWS_REGION choose
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'
    const client = new ECRPUBLICClient(clientConfig(login, region, env))
    const answer = await client.send(new GetPublicAuthorizationTokenCommand())
    return answer.authorizationData ? [answer.authorizationData] : []
  }
  // a plain list of account IDs, split at commas as login-action splits it
  const ids = [target.account, ...(env.AWS_ACCOUNT_IDS ?? '').split(',')]
  const accounts = [...new Set(ids.map(id => id.trim()))].filter(
    id => id !== ''
  )
  const client = new ECRClient(clientConfig(login, target.region, env))
  const command = new GetAuthorizationTokenCommand({ registryIds: accounts })
  return (await client.send(command)).authorizationData ?? []
}

/** Why no token came: no credentials anywhere (the way out said), or AWS's own refusal. */
function exchangeFailure(registry: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error'
  const message = errorMessage(error)
  if (name === 'CredentialsProviderError')
    return new InputError(
      'ecr',
      'auto',
      `${registry} is an ECR registry and no AWS credentials were found (${message}): give the ` +
        `access key ID as username and the secret access key as password, run ` +
        `aws-actions/configure-aws-credentials before this step, or set ecr: false and give a ` +
        `password`
    )
  // an answer of AWS's carries its HTTP status; anything else never reached it
  const answered = (error as { $metadata?: { httpStatusCode?: number } })
    .$metadata?.httpStatusCode
  const why =
    answered === undefined
      ? `AWS's API could not be reached: ${message}`
      : `AWS answered ${name}: ${message}`
  return new Error(`ECR login to ${registry} failed: ${why}`, { cause: error })
}

/** The registry a token is for: the asked one for its account, else the token's endpoint. */
function tokenRegistry(login: Login, target: EcrRegistry, endpoint: string) {
  const host = registryName(endpoint)
  const sameAccount =
    target.kind === 'public' ||
    (ecrRegistry(host)?.kind === 'private' &&
      host.startsWith(`${target.account}.`))
  return sameAccount || host === '' ? login.registry : host
}

/** An ECR login's token(s) as docker logins (`AWS` and the password), each masked as it is read. */
export async function exchangeEcrLogin(
  login: Login,
  env: NodeJS.ProcessEnv,
  mask: (secret: string) => void
): Promise<Login[]> {
  const target = ecrRegistry(login.registry)
  if (target === undefined) return [login]
  const data = await authorizationData(login, target, env).catch(error => {
    throw exchangeFailure(login.registry, error)
  })
  if (data.length === 0)
    throw new Error(`ECR login to ${login.registry}: AWS gave no token`)
  return data.map(({ authorizationToken = '', proxyEndpoint = '' }) => {
    mask(authorizationToken)
    const decoded = Buffer.from(authorizationToken, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const password = decoded.slice(colon + 1)
    mask(password)
    return {
      registry: tokenRegistry(login, target, proxyEndpoint),
      username: decoded.slice(0, colon),
      password
    }
  })
}
