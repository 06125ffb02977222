import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import {
  requestCertificate,
  requestIdToken,
  uploadEntry
} from '../../../src/signing/sigstore-client.js'
import {
  holdsStorageRecord,
  storeStorageRecord
} from '../../../src/signing/attestations-api.js'

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

describe("GitHub's artifact metadata API: a storage record", () => {
  const RECORDS = '{"storage_records":[{"id":7}]}'
  const limited = (status: number, retryAfter: string) => ({
    status,
    body: '{"message":"You have exceeded a secondary rate limit"}',
    headers: { 'Retry-After': retryAfter }
  })
  it.each<{
    name: string
    script: typeof script
    outcome: object
    waits: unknown[]
  }>([
    {
      name: 'a 503, then the record: tried again after the backoff',
      script: [
        { status: 503, body: '' },
        { status: 200, body: RECORDS }
      ],
      outcome: { ids: ['7'] },
      waits: [expect.any(Number)]
    },
    {
      name: 'a 429 with Retry-After: 2, then the record: tried again after 2 s',
      script: [limited(429, '2'), { status: 200, body: RECORDS }],
      outcome: { ids: ['7'] },
      waits: [2000]
    },
    {
      name: "a 403 with Retry-After (GitHub's secondary rate limit): tried again, not a refusal",
      script: [limited(403, '1'), { status: 200, body: RECORDS }],
      outcome: { ids: ['7'] },
      waits: [1000]
    },
    {
      name: 'a 403 without (no artifact-metadata: write): refused at once',
      script: [{ status: 403, body: '{"message":"Resource not accessible"}' }],
      outcome: { refused: 403, message: 'Resource not accessible' },
      waits: []
    },
    {
      name: 'a 404 (GHES, no such API): refused at once',
      script: [{ status: 404, body: '{"message":"Not Found"}' }],
      outcome: { refused: 404, message: 'Not Found' },
      waits: []
    },
    {
      name: 'a 502 every time: three attempts, then the fault',
      script: [{ status: 502, body: '' }],
      outcome: {
        error: expect.stringMatching(/failed after 3 attempts: .*HTTP 502/)
      },
      waits: [expect.any(Number), expect.any(Number)]
    }
  ])('$name', async ({ script: answers, outcome, waits }) => {
    script = answers
    requests = []
    const slept: number[] = []
    const access = {
      apiUrl: base,
      repository: 'octo/app',
      token: 't',
      limits: {
        ...limits,
        sleep: (ms: number) => Promise.resolve(void slept.push(ms))
      }
    }
    const record = {
      name: 'ghcr.io/octo/app',
      digest: 'sha256:ab',
      registryUrl: 'https://ghcr.io'
    }
    const settled = await storeStorageRecord(record, access).catch(
      (error: Error) => ({ error: error.message })
    )
    expect(settled).toEqual(outcome)
    expect(slept).toEqual(waits)
    expect(new Set(requests.map(r => `${r.method} ${r.url}`))).toEqual(
      new Set(['POST /orgs/octo/artifacts/metadata/storage-record'])
    )
  })

  it.each<{ name: string; answer: string; held: boolean }>([
    {
      name: 'a record of the image in its registry: held',
      answer:
        '{"storage_records":[{"name":"ghcr.io/octo/app","registry_url":"https://ghcr.io"}]}',
      held: true
    },
    {
      name: "another registry's record of the digest: not held",
      answer:
        '{"storage_records":[{"name":"ghcr.io/octo/app","registry_url":"https://quay.io"}]}',
      held: false
    },
    {
      name: 'none',
      answer: '{"total_count":0,"storage_records":[]}',
      held: false
    }
  ])('lists the records of a digest: $name', async ({ answer, held }) => {
    script = [{ status: 200, body: answer }]
    requests = []
    const access = { apiUrl: base, repository: 'octo/app', token: 't', limits }
    const record = {
      name: 'ghcr.io/octo/app',
      digest: 'sha256:ab',
      registryUrl: 'https://ghcr.io'
    }
    await expect(holdsStorageRecord(record, access)).resolves.toBe(held)
    expect(requests.map(r => `${r.method} ${r.url}`)).toEqual([
      'GET /orgs/octo/artifacts/sha256:ab/metadata/storage-records'
    ])
  })
})
