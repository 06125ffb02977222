/**
 * A tiny registry on 127.0.0.1 that uses Bearer token auth the way Docker
 * Hub and GHCR do (no such registry runs in the test stack): /token is the
 * realm, /v2/… wants a token whose scope covers the repository and action.
 * It serves tags and manifests of one in-memory repository.
 */
import { createHash } from 'node:crypto'
import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeTokenRegistryOptions {
  repository: string
  username: string
  password: string
  tags?: string[]
  /** Field of the token response; default 'token'. */
  tokenField?: 'token' | 'access_token'
  /** Give pull-only tokens without credentials; default true. */
  anonymousPull?: boolean
}

interface LoggedRequest {
  method: string
  path: string
  authorization?: string
  status: number
}

export interface FakeTokenRegistry {
  host: string
  /** Every request, token requests included, in order. */
  readonly log: LoggedRequest[]
  /** Makes every token issued so far invalid (as if expired). */
  expireTokens(): void
  close(): Promise<void>
}

const SERVICE = 'fake-registry'

function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {}
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers
  })
  res.end(body)
}

const errorBody = (code: string, message: string): string =>
  JSON.stringify({ errors: [{ code, message }] })

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function startFakeTokenRegistry(
  options: FakeTokenRegistryOptions
): Promise<FakeTokenRegistry> {
  const registry = new FakeRegistryServer(options)
  await registry.listen()
  return registry
}

const digestOf = (body: Buffer): string =>
  `sha256:${createHash('sha256').update(body).digest('hex')}`

class FakeRegistryServer implements FakeTokenRegistry {
  host = ''
  readonly log: LoggedRequest[] = []
  private readonly tokens = new Map<string, string>()
  private readonly tags: Set<string>
  private readonly manifests = new Map<string, { type: string; body: Buffer }>()
  private issued = 0
  private readonly repoPath: string
  private readonly server = createServer((req, res) => {
    res.on('finish', () =>
      this.log.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        status: res.statusCode
      })
    )
    this.route(req, res).catch(() =>
      send(res, 500, errorBody('UNKNOWN', 'fake failed'))
    )
  })

  constructor(private readonly options: FakeTokenRegistryOptions) {
    this.tags = new Set(options.tags ?? [])
    this.repoPath = `/v2/${options.repository}/`
  }

  async listen(): Promise<void> {
    await new Promise<void>(resolve =>
      this.server.listen(0, '127.0.0.1', resolve)
    )
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  expireTokens(): void {
    this.tokens.clear()
  }

  close(): Promise<void> {
    return new Promise<void>(resolve => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  private async route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', `http://${this.host}`)
    if (url.pathname === '/token') {
      const [status, body] = this.issueToken(req, url)
      send(res, status, body)
      return
    }
    const action = req.method === 'PUT' ? 'push' : 'pull'
    const inRepo = url.pathname.startsWith(this.repoPath)
    const actions = action === 'push' ? 'pull,push' : 'pull'
    const scope = inRepo
      ? `,scope="repository:${this.options.repository}:${actions}"`
      : ''
    const challenge = `Bearer realm="http://${this.host}/token",service="${SERVICE}"${scope}`
    if (url.pathname === '/v2/') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      const status = this.tokens.has(token) ? 200 : 401
      send(res, status, '{}', { 'WWW-Authenticate': challenge })
    } else if (!inRepo) {
      send(res, 404, errorBody('NAME_UNKNOWN', 'repository name not known'))
    } else if (!this.allowed(req, action)) {
      send(res, 401, errorBody('UNAUTHORIZED', 'authentication required'), {
        'WWW-Authenticate': challenge
      })
    } else {
      await this.serveRepository(
        req,
        res,
        url.pathname.slice(this.repoPath.length)
      )
    }
  }

  private issueToken(req: IncomingMessage, url: URL): [number, string] {
    const { username, password } = this.options
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    const authorization = req.headers.authorization
    if (authorization !== undefined && authorization !== expected) {
      return [401, errorBody('UNAUTHORIZED', 'bad credentials')]
    }
    let scope = url.searchParams.get('scope') ?? ''
    if (authorization === undefined) {
      if (this.options.anonymousPull === false) {
        return [401, errorBody('UNAUTHORIZED', 'login required')]
      }
      scope = scope.replace(/:pull,push$/, ':pull')
    }
    const token = `t${++this.issued}`
    this.tokens.set(token, scope)
    const field = this.options.tokenField ?? 'token'
    return [200, JSON.stringify({ [field]: token })]
  }

  private allowed(req: IncomingMessage, action: string): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const scope = token === undefined ? undefined : this.tokens.get(token)
    const match = /^repository:([^:]+):(.+)$/.exec(scope ?? '')
    return (
      match !== null &&
      match[1] === this.options.repository &&
      match[2].split(',').includes(action)
    )
  }

  private async serveRepository(
    req: IncomingMessage,
    res: ServerResponse,
    rest: string
  ): Promise<void> {
    if (rest.startsWith('tags/list')) {
      const name = this.options.repository
      send(res, 200, JSON.stringify({ name, tags: [...this.tags] }))
      return
    }
    const reference = /^manifests\/(.+)$/.exec(rest)?.[1] ?? ''
    if (req.method === 'PUT') {
      const body = await readBody(req)
      const stored = { type: req.headers['content-type'] ?? '', body }
      this.manifests.set(digestOf(body), stored).set(reference, stored)
      this.tags.add(reference)
      send(res, 201, '', { 'Docker-Content-Digest': digestOf(body) })
      return
    }
    const stored = this.manifests.get(reference)
    if (stored === undefined) {
      send(res, 404, errorBody('MANIFEST_UNKNOWN', 'manifest unknown'))
      return
    }
    res.writeHead(200, {
      'Content-Type': stored.type,
      'Content-Length': String(stored.body.length),
      'Docker-Content-Digest': digestOf(stored.body)
    })
    res.end(req.method === 'HEAD' ? undefined : stored.body)
  }
}
