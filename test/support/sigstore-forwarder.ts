/**
 * What points @actions/attest at the Sigstore stand-ins. It reaches Sigstore and GitHub's token
 * issuer at fixed URLs (its endpoints.ts: https://fulcio.sigstore.dev and https://rekor.sigstore.dev
 * for a public repository; its oidc.ts: https://token.actions.githubusercontent.com for the keys of
 * the job's ID token) and takes no other, but every client it uses honours `https_proxy` and
 * `no_proxy` (@sigstore/sign's make-fetch-happen through @npmcli/agent, @actions/http-client) and
 * node trusts the CA in NODE_EXTRA_CA_CERTS. So this is an http proxy on loopback that answers
 * CONNECT to those hosts with a TLS server of its own (a certificate for them from a CA made here
 * with openssl) and forwards each request to the stand-in behind that host; a CONNECT to any other
 * host is refused, so nothing leaves the machine.
 */
import { createServer as createHttpServer, request } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { makeCa, makeLeaf } from './buildkit-pki.js'
import type { Standins } from './sigstore-standins.js'

export interface SigstoreForwarder {
  /** The action's env: https_proxy, no_proxy and NODE_EXTRA_CA_CERTS. */
  env: Record<string, string>
  /** The hosts a CONNECT asked for, in order (a test can tell what was reached). */
  connects: string[]
  close(): Promise<void>
}

/** Each fixed host @actions/attest reaches, and the stand-in URL its paths go under. */
function routes(standins: Standins): Record<string, string> {
  return {
    'fulcio.sigstore.dev': standins.fulcioUrl,
    'rekor.sigstore.dev': standins.rekorUrl,
    'token.actions.githubusercontent.com': standins.issuerUrl
  }
}

export async function startSigstoreForwarder(
  standins: Standins
): Promise<SigstoreForwarder> {
  const targets = routes(standins)
  const dir = mkdtempSync(join(tmpdir(), 'dpa-sigstore-tls-'))
  makeCa(dir, 'ca')
  const names = Object.keys(targets).map(host => `DNS:${host}`)
  makeLeaf(
    dir,
    'hosts',
    `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth\n`
  )
  const tls = createHttpsServer(
    {
      cert: readFileSync(join(dir, 'hosts.pem')),
      key: readFileSync(join(dir, 'hosts.key'))
    },
    (incoming, answer) => {
      const host = (incoming.headers.host ?? '').replace(/:\d+$/, '')
      const base = targets[host]
      if (base === undefined) {
        answer.writeHead(502).end()
        return
      }
      const url = new URL(base.replace(/\/$/, '') + (incoming.url ?? '/'))
      const headers = { ...incoming.headers, host: url.host }
      const forwarded = request(
        url,
        { method: incoming.method, headers },
        response => {
          answer.writeHead(response.statusCode ?? 502, response.headers)
          response.pipe(answer)
        }
      )
      forwarded.on('error', () => answer.destroy())
      incoming.pipe(forwarded)
    }
  )
  const connects: string[] = []
  const proxy = createHttpServer((_, answer) => answer.writeHead(405).end())
  proxy.on('connect', (connect, socket) => {
    const host = (connect.url ?? '').replace(/:443$/, '')
    connects.push(host)
    if (targets[host] === undefined) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    tls.emit('connection', socket)
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.address() as AddressInfo
  return {
    env: {
      https_proxy: `http://127.0.0.1:${port}`,
      no_proxy: '127.0.0.1,localhost',
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem')
    },
    connects,
    close: () =>
      new Promise<void>(resolve => {
        proxy.closeAllConnections()
        tls.closeAllConnections()
        proxy.close(() => resolve())
      })
  }
}
