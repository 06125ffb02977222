/**
 * A stand-in for Docker Hub's registry as an engine pulls from it: TLS under the name
 * registry-1.docker.io (a certificate of the stack's own CA), token auth in front of a stack
 * registry (htpasswd), and Docker Hub's pull limits as its documentation describes them
 * (docs.docker.com/docker-hub/usage/pulls): an anonymous pull is refused with 429
 * `toomanyrequests` once the (here: zero) anonymous allowance is spent; an authenticated one is
 * served, after `throttleFirst` answers of 429 with a Retry-After to show a passing limit.
 * Only engines that resolve registry-1.docker.io to 127.0.0.1 and trust the CA reach it (see
 * private-engine.ts): nothing on the machine is pointed at it.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import { createServer } from 'node:https'
import { join } from 'node:path'
import { listening } from './http-server.js'

export const DOCKER_HUB_NAMES = ['registry-1.docker.io', 'index.docker.io']

export interface DockerHubStandIn {
  /** Each manifest request: authenticated or not, and the status it got. */
  manifestRequests: { authenticated: boolean; status: number }[]
  close(): Promise<void>
}

interface Options {
  /** A folder for the certificate and key. */
  dir: string
  /** The stack CA (ca.pem, ca-key.pem) the engine is given to trust. */
  caDir: string
  /** The registry behind it, host:port over plain HTTP. */
  upstream: string
  /** Authenticated manifest requests answered 429 before the first is served. */
  throttleFirst: number
}

/** A certificate for Docker Hub's names, signed by the stack CA. */
function makeCertificate(dir: string, caDir: string) {
  const key = join(dir, 'hub-key.pem')
  const csr = join(dir, 'hub.csr')
  const cert = join(dir, 'hub-cert.pem')
  const san = join(dir, 'hub-san.cnf')
  execFileSync('sh', [
    '-c',
    `printf 'subjectAltName=%s\\n' "$1" >"$2" && ` +
      `openssl req -newkey rsa:2048 -nodes -sha256 -subj /CN=registry-1.docker.io ` +
      `-keyout "$3" -out "$4" 2>/dev/null && ` +
      `openssl x509 -req -in "$4" -CA "$5/ca.pem" -CAkey "$5/ca-key.pem" -CAcreateserial ` +
      `-days 2 -sha256 -extfile "$2" -out "$6" 2>/dev/null`,
    'sh',
    DOCKER_HUB_NAMES.map(name => `DNS:${name}`).join(','),
    san,
    key,
    csr,
    caDir,
    cert
  ])
  return { key: readFileSync(key), cert: readFileSync(cert) }
}

const TOO_MANY = (message: string) =>
  JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message }] })

/** Sends `req` on to the registry behind, with `authorization` in place of the token. */
function passOn(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  authorization: string | undefined
): void {
  const [host, port] = upstream.split(':')
  const headers = { ...req.headers, host: upstream, authorization }
  if (authorization === undefined) delete headers.authorization
  const forwarded = httpRequest(
    { host, port, path: req.url, method: req.method, headers },
    answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    }
  )
  forwarded.on('error', () => res.destroy())
  req.pipe(forwarded)
}

/** Whether the registry behind takes these Basic credentials (its GET /v2/). */
function upstreamAccepts(upstream: string, basic: string): Promise<boolean> {
  const [host, port] = upstream.split(':')
  return new Promise(resolve => {
    const check = httpRequest(
      { host, port, path: '/v2/', headers: { authorization: basic } },
      answer => {
        answer.resume()
        resolve(answer.statusCode === 200)
      }
    )
    check.on('error', () => resolve(false))
    check.end()
  })
}

const USER_TOKEN = 'user.'

/**
 * Docker Hub's token flow (docs.docker.com/registry/spec/auth/token): GET /v2/ without a token is
 * a Bearer challenge; /token gives an anonymous token, or a user's for Basic credentials the
 * registry behind takes. A user's token stands for those credentials, passed on as Basic.
 */
export async function startDockerHub(
  options: Options
): Promise<DockerHubStandIn> {
  const manifestRequests: DockerHubStandIn['manifestRequests'] = []
  let throttled = 0
  const challenge = (res: ServerResponse) => {
    res.writeHead(401, {
      'WWW-Authenticate':
        'Bearer realm="https://registry-1.docker.io/token",service="registry.docker.io"'
    })
    res.end()
  }
  const tooMany = (res: ServerResponse, message: string) => {
    res.writeHead(429, {
      'Content-Type': 'application/json',
      'Retry-After': '1'
    })
    res.end(TOO_MANY(message))
  }
  const server = createServer(
    makeCertificate(options.dir, options.caDir),
    (req, res) => {
      const given = req.headers.authorization ?? ''
      if (req.url?.startsWith('/token')) {
        if (!given.startsWith('Basic ')) {
          res.end(JSON.stringify({ token: 'anonymous' }))
          return
        }
        void upstreamAccepts(options.upstream, given).then(accepted => {
          if (!accepted) return challenge(res)
          const token = USER_TOKEN + Buffer.from(given).toString('base64url')
          res.end(JSON.stringify({ token }))
        })
        return
      }
      const bearer = given.startsWith('Bearer ') ? given.slice(7) : ''
      if (bearer === '') return challenge(res)
      const user = bearer.startsWith(USER_TOKEN)
        ? Buffer.from(bearer.slice(USER_TOKEN.length), 'base64url').toString()
        : undefined
      if (req.url?.includes('/manifests/')) {
        const limited = user === undefined || throttled < options.throttleFirst
        manifestRequests.push({
          authenticated: user !== undefined,
          status: limited ? 429 : 200
        })
        if (user === undefined)
          return tooMany(
            res,
            'You have reached your unauthenticated pull rate limit.'
          )
        if (limited) {
          throttled++
          return tooMany(res, 'You have reached your pull rate limit.')
        }
      }
      if (req.url === '/v2/' && user === undefined) {
        res.end('{}')
        return
      }
      if (user === undefined) return challenge(res)
      passOn(req, res, options.upstream, user)
    }
  )
  await listening(server, 443)
  return {
    manifestRequests,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
