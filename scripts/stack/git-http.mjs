// Smart HTTP git server of the test stack: `git http-backend` (CGI) behind a
// node server that lets a request through only with the stack's token, sent as
// BuildKit sends GIT_AUTH_TOKEN (Basic, user x-access-token). Plain node and
// git: nothing to install. Usage: node git-http.mjs <config.json>
// config: { host, port, root (GIT_PROJECT_ROOT), tokenFile }
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))

function token() {
  return readFileSync(config.tokenFile, 'utf8').trim()
}

function authorized(header) {
  const match = /^basic\s+(\S+)$/i.exec(header ?? '')
  if (match === null) return false
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  return decoded.slice(decoded.indexOf(':') + 1) === token()
}

function log(line) {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`)
}

// the CGI answer: header lines, a blank line, the body
function relay(backend, res) {
  let head = Buffer.alloc(0)
  let sent = false
  backend.stdout.on('data', chunk => {
    if (sent) return void res.write(chunk)
    head = Buffer.concat([head, chunk])
    const end = head.indexOf('\r\n\r\n')
    if (end < 0) return
    let status = 200
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const at = line.indexOf(':')
      const name = line.slice(0, at).trim()
      const value = line.slice(at + 1).trim()
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
      else res.setHeader(name, value)
    }
    res.writeHead(status)
    sent = true
    res.write(head.subarray(end + 4))
  })
  backend.stdout.on('end', () => res.end())
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://git')
  if (url.pathname === '/health') return void res.end('ok')
  if (!authorized(req.headers.authorization)) {
    log(`401 ${req.method} ${url.pathname}`)
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="dpa-git"' })
    return void res.end('token required\n')
  }
  log(`${req.method} ${url.pathname}${url.search}`)
  const backend = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: config.root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'x-access-token',
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      ...(req.headers['content-encoding'] && {
        HTTP_CONTENT_ENCODING: req.headers['content-encoding']
      }),
      ...(req.headers['git-protocol'] && {
        GIT_PROTOCOL: req.headers['git-protocol']
      })
    },
    stdio: ['pipe', 'pipe', 'inherit']
  })
  req.pipe(backend.stdin)
  relay(backend, res)
  backend.on('error', error => {
    log(`git http-backend: ${error.message}`)
    if (!res.headersSent) res.writeHead(500)
    res.end()
  })
})

server.listen(config.port, config.host, () =>
  log(
    `git smart HTTP on http://${config.host}:${config.port}/ (root ${config.root})`
  )
)
