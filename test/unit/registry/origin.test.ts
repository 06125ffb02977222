import { afterEach, describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRegistryClient } from '../../../src/registry/client.js'
import { Transport } from '../../../src/registry/transport.js'
import { RegistryAuth } from '../../../src/registry/auth.js'
import { httpFetch } from '../../../src/registry/http-fetch.js'
import { parseRegistry } from '../../../src/reference/repository.js'
import { startServer, type TestServer } from '../../support/http-server.js'

// The origin rule (src/registry/origin.ts, SECURITY.md): every URL the
// client did not build itself is checked before a request carries the
// registry's credentials. Two real ports: the registry, and a stranger
// that must never see them.

const USER = 'alice'
const PASSWORD = 's3cret-Pa55'
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
const noSleep = (): Promise<void> => Promise.resolve()

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(server => server.close()))
})

interface Seen {
  method: string
  url: string
  authorization: string | undefined
}

type Answer = (request: IncomingMessage, response: ServerResponse) => void

async function listening(
  answer: Answer
): Promise<{ host: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const server = await startServer((request, response) => {
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization
    })
    request.resume()
    request.on('end', () => answer(request, response))
  })
  servers.push(server)
  return { host: server.host, seen }
}

/** The stranger: answers 401 with a Bearer realm on itself, and records. */
function strangerAnswer(host: () => string): Answer {
  return (request, response) =>
    request.url?.startsWith('/token')
      ? response.end('{"token":"stolen"}')
      : response
          .writeHead(401, {
            'WWW-Authenticate': `Bearer realm="http://${host()}/token"`
          })
          .end()
}

/** A Basic-auth registry whose every authenticated answer is `then`. */
function basicRegistry(then: Answer): Answer {
  return (request, response) => {
    if (request.headers.authorization !== BASIC) {
      response
        .writeHead(401, { 'WWW-Authenticate': 'Basic realm="registry"' })
        .end()
      return
    }
    then(request, response)
  }
}

async function stranger() {
  let host = ''
  const server = await listening(strangerAnswer(() => host))
  host = server.host
  return server
}

function clientFor(registryHost: string) {
  return createRegistryClient({
    credentials: host =>
      host === registryHost
        ? { username: USER, password: PASSWORD }
        : undefined,
    retries: 0,
    sleep: noSleep,
    fetch: httpFetch
  })
}

const credentialed = (seen: Seen[]) => seen.filter(s => s.authorization)

