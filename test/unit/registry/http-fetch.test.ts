import { afterEach, describe, expect, it } from '@jest/globals'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { httpFetch } from '../../../src/registry/http-fetch.js'
import {
  startServer,
  unusedPort,
  type TestServer
} from '../../support/http-server.js'

// httpFetch stands in for fetch in the registry client: what it must do as
// fetch does, against real sockets.

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(server => server.close()))
})

interface Seen {
  method: string
  url: string
  authorization: string | undefined
  body: string
}

/** A server that records each request and answers with `answer`. */
async function recording(
  answer: (request: IncomingMessage, response: ServerResponse) => void
): Promise<{ host: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const server = await startServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization,
        body
      })
      answer(request, response)
    })
  })
  servers.push(server)
  return { host: server.host, seen }
}

const ok = (_: IncomingMessage, response: ServerResponse) =>
  response.writeHead(200, { 'X-Answer': 'yes' }).end('{"done":true}')

describe('httpFetch: what the registry client relies on of fetch', () => {
  it('sends method, headers and body; reads status, headers and body', async () => {
    const { host, seen } = await recording(ok)
    const response = await httpFetch(new URL(`http://${host}/v2/x`), {
      method: 'PUT',
      headers: { Authorization: 'Basic abc' },
      body: new TextEncoder().encode('manifest')
    })
    expect([response.status, response.ok, response.statusText]).toEqual([
      200,
      true,
      'OK'
    ])
    expect(response.headers.get('x-answer')).toBe('yes')
    expect(await response.json()).toEqual({ done: true })
    expect(seen).toEqual([
      {
        method: 'PUT',
        url: '/v2/x',
        authorization: 'Basic abc',
        body: 'manifest'
      }
    ])
  })

  it('names itself in User-Agent, unless the caller gives one', async () => {
    const agents: (string | undefined)[] = []
    const server = await startServer((request, response) => {
      agents.push(request.headers['user-agent'])
      response.end()
    })
    servers.push(server)
    const url = new URL(`http://${server.host}/v2/`)
    await (await httpFetch(url, { method: 'GET' })).text()
    await (
      await httpFetch(url, { method: 'GET', headers: { 'User-Agent': 'me' } })
    ).text()
    expect(agents).toEqual(['docker-publish-action', 'me'])
  })

  it('follows a redirect to blob storage without the credentials', async () => {
    const storage = await recording(ok)
    const registry = await recording((_, response) =>
      response
        .writeHead(307, { Location: `http://${storage.host}/blob?sig=1` })
        .end()
    )
    const response = await httpFetch(
      new URL(`http://${registry.host}/v2/x/blobs/sha256:1`),
      { method: 'GET', headers: { Authorization: 'Bearer t' } }
    )
    expect(await response.text()).toBe('{"done":true}')
    expect(response.url).toBe(`http://${storage.host}/blob?sig=1`)
    expect(registry.seen[0].authorization).toBe('Bearer t')
    expect(storage.seen[0].authorization).toBeUndefined()
  })

  it('keeps the credentials on a redirect within the registry, and a 303 turns into GET', async () => {
    let hops = 0
    const { host, seen } = await recording((request, response) => {
      hops++
      if (hops === 1) response.writeHead(303, { Location: '/other' }).end()
      else ok(request, response)
    })
    const response = await httpFetch(new URL(`http://${host}/first`), {
      method: 'POST',
      headers: { Authorization: 'Basic abc' },
      body: 'form'
    })
    expect(response.status).toBe(200)
    expect(seen.map(s => [s.method, s.url, s.authorization, s.body])).toEqual([
      ['POST', '/first', 'Basic abc', 'form'],
      ['GET', '/other', 'Basic abc', '']
    ])
  })

  it('a refused connection is fetch\'s "fetch failed" with the socket error as cause', async () => {
    const port = await unusedPort()
    const failure = httpFetch(new URL(`http://127.0.0.1:${port}/v2/`), {
      method: 'GET'
    })
    await expect(failure).rejects.toThrow(TypeError)
    await expect(failure).rejects.toMatchObject({
      message: 'fetch failed',
      cause: { code: 'ECONNREFUSED' }
    })
  })

  it('a signal that times out ends a body that stopped coming, with its TimeoutError', async () => {
    const { host } = await recording((_, response) => {
      response.writeHead(200)
      response.write('{"half":')
    })
    const response = await httpFetch(new URL(`http://${host}/v2/`), {
      method: 'GET',
      signal: AbortSignal.timeout(1000)
    })
    await expect(response.text()).rejects.toMatchObject({
      name: 'TimeoutError'
    })
  })

  it('a signal that times out before any answer rejects the request', async () => {
    const { host } = await recording(() => undefined)
    await expect(
      httpFetch(new URL(`http://${host}/v2/`), {
        method: 'GET',
        signal: AbortSignal.timeout(200)
      })
    ).rejects.toMatchObject({ name: 'TimeoutError' })
  })

  it('a HEAD answer leaves no socket in use (an unread answer would keep the process alive)', async () => {
    const { host } = await recording((_, response) =>
      response.writeHead(200, { 'Docker-Content-Digest': 'sha256:1' }).end()
    )
    const head = await httpFetch(new URL(`http://${host}/v2/x/manifests/1`), {
      method: 'HEAD'
    })
    expect(head.headers.get('docker-content-digest')).toBe('sha256:1')
    expect(head.body).toBeNull()
    const inUse = () => Object.keys(http.globalAgent.sockets).length
    for (let tick = 0; tick < 100 && inUse() > 0; tick++)
      await new Promise(resolve => setTimeout(resolve, 10))
    expect(inUse()).toBe(0)
  })

  it('cancelling a body that stopped coming closes the connection, as fetch does', async () => {
    let closed = false
    const { host } = await recording((request, response) => {
      request.socket.on('close', () => (closed = true))
      response.writeHead(404, { 'Content-Length': '100' })
      response.write('{"errors":')
    })
    const response = await httpFetch(new URL(`http://${host}/v2/x`), {
      method: 'GET'
    })
    await response.body?.cancel()
    for (let tick = 0; tick < 100 && !closed; tick++)
      await new Promise(resolve => setTimeout(resolve, 10))
    expect(closed).toBe(true)
  })
})
