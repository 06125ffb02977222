#!/usr/bin/env node
/**
 * A token server for the stack's token-auth registry (distribution's
 * `auth: token`), as Docker Hub and GHCR have one. No dependencies.
 *
 *   node token-issuer.mjs CONFIG.json
 *
 * CONFIG.json: { host, port, issuer, service, key (PEM path), cert (PEM
 * path), ttlSeconds, users: { name: { password, grants } }, anonymous:
 * { grants } }, where a grant is { repositories: "*" | "prefix/*" | "name",
 * actions: ["pull", "push", ...] } and `catalog: true` allows
 * registry:catalog:*.
 *
 * GET /token  (docker login, dockerd): Basic auth (optional), ?service=
 *   &scope= (repeated or space separated) &account=; answers
 *   { token, access_token, expires_in, issued_at }.
 * POST /token (BuildKit, containerd: OAuth2 form): grant_type=password with
 *   username + password, or grant_type=refresh_token with refresh_token;
 *   scope, service, client_id; answers { access_token, expires_in,
 *   issued_at, scope }, plus refresh_token when access_type=offline.
 * GET /health: 200.
 *
 * Tokens are RS256 JWTs with the certificate in the `x5c` header
 * (distribution 2.8 checks it against its rootcertbundle). Access the
 * account does not have is left out of the token, not refused: the
 * registry then answers 401 insufficient_scope, as real ones do. A wrong
 * password is a 401. Each request is logged on stdout, never a secret.
 */
import { Buffer } from 'node:buffer'
import {
  createHmac,
  createPrivateKey,
  createSign,
  randomBytes,
  timingSafeEqual,
  X509Certificate
} from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const privateKey = createPrivateKey(readFileSync(config.key))
const certificate = new X509Certificate(readFileSync(config.cert))
const refreshSecret = createHmac('sha256', 'dpa-refresh')
  .update(readFileSync(config.key))
  .digest()
const ttlSeconds = config.ttlSeconds ?? 300

const base64url = value => Buffer.from(value).toString('base64url')

function log(message) {
  console.log(`${new Date().toISOString()} ${message}`)
}

function sameText(a, b) {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}

/** The account for a name and password, or undefined. */
function authenticate(username, password) {
  const user = Object.hasOwn(config.users, username)
    ? config.users[username]
    : undefined
  if (user === undefined || !sameText(user.password, password ?? '')) {
    return undefined
  }
  return { name: username, ...user }
}

function repositoryMatches(pattern, name) {
  if (pattern === '*') return true
  if (pattern.endsWith('/*')) return name.startsWith(pattern.slice(0, -1))
  return pattern === name
}

/** "repository:a/b:pull,push" → { type, name, actions }. */
function parseScope(scope) {
  const parts = scope.split(':')
  if (parts.length < 3) return undefined
  return {
    type: parts[0].replace(/\(.*\)$/, ''),
    name: parts.slice(1, -1).join(':'),
    actions: parts.at(-1).split(',').filter(Boolean)
  }
}

function allowedActions(account, type, name) {
  if (type === 'registry' && name === 'catalog') {
    return account.catalog === true ? ['*'] : []
  }
  if (type !== 'repository') return []
  const actions = new Set()
  for (const grant of account.grants ?? []) {
    if (repositoryMatches(grant.repositories, name)) {
      for (const action of grant.actions) actions.add(action)
    }
  }
  if (['pull', 'push', 'delete'].every(action => actions.has(action))) {
    actions.add('*')
  }
  return [...actions]
}

/** The access claim: what was asked for, cut down to what is allowed. */
function grantAccess(account, scopes) {
  const access = []
  for (const scope of scopes) {
    const wanted = parseScope(scope)
    if (wanted === undefined) continue
    const allowed = allowedActions(account, wanted.type, wanted.name)
    const actions = wanted.actions.filter(action => allowed.includes(action))
    if (actions.length > 0) {
      access.push({ type: wanted.type, name: wanted.name, actions })
    }
  }
  return access
}

function signToken(subject, access) {
  const now = Math.floor(Date.now() / 1000)
  const header = {
    typ: 'JWT',
    alg: 'RS256',
    x5c: [certificate.raw.toString('base64')]
  }
  const claims = {
    iss: config.issuer,
    sub: subject,
    aud: config.service,
    exp: now + ttlSeconds,
    nbf: now - 10,
    iat: now,
    jti: randomBytes(12).toString('hex'),
    access
  }
  const payload = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  const signature = createSign('RSA-SHA256').update(payload).sign(privateKey)
  return `${payload}.${signature.toString('base64url')}`
}

function refreshToken(username) {
  const mac = createHmac('sha256', refreshSecret).update(username).digest()
  return `r1.${base64url(username)}.${mac.toString('base64url')}`
}

