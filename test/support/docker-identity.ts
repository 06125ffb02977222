/**
 * Stand-ins for Docker Hub's OIDC login (login-action v4.5, src/dockerhub.ts), on one loopback
 * server:
 * - GitHub's ID-token endpoint, as @actions/core's OidcClient asks it: GET
 *   ACTIONS_ID_TOKEN_REQUEST_URL + `&audience=…` with `Authorization: Bearer
 *   <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` answers `{"value": "<JWT>"}`; a wrong request token is 401.
 *   The JWT carries the audience asked for (aud) and the issuer GitHub's.
 * - Docker's identity service (DPA_DOCKER_IDENTITY_URL, the action's test seam): POST
 *   /oauth/token, form-encoded, RFC 8693 token exchange as login-action sends it (grant_type
 *   token-exchange, subject_token_type id_token, subject_token, connection_id, expires_in);
 *   it answers `{"access_token", "token_type", "expires_in"}`. It refuses (400,
 *   `{"error": "invalid_grant"}`, RFC 6749 §5.2's shape) a token this issuer did not issue for
 *   the audience https://identity.docker.com, an unknown connection, or expires_in outside
 *   login-action's 300..3600.
 * The access token it hands out is the registry password the tests give it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startServer, type TestServer } from './http-server.js'

const DOCKER_AUDIENCE = 'https://identity.docker.com'

export interface DockerIdentity extends TestServer {
  /** The runner's variables for the job's ID token (`permissions: id-token: write`). */
  runnerEnv: Record<string, string>
  /** DPA_DOCKER_IDENTITY_URL for the action. */
  identityUrl: string
  /** Each exchange's form, as it came. */
  exchanges: Record<string, string>[]
}

const base64url = (value: object) =>
  Buffer.from(JSON.stringify(value)).toString('base64url')

function json(response: ServerResponse, status: number, body: object) {
  response.writeHead(status, { 'Content-Type': 'application/json' })
  response.end(JSON.stringify(body))
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += String(chunk)
  return body
}

export async function startDockerIdentity(options: {
  connectionId: string
  accessToken: string
}): Promise<DockerIdentity> {
  const requestToken = 'runner-request-token-1f2e'
  const issued = new Set<string>()
  const exchanges: Record<string, string>[] = []
  const issue = (audience: string) => {
    const claims = {
      iss: 'https://token.actions.githubusercontent.com',
      aud: audience,
      sub: 'repo:acme/app:ref:refs/tags/v1.2.3',
      exp: Math.floor(Date.now() / 1000) + 300
    }
    const jwt = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(claims)}.c2ln`
    if (audience === DOCKER_AUDIENCE) issued.add(jwt)
    return jwt
  }
  const server = await startServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in')
    if (request.method === 'GET' && url.pathname === '/idtoken') {
      if (
        request.headers.authorization?.toLowerCase() !==
        `bearer ${requestToken}`
      )
        return json(response, 401, { message: 'Bad credentials' })
      return json(response, 200, {
        value: issue(url.searchParams.get('audience') ?? '')
      })
    }
    if (request.method !== 'POST' || url.pathname !== '/oauth/token')
      return json(response, 404, { error: 'not_found' })
    void readBody(request).then(body => {
      const form = Object.fromEntries(new URLSearchParams(body))
      exchanges.push(form)
      const expires = Number(form.expires_in)
      const valid =
        form.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange' &&
        form.subject_token_type ===
          'urn:ietf:params:oauth:token-type:id_token' &&
        issued.has(form.subject_token) &&
        form.connection_id === options.connectionId &&
        expires >= 300 &&
        expires <= 3600
      if (!valid)
        return json(response, 400, {
          error: 'invalid_grant',
          error_description: 'the subject token or the connection is not valid'
        })
      json(response, 200, {
        access_token: options.accessToken,
        token_type: 'Bearer',
        expires_in: expires
      })
    })
  })
  return {
    ...server,
    runnerEnv: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://${server.host}/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
    },
    identityUrl: `http://${server.host}`,
    exchanges
  }
}