describe('registry client: the origin rule, against real sockets', () => {
  it('a next-page link whose path starts with //host stays on the registry (the other port gets nothing)', async () => {
    const evil = await stranger()
    const registry = await listening(
      basicRegistry((request, response) => {
        const link = `<http://${request.headers.host}//${evil.host}/v2/o/app/tags/list?last=a>; rel="next"`
        const first = request.url === '/v2/o/app/tags/list'
        response
          .writeHead(first ? 200 : 404, first ? { Link: link } : {})
          .end(first ? '{"tags":["a"]}' : '{}')
      })
    )
    await clientFor(registry.host)
      .listTags(parseImageName(`${registry.host}/o/app`))
      .catch(() => undefined)
    expect(evil.seen).toEqual([])
    expect(registry.seen.map(s => s.url)).toContain(
      `//${evil.host}/v2/o/app/tags/list?last=a`
    )
  })

  it('a next-page link to another origin is refused before any request', async () => {
    const evil = await stranger()
    const registry = await listening(
      basicRegistry((_, response) =>
        response
          .writeHead(200, {
            Link: `<http://${evil.host}/v2/o/app/tags/list>; rel="next"`
          })
          .end('{"tags":["a"]}')
      )
    )
    await expect(
      clientFor(registry.host).listTags(
        parseImageName(`${registry.host}/o/app`)
      )
    ).rejects.toThrow(/next page link points to another origin/)
    expect(evil.seen).toEqual([])
  })

  it.each([
    {
      name: 'a protocol-relative //host path',
      path: (h: string) => `//${h}/v2/o/app/blobs/uploads/1`
    },
    {
      name: 'an absolute URL (an upload Location)',
      path: (h: string) => `http://${h}/v2/o/app/blobs/uploads/1`
    }
  ])('the transport refuses $name on another origin', async ({ path }) => {
    const evil = await stranger()
    const registry = await listening(basicRegistry((_, r) => r.end()))
    const transport = new Transport({
      credentials: () => ({ username: USER, password: PASSWORD }),
      retries: 0,
      sleep: noSleep,
      fetch: httpFetch,
      requestTimeoutMs: 5_000
    })
    await expect(
      transport.request(
        parseRegistry(registry.host),
        { method: 'PUT', path: path(evil.host) },
        response => Promise.resolve(response.status)
      )
    ).rejects.toThrow(
      /^registry 127\.0\.0\.1:\d+: refused a request to http:\/\/127\.0\.0\.1:\d+, another origin than/
    )
    expect(evil.seen).toEqual([])
  })

  it('a redirect to another origin drops the credentials', async () => {
    const evil = await listening((_, response) => response.end('{"tags":[]}'))
    const registry = await listening(
      basicRegistry((request, response) =>
        response
          .writeHead(307, { Location: `http://${evil.host}${request.url}` })
          .end()
      )
    )
    await clientFor(registry.host).listTags(
      parseImageName(`${registry.host}/o/app`)
    )
    expect(evil.seen).toHaveLength(1)
    expect(credentialed(evil.seen)).toEqual([])
  })

  it('a 401 from where a redirect led is not answered: its realm gets no credentials', async () => {
    const evil = await stranger()
    const registry = await listening((request, response) =>
      response
        .writeHead(307, { Location: `http://${evil.host}${request.url}` })
        .end()
    )
    await expect(
      clientFor(registry.host).listTags(
        parseImageName(`${registry.host}/o/app`)
      )
    ).rejects.toThrow(
      /: a redirect led to http:\/\/127\.0\.0\.1:\d+, which asked for credentials: they go only to http:\/\/127\.0\.0\.1:\d+$/
    )
    expect(credentialed(evil.seen)).toEqual([])
    expect(evil.seen.map(s => s.url)).not.toContainEqual(
      expect.stringMatching(/^\/token/)
    )
  })
})

describe('Bearer realm: https registries take only https realms', () => {
  const challenge = (realm: string) =>
    new Response(null, {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer realm="${realm}",service="r"` }
    })

  function recordingAuth(fetched: string[]) {
    return new RegistryAuth(
      () => ({ username: USER, password: PASSWORD }),
      url => {
        fetched.push(url.origin)
        return Promise.resolve(new Response('{"token":"t"}'))
      }
    )
  }

  it('refuses an http realm for an https registry, and fetches nothing', async () => {
    const fetched: string[] = []
    await expect(
      recordingAuth(fetched).answer(
        parseRegistry('registry.example'),
        challenge('http://auth.example/token'),
        'repository:o/app:pull'
      )
    ).rejects.toThrow(
      /^registry registry\.example: refused the Bearer realm http:\/\/auth\.example: plain http for an https registry/
    )
    expect(fetched).toEqual([])
  })

  it.each([
    {
      name: 'https realm for an https registry',
      registry: 'registry.example',
      realm: 'https://auth.example/token'
    },
    {
      name: 'http realm for a loopback (http) registry',
      registry: '127.0.0.1:5003',
      realm: 'http://127.0.0.1:5004/token'
    }
  ])('takes an $name', async ({ registry, realm }) => {
    const fetched: string[] = []
    await expect(
      recordingAuth(fetched).answer(
        parseRegistry(registry),
        challenge(realm),
        'repository:o/app:pull'
      )
    ).resolves.toEqual({ header: 'Bearer t', reused: false })
    expect(fetched).toEqual([new URL(realm).origin])
  })
})