function refreshAccount(token) {
  const [version, name, mac] = (token ?? '').split('.')
  if (version !== 'r1' || name === undefined || mac === undefined) return
  const username = Buffer.from(name, 'base64url').toString('utf8')
  if (!sameText(refreshToken(username), token)) return undefined
  return Object.hasOwn(config.users, username)
    ? { name: username, ...config.users[username] }
    : undefined
}

/** Scope values, repeated or space separated. */
function scopesOf(params) {
  return params
    .getAll('scope')
    .flatMap(value => value.split(' '))
    .filter(Boolean)
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

function checkService(service) {
  if (service && service !== config.service) {
    throw new HttpError(
      400,
      'invalid_request',
      `unknown service ${JSON.stringify(service)}`
    )
  }
}

function basicCredentials(header) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '')
  if (match === null) return undefined
  const pair = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = pair.indexOf(':')
  if (colon < 0) return undefined
  return { username: pair.slice(0, colon), password: pair.slice(colon + 1) }
}

function answer(account, scopes, extra = {}) {
  const access = grantAccess(account, scopes)
  const token = signToken(account.name, access)
  const granted = access.map(a => `${a.type}:${a.name}:${a.actions.join(',')}`)
  log(
    `  -> ${account.name || '(anonymous)'} asked [${scopes.join(' ')}] granted [${granted.join(' ')}]`
  )
  return {
    token,
    access_token: token,
    expires_in: ttlSeconds,
    issued_at: new Date().toISOString(),
    scope: granted.join(' '),
    ...extra
  }
}

function getToken(url, headers) {
  const params = url.searchParams
  checkService(params.get('service'))
  const scopes = scopesOf(params)
  log(
    `GET service=${params.get('service') ?? ''} account=${params.get('account') ?? ''} scope=[${scopes.join(' ')}] client=${headers['user-agent'] ?? ''}`
  )
  const basic = basicCredentials(headers.authorization)
  if (headers.authorization !== undefined && basic === undefined) {
    throw new HttpError(
      401,
      'UNAUTHORIZED',
      'only Basic credentials are accepted'
    )
  }
  if (basic === undefined) {
    return answer({ name: '', ...config.anonymous }, scopes)
  }
  const account = authenticate(basic.username, basic.password)
  if (account === undefined) {
    throw new HttpError(
      401,
      'UNAUTHORIZED',
      `incorrect username or password for ${JSON.stringify(basic.username)}`
    )
  }
  return answer(account, scopes)
}

function postToken(body) {
  const form = new URLSearchParams(body)
  checkService(form.get('service'))
  const grantType = form.get('grant_type')
  const scopes = scopesOf(form)
  log(
    `POST grant_type=${grantType ?? ''} service=${form.get('service') ?? ''} client_id=${form.get('client_id') ?? ''} username=${form.get('username') ?? ''} scope=[${scopes.join(' ')}]`
  )
  let account
  if (grantType === 'password') {
    account = authenticate(form.get('username') ?? '', form.get('password'))
  } else if (grantType === 'refresh_token') {
    account = refreshAccount(form.get('refresh_token'))
  } else {
    throw new HttpError(
      400,
      'unsupported_grant_type',
      `grant_type ${JSON.stringify(grantType ?? '')} is not supported`
    )
  }
  if (account === undefined) {
    throw new HttpError(401, 'invalid_grant', 'invalid credentials')
  }
  const offline =
    form.get('access_type') === 'offline' || grantType === 'refresh_token'
  const extra = offline ? { refresh_token: refreshToken(account.name) } : {}
  const reply = answer(account, scopes, extra)
  delete reply.token
  return reply
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = []
    request.on('data', chunk => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...headers
  })
  response.end(JSON.stringify(body))
}

async function handle(request, response) {
  const url = new URL(request.url ?? '/', `http://${config.host}`)
  if (url.pathname === '/health') {
    send(response, 200, { ok: true })
  } else if (url.pathname !== '/token') {
    send(response, 404, { error: 'not_found' })
  } else if (request.method === 'GET') {
    send(response, 200, getToken(url, request.headers))
  } else if (request.method === 'POST') {
    send(response, 200, postToken(await readBody(request)))
  } else {
    send(response, 405, { error: 'method_not_allowed' }, { Allow: 'GET, POST' })
  }
}

const server = createServer((request, response) => {
  handle(request, response).catch(error => {
    const status = error instanceof HttpError ? error.status : 500
    const code = error instanceof HttpError ? error.code : 'server_error'
    log(`  -> ${status} ${code}: ${error.message}`)
    const challenge =
      status === 401
        ? { 'WWW-Authenticate': 'Basic realm="dpa-token-issuer"' }
        : {}
    send(
      response,
      status,
      {
        error: code,
        error_description: error.message,
        errors: [
          {
            code: status === 401 ? 'UNAUTHORIZED' : 'DENIED',
            message: error.message
          }
        ]
      },
      challenge
    )
  })
})

server.listen(config.port, config.host, () => {
  log(
    `token issuer ${config.issuer} for service ${config.service} on http://${config.host}:${config.port}/token`
  )
})

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)))
}
