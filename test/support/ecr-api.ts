/**
 * A stand-in for Amazon ECR's and ECR Public's API (GetAuthorizationToken only), reached by the
 * AWS SDK v3 through its endpoint override (AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_ECR_PUBLIC:
 * @smithy/core's getEndpointUrlConfig reads AWS_ENDPOINT_URL_<SERVICE ID>). What it rests on:
 * - the protocol is awsJson1_1 (the clients' models): POST / with X-Amz-Target
 *   `AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken` (ECR) or
 *   `SpencerFrontendService.GetAuthorizationToken` (ECR Public), a JSON body;
 * - the request is signed with SigV4 for the service `ecr` or `ecr-public` (the clients'
 *   defaultSigningName); the signature is recomputed here with @smithy/signature-v4 from the
 *   signed headers and the secret of the access key named in the credential scope;
 * - refusals are HTTP 400 with `{"__type", "message"}` and x-amzn-ErrorType, as AWS's JSON
 *   protocols answer: an unknown key is UnrecognizedClientException ("The security token included
 *   in the request is invalid."), a wrong secret InvalidSignatureException (AWS's "Common Errors");
 * - the answer: ECR's authorizationData is a list, one per registry id asked (the caller's own
 *   account when none), each with authorizationToken = base64("AWS:<password>"), expiresAt
 *   (epoch seconds) and proxyEndpoint `https://<account>.dkr.ecr.<region>.amazonaws.com`; ECR
 *   Public's is one object without proxyEndpoint (the API reference of each).
 * The stack's registry E answers under those names on a port: the endpoint gets that port.
 */
import { createHash, createHmac } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SignatureV4 } from '@smithy/signature-v4'
import { startServer, type TestServer } from './http-server.js'

/** What each call asked, for the tests to check. */
interface EcrCall {
  target: string
  accessKeyId: string
  region: string
  service: string
  sessionToken?: string
  registryIds?: string[]
}

export interface EcrApi extends TestServer {
  /** http://host:port, for AWS_ENDPOINT_URL_ECR(_PUBLIC). */
  url: string
  calls: EcrCall[]
}

export interface EcrApiOptions {
  /** Access key ID -> secret access key (and a session token it needs, if any). */
  keys: Record<string, { secret: string; sessionToken?: string }>
  /** The registry password the tokens carry (registry E's, for the user AWS). */
  password: string
  /** The port the proxyEndpoint names (registry E's); the account of the caller's key. */
  registryPort: string
  account: string
}

type SourceData = string | ArrayBuffer | ArrayBufferView

const bytes = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data)

/** node:crypto as the signer's hash (an HMAC when given a secret). */
class Sha256 {
  private hash
  constructor(secret?: SourceData) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', bytes(secret))
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data))
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()))
  }
  reset(): void {}
}

function refuse(response: ServerResponse, type: string, message: string) {
  response.writeHead(400, {
    'Content-Type': 'application/x-amz-json-1.1',
    'x-amzn-ErrorType': type
  })
  response.end(JSON.stringify({ __type: type, message }))
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/

/** The signature recomputed over the request's signed headers with the key's secret. */
async function expectedSignature(
  request: IncomingMessage,
  body: string,
  scope: { region: string; service: string; signed: string[] },
  key: { id: string; secret: string; sessionToken?: string }
): Promise<string> {
  const headers = Object.fromEntries(
    scope.signed.map(name => [name, String(request.headers[name] ?? '')])
  )
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: key.id,
      secretAccessKey: key.secret,
      sessionToken: key.sessionToken
    },
    region: scope.region,
    service: scope.service,
    sha256: Sha256,
    applyChecksum: scope.signed.includes('x-amz-content-sha256')
  })
  const date = String(request.headers['x-amz-date'])
  const signingDate = new Date(
    date.replace(
      /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
      '$1-$2-$3T$4:$5:$6Z'
    )
  )
  const [hostname, port] = String(request.headers.host).split(':')
  const signed = await signer.sign(
    {
      method: request.method ?? 'POST',
      protocol: 'http:',
      hostname,
      port: port === undefined ? undefined : Number(port),
      path: request.url ?? '/',
      query: {},
      headers,
      body
    },
    { signingDate }
  )
  return /Signature=([0-9a-f]+)/.exec(signed.headers.authorization)?.[1] ?? ''
}

