import type { RegistryFetch } from '../../../src/registry/http-fetch.js'
import { afterEach, describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import type { RequestListener } from 'node:http'
import { sha256Digest } from '../../../src/reference/grammar.js'
import { createRegistryClient } from '../../../src/registry/client.js'
import { startServer, type TestServer } from '../../support/http-server.js'

const noSleep = (): Promise<void> => Promise.resolve()
const MANIFEST = Buffer.from(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
)

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serve(handler: RequestListener): Promise<string> {
  server = await startServer(handler)
  return server.host
}

const client = (options: { retries?: number } = {}) =>
  createRegistryClient({
    credentials: () => undefined,
    retries: options.retries ?? 0,
    sleep: noSleep
  })

describe('registry client against small in-test servers', () => {
  it('hashes the manifest when HEAD has no Docker-Content-Digest', async () => {
    const host = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    })
    expect(await client().getDigest(parseImageName(`${host}/o/a`), 'v1')).toBe(
      sha256Digest(MANIFEST)
    )
  })

  it('takes the media type from the JSON when Content-Type is generic', async () => {
    const host = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
      res.end(MANIFEST)
    })
    expect(
      await client().getManifest(parseImageName(`${host}/o/a`), 'v1')
    ).toMatchObject({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: sha256Digest(MANIFEST)
    })
  })

  it('sends the manifest Accept header for HEAD and GET', async () => {
    const accepts: (string | undefined)[] = []
    const host = await serve((req, res) => {
      accepts.push(req.headers.accept)
      res.writeHead(404).end()
    })
    await client().getDigest(parseImageName(`${host}/o/a`), 'v1')
    await client().getManifest(parseImageName(`${host}/o/a`), 'v1')
    const expected =
      'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, ' +
      'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'
    expect(accepts).toEqual([expected, expected])
  })

  it('reports a challenge it cannot answer', async () => {
    const host = await serve((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Negotiate' }).end()
    })
    await expect(
      client().listTags(parseImageName(`${host}/o/a`))
    ).rejects.toThrow(
      `registry ${host}: 401 Unauthorized with an unsupported WWW-Authenticate challenge: Negotiate`
    )
  })

  it('says which registry is not an API when /v2/ is missing', async () => {
    const host = await serve((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html>')
    })
    await expect(client().ping(host)).rejects.toThrow(
      `registry ${host}: GET http://${host}/v2/: 404 Not Found`
    )
  })

  it('refuses an invalid reference before any request', async () => {
    let requests = 0
    const host = await serve((_req, res) => {
      requests++
      res.end()
    })
    await expect(
      client().getDigest(parseImageName(`${host}/o/a`), 'bad/tag')
    ).rejects.toThrow(
      `registry ${host}: invalid tag or digest "bad/tag" for o/a`
    )
    expect(requests).toBe(0)
  })
})

const DIGEST_INVALID = JSON.stringify({
  errors: [
    {
      code: 'DIGEST_INVALID',
      message: 'provided digest did not match uploaded content'
    },
    { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry' }
  ]
})

describe('putManifest answered 400 DIGEST_INVALID (distribution, another push writing a blob link)', () => {
  const OTHER = sha256Digest(Buffer.from('other bytes'))
  it.each([
    {
      name: 'by its own digest, once: lands on the second try',
      reference: sha256Digest(MANIFEST),
      refusals: 1,
      puts: 2,
      ended: sha256Digest(MANIFEST)
    },
    {
      name: 'under a tag, once: lands on the second try',
      reference: 'v1',
      refusals: 1,
      puts: 2,
      ended: sha256Digest(MANIFEST)
    },
    {
      name: 'by its own digest, every time: fails after the retries, saying why it tried',
      reference: sha256Digest(MANIFEST),
      refusals: 9,
      puts: 4,
      ended: expect.stringMatching(
        /failed after 4 attempts: 400 DIGEST_INVALID for bytes that are sha256:[0-9a-f]{64}: likely the registry misreading a blob/
      )
    },
    {
      name: 'by a digest the bytes are not: fails at once, as the registry said',
      reference: OTHER,
      refusals: 1,
      puts: 1,
      ended: expect.stringMatching(
        /: 400 Bad Request: DIGEST_INVALID: provided digest did not match uploaded content$/
      )
    }
  ])('$name', async ({ reference, refusals, puts, ended: expected }) => {
    let seen = 0
    const host = await serve((req, res) => {
      req.resume()
      seen += 1
      if (seen <= refusals)
        res
          .writeHead(400, { 'Content-Type': 'application/json' })
          .end(DIGEST_INVALID)
      else
        res
          .writeHead(201, { 'Docker-Content-Digest': sha256Digest(MANIFEST) })
          .end()
    })
    const put = client({ retries: 3 }).putManifest(
      parseImageName(`${host}/o/a`),
      reference,
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: sha256Digest(MANIFEST),
        body: MANIFEST
      }
    )
    const ended = await put.then(
      digest => digest,
      (failure: unknown) => (failure as Error).message
    )
    expect({ ended, seen }).toEqual({ ended: expected, seen: puts })
  })
})

describe('registry client: Docker Hub endpoint (fake fetch: no network here)', () => {
  it('talks to registry-1.docker.io over https with library/ and docker.io credentials', async () => {
    const urls: string[] = []
    const asked: string[] = []
    const fakeFetch: RegistryFetch = (url, init) => {
      urls.push(url.href)
      const authorization = new Headers(init.headers).get('authorization')
      return Promise.resolve(
        authorization === null
          ? new Response('{}', {
              status: 401,
              headers: { 'WWW-Authenticate': 'Basic realm="hub"' }
            })
          : Response.json({ name: 'library/alpine', tags: ['3.20'] })
      )
    }
    const hub = createRegistryClient({
      credentials: registry => {
        asked.push(registry)
        return { username: 'u', password: 'p' }
      },
      retries: 0,
      fetch: fakeFetch
    })
    expect(await hub.listTags(parseImageName('alpine'))).toEqual(['3.20'])
    expect(urls).toEqual([
      'https://registry-1.docker.io/v2/library/alpine/tags/list',
      'https://registry-1.docker.io/v2/library/alpine/tags/list'
    ])
    expect(new Set(asked)).toEqual(new Set(['docker.io']))
  })
})

describe('pingUploads: does the registry still answer where a push writes?', () => {
  it('asks for an upload that does not exist, and takes any status', async () => {
    const asked: string[] = []
    const host = await serve((req, res) => {
      asked.push(`${req.method} ${req.url}`)
      res.writeHead(404, { 'Content-Type': 'application/json' })
      res.end('{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]}')
    })
    await expect(
      client().pingUploads(parseImageName(`${host}/o/a`))
    ).resolves.toBeUndefined()
    expect(asked).toEqual([
      'GET /v2/o/a/blobs/uploads/docker-publish-action-liveness-probe'
    ])
  })

  it('rejects when no answer comes within the request timeout', async () => {
    const host = await serve(() => undefined) // holds every request
    const waiting = createRegistryClient({
      credentials: () => undefined,
      retries: 0,
      sleep: noSleep,
      requestTimeoutMs: 100
    })
    await expect(
      waiting.pingUploads(parseImageName(`${host}/o/a`))
    ).rejects.toThrow(/no response within 100 ms/)
  })
})
