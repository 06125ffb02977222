import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import {
  requestCertificate,
  requestIdToken,
  uploadEntry
} from '../../../src/signing/sigstore-client.js'

/** Answers each request with the next status of the current script (then the last one). */
let script: {
  status: number
  body: string
  headers?: Record<string, string>
}[] = []
let requests: { method?: string; url?: string; authorization?: string }[] = []
let server: Server
let base: string

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.authorization
    })
    const next = script.length > 1 ? script.shift()! : script[0]
    request.resume()
    request.on('end', () => {
      response.writeHead(next.status, {
        'Content-Type': 'application/json',
        ...next.headers
      })
      response.end(next.body)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

const limits = { timeoutMs: 5000, retries: 2, sleep: async () => {} }
const CHAIN = '{"signedCertificateEmbeddedSct":{}}'

describe("the keyless round trips' faults", () => {
  it.each([
    {
      name: 'a 503 then an answer: tried again',
      statuses: [503, 201],
      requests: 2,
      outcome: { value: { signedCertificateEmbeddedSct: {} } }
    },
    {
      name: 'a 429 then an answer: tried again',
      statuses: [429, 201],
      requests: 2,
      outcome: { value: { signedCertificateEmbeddedSct: {} } }
    },
    {
      name: 'a 400 (a refused token): not tried again',
      statuses: [400],
      requests: 1,
      outcome: { error: expect.stringMatching(/Fulcio \(.*\): HTTP 400/) }
    },
    {
      name: 'a 502 every time: three attempts',
      statuses: [502],
      requests: 3,
      outcome: {
        error: expect.stringMatching(
          /Fulcio \(.*\) failed after 3 attempts: .*HTTP 502/
        )
      }
    }
  ])('$name', async ({ statuses, requests: count, outcome }) => {
    script = statuses.map(status => ({ status, body: CHAIN }))
    requests = []
    const settled = await requestCertificate(`${base}/fulcio`, {}, limits).then(
      value => ({ value }),
      (error: Error) => ({ error: error.message })
    )
    expect(settled).toEqual(outcome)
    expect(requests).toHaveLength(count)
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '/fulcio/api/v2/signingCert'
    })
  })

  it('asks for the token as @actions/core does: the audience appended, the request token as bearer', async () => {
    script = [{ status: 200, body: '{"value":"a.b.c"}' }]
    requests = []
    await expect(
      requestIdToken(`${base}/token?api-version=2.0`, 'rt', 'sigstore', limits)
    ).resolves.toBe('a.b.c')
    expect(requests).toEqual([
      {
        method: 'GET',
        url: '/token?api-version=2.0&audience=sigstore',
        authorization: 'bearer rt'
      }
    ])
  })

  it("reads Rekor's existing entry when a retried POST is answered 409 (its first try landed)", async () => {
    const entry = '{"u1":{"logIndex":7}}'
    script = [
      { status: 503, body: '' },
      {
        status: 409,
        body: '{"message":"an equivalent entry already exists"}',
        headers: { Location: '/rekor/api/v1/log/entries/u1' }
      },
      { status: 200, body: entry }
    ]
    requests = []
    await expect(uploadEntry(`${base}/rekor`, {}, limits)).resolves.toEqual(
      JSON.parse(entry)
    )
    expect(requests.map(r => `${r.method} ${r.url}`)).toEqual([
      'POST /rekor/api/v1/log/entries',
      'POST /rekor/api/v1/log/entries',
      'GET /rekor/api/v1/log/entries/u1'
    ])
  })

  it("never re-sends Fulcio's request (it holds the OIDC token) to another origin", async () => {
    const other = createServer((_, response) => response.end('{}'))
    await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve))
    const address = other.address()
    const port = typeof address === 'object' && address ? address.port : 0
    let reached = 0
    other.on('request', () => reached++)
    script = [
      {
        status: 307,
        body: '',
        headers: { Location: `http://127.0.0.1:${port}/api/v2/signingCert` }
      }
    ]
    requests = []
    await expect(
      requestCertificate(`${base}/fulcio`, { token: 'secret' }, limits)
    ).rejects.toThrow(/redirected a request with a body .*: not sent there/)
    expect(reached).toBe(0)
    await new Promise<void>(resolve => other.close(() => resolve()))
  })
})