/** The answer to a call whose signature checked out. */
function authorizationData(
  call: EcrCall,
  options: EcrApiOptions
): Record<string, unknown> {
  const authorizationToken = Buffer.from(`AWS:${options.password}`).toString(
    'base64'
  )
  const expiresAt = Math.floor(Date.now() / 1000) + 12 * 3600
  if (call.service === 'ecr-public')
    return { authorizationData: { authorizationToken, expiresAt } }
  const ids = call.registryIds ?? [options.account]
  return {
    authorizationData: ids.map(id => ({
      authorizationToken,
      expiresAt,
      proxyEndpoint: `https://${id}.dkr.ecr.${call.region}.amazonaws.com:${options.registryPort}`
    }))
  }
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: EcrApiOptions,
  calls: EcrCall[]
): Promise<void> {
  let body = ''
  for await (const chunk of request) body += String(chunk)
  const auth = AUTH.exec(String(request.headers.authorization ?? ''))
  if (auth === null)
    return refuse(
      response,
      'MissingAuthenticationTokenException',
      'Missing Authentication Token'
    )
  const [, id, , region, service, signedList, signature] = auth
  const key = options.keys[id]
  const sessionToken = request.headers['x-amz-security-token'] as
    string | undefined
  if (key === undefined || key.sessionToken !== sessionToken)
    return refuse(
      response,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.'
    )
  const scope = { region, service, signed: signedList.split(';') }
  const expected = await expectedSignature(request, body, scope, {
    id,
    ...key
  })
  if (expected !== signature)
    return refuse(
      response,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
    )
  const parsed = JSON.parse(body || '{}') as { registryIds?: string[] }
  const call: EcrCall = {
    target: String(request.headers['x-amz-target']),
    accessKeyId: id,
    region,
    service,
    ...(sessionToken !== undefined && { sessionToken }),
    ...(parsed.registryIds && { registryIds: parsed.registryIds })
  }
  calls.push(call)
  response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' })
  response.end(JSON.stringify(authorizationData(call, options)))
}

export async function startEcrApi(options: EcrApiOptions): Promise<EcrApi> {
  const calls: EcrCall[] = []
  const server = await startServer((request, response) => {
    answer(request, response, options, calls).catch((error: unknown) => {
      response.writeHead(500)
      response.end(String(error))
    })
  })
  return { ...server, url: `http://${server.host}`, calls }
}

/**
 * A stand-in for the EC2 instance metadata service with IMDSv2 (the instance role of a
 * self-hosted runner on EC2), reached through AWS_EC2_METADATA_SERVICE_ENDPOINT. What it rests
 * on (EC2's "Use IMDSv2" and @smithy/credential-provider-imds): PUT /latest/api/token with
 * x-aws-ec2-metadata-token-ttl-seconds gives a session token; GET
 * /latest/meta-data/iam/security-credentials/ with x-aws-ec2-metadata-token names the role, and
 * GET …/<role> gives {Code, Type, AccessKeyId, SecretAccessKey, Token, Expiration}; a GET
 * without the token is 401 (IMDSv2 required).
 */
export async function startInstanceMetadata(role: {
  name: string
  id: string
  secret: string
  sessionToken: string
}): Promise<TestServer & { url: string }> {
  const session = 'imds-session-token'
  const base = '/latest/meta-data/iam/security-credentials/'
  const server = await startServer((request, response) => {
    const reply = (status: number, body: string) => {
      response.writeHead(status)
      response.end(body)
    }
    if (request.method === 'PUT' && request.url === '/latest/api/token')
      return request.headers['x-aws-ec2-metadata-token-ttl-seconds']
        ? reply(200, session)
        : reply(400, '')
    if (request.headers['x-aws-ec2-metadata-token'] !== session)
      return reply(401, '')
    if (request.url === base) return reply(200, role.name)
    if (request.url !== `${base}${role.name}`) return reply(404, '')
    const expiration = new Date(Date.now() + 6 * 3600 * 1000).toISOString()
    reply(
      200,
      JSON.stringify({
        Code: 'Success',
        Type: 'AWS-HMAC',
        AccessKeyId: role.id,
        SecretAccessKey: role.secret,
        Token: role.sessionToken,
        Expiration: expiration,
        LastUpdated: new Date().toISOString()
      })
    )
  })
  return { ...server, url: `http://${server.host}` }
}

/**
 * A stand-in for STS's AssumeRoleWithWebIdentity (the AWS chain's web identity token file:
 * AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), reached through AWS_ENDPOINT_URL_STS. What it
 * rests on (STS's API reference): an unsigned POST whose form body names Action, RoleArn,
 * RoleSessionName and WebIdentityToken (the query protocol), answered in XML with the role's
 * temporary Credentials; a token it does not know is 400 InvalidIdentityToken.
 */
export async function startSts(role: {
  arn: string
  webIdentityToken: string
  id: string
  secret: string
  sessionToken: string
}): Promise<TestServer & { url: string; calls: string[] }> {
  const calls: string[] = []
  const server = await startServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      const form = new URLSearchParams(body)
      calls.push(form.get('Action') ?? String(request.headers['content-type']))
      const known =
        form.get('Action') === 'AssumeRoleWithWebIdentity' &&
        form.get('RoleArn') === role.arn &&
        form.get('WebIdentityToken') === role.webIdentityToken
      response.writeHead(known ? 200 : 400, { 'Content-Type': 'text/xml' })
      const expiration = new Date(Date.now() + 3600 * 1000).toISOString()
      response.end(
        known
          ? `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` +
              `<AssumeRoleWithWebIdentityResult><Credentials>` +
              `<AccessKeyId>${role.id}</AccessKeyId>` +
              `<SecretAccessKey>${role.secret}</SecretAccessKey>` +
              `<SessionToken>${role.sessionToken}</SessionToken>` +
              `<Expiration>${expiration}</Expiration></Credentials>` +
              `<AssumedRoleUser><Arn>${role.arn}/session</Arn>` +
              `<AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId></AssumedRoleUser>` +
              `</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`
          : `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>` +
              `<Type>Sender</Type><Code>InvalidIdentityToken</Code>` +
              `<Message>The web identity token is not valid.</Message></Error></ErrorResponse>`
      )
    })
  })
  return { ...server, url: `http://${server.host}`, calls }
}
