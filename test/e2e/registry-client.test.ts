/**
 * The registry client against the REAL stack registries (docker distribution
 * 2.8, htpasswd Basic auth, plain http on 127.0.0.1), directly and through
 * the fault proxy. No docker: test images are uploaded over HTTP.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { parseImageName } from '../../src/reference/images.js'
import {
  createRegistryClient,
  type RegistryClientOptions
} from '../../src/registry/client.js'
import { sha256Digest } from '../../src/reference/grammar.js'
import {
  type Fault,
  type FaultProxy,
  startFaultProxy
} from '../support/fault-proxy.js'
import { unusedPort } from '../support/http-server.js'
import { refusingRegistryForSuite } from '../support/refusing-registry.js'
import {
  pushTestImage,
  type SeededImage,
  uniqueRepository,
  uploadBlob
} from '../support/registry-seed.js'
import { stackEnv, type StackRegistry } from '../support/stack-env.js'

jest.setTimeout(30_000)

const { a: A, b: B } = stackEnv()

/** Credentials for the stack registries, and for proxies in front of them. */
const proxied = new Map<string, StackRegistry>()
function credentials(registry: string) {
  const known = [A, B].find(r => r.host === registry) ?? proxied.get(registry)
  return known && { username: known.username, password: known.password }
}

function recordingClient(options: Partial<RegistryClientOptions> = {}) {
  const sleeps: number[] = []
  const client = createRegistryClient({
    credentials,
    retries: 3,
    sleep: ms => {
      sleeps.push(ms)
      return Promise.resolve()
    },
    ...options
  })
  return { client, sleeps }
}

let proxy: FaultProxy | undefined
async function proxyToA(
  faults: Fault[] = [],
  paginateTags = false
): Promise<FaultProxy> {
  proxy = await startFaultProxy({ target: A.host, faults, paginateTags })
  proxied.set(proxy.host, A)
  return proxy
}
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

const repository = uniqueRepository('e2e-client')
const imageA = parseImageName(`${A.host}/${repository}`)
let seeded: SeededImage

beforeAll(async () => {
  seeded = await pushTestImage(A, repository, { tags: ['1.0.0'] })
})

describe('registry client against the real registries', () => {
  it('pings both registries (401 counts as reachable)', async () => {
    const { client } = recordingClient()
    await expect(client.ping(A.host)).resolves.toBeUndefined()
    await expect(client.ping(B.host)).resolves.toBeUndefined()
  })

  it('lists the tags and resolves the digest of the uploaded manifest', async () => {
    const { client } = recordingClient()
    expect(await client.listTags(imageA)).toEqual(['1.0.0'])
    const digest = await client.getDigest(imageA, '1.0.0')
    expect(digest).toBe(sha256Digest(seeded.manifest.bytes))
    expect(digest).toBe(seeded.manifest.digest)
  })

  it('gets the manifest bytes, media type, digest and the ETag a conditional put sends back', async () => {
    const { client } = recordingClient()
    const manifest = await client.getManifest(imageA, '1.0.0')
    expect(manifest).toEqual({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: seeded.manifest.digest,
      body: seeded.manifest.bytes,
      // distribution 2.8 quotes the digest as the ETag
      etag: `"${seeded.manifest.digest}"`
    })
  })

  it('answers undefined / [] for what does not exist', async () => {
    const { client } = recordingClient()
    expect(await client.getDigest(imageA, 'no-such-tag')).toBeUndefined()
    expect(await client.getManifest(imageA, 'no-such-tag')).toBeUndefined()
    expect(
      await client.listTags(
        parseImageName(`${A.host}/e2e-client/none-${Date.now()}`)
      )
    ).toEqual([])
  })

  it('points a second tag at the manifest with one PUT', async () => {
    const via = await proxyToA()
    const { client } = recordingClient()
    const image = parseImageName(`${via.host}/${repository}`)
    const manifest = await client.getManifest(image, '1.0.0')
    expect(manifest).toBeDefined()
    via.resetCounters()
    const digest = await client.putManifest(image, 'latest', manifest!)
    expect(digest).toBe(seeded.manifest.digest)
    expect(via.requests).toEqual([
      {
        method: 'PUT',
        path: `/v2/${repository}/manifests/latest`,
        outcome: 201,
        forwarded: true
      }
    ])
    expect(await client.getDigest(imageA, 'latest')).toBe(digest)
  })

  it('points several tags in parallel, one PUT each', async () => {
    const via = await proxyToA()
    const { client } = recordingClient()
    const image = parseImageName(`${via.host}/${repository}`)
    const manifest = await client.getManifest(image, '1.0.0')
    via.resetCounters()
    const tags = ['1', '1.0', 'stable']
    const digests = await Promise.all(
      tags.map(tag => client.putManifest(image, tag, manifest!))
    )
    expect(digests).toEqual(tags.map(() => seeded.manifest.digest))
    expect(via.requests.map(r => `${r.method} ${r.outcome}`)).toEqual(
      tags.map(() => 'PUT 201')
    )
  })

  it('reports the registry error for a manifest whose blobs are missing', async () => {
    const { client, sleeps } = recordingClient()
    const manifest = {
      mediaType: seeded.manifest.mediaType,
      digest: seeded.manifest.digest,
      body: seeded.manifest.bytes
    }
    await expect(
      client.putManifest(
        parseImageName(`${B.host}/${uniqueRepository('e2e-client')}`),
        'x',
        manifest
      )
    ).rejects.toThrow(
      new RegExp(
        `^registry ${B.host}: PUT http://${B.host}/v2/e2e-client/\\w+/manifests/x: 400 Bad Request: MANIFEST_BLOB_UNKNOWN: blob unknown to registry$`
      )
    )
    expect(sleeps).toEqual([])
  })

  it('fails at once on a wrong password, naming registry and user, never the password', async () => {
    const { client, sleeps } = createWrongPasswordClient()
    const listing = client.listTags(imageA)
    await expect(listing).rejects.toThrow(
      `registry ${A.host}: authentication failed (401 Unauthorized) for user "${A.username}"`
    )
    await expect(listing).rejects.toMatchObject({
      message: expect.not.stringContaining('Wr0ngPassw0rd')
    })
    expect(sleeps).toEqual([])
  })

  it('says when a registry wants credentials and has none', async () => {
    const client = createRegistryClient({
      credentials: () => undefined,
      retries: 3
    })
    await expect(client.getDigest(imageA, '1.0.0')).rejects.toThrow(
      `registry ${A.host}: authentication required (401 Unauthorized) without credentials`
    )
  })

  it('fails after the retries with a clear message when nothing listens', async () => {
    const host = `127.0.0.1:${await unusedPort()}`
    const { client, sleeps } = recordingClient({ retries: 2 })
    await expect(client.ping(host)).rejects.toThrow(
      `registry ${host}: GET http://${host}/v2/ failed after 3 attempts: connection refused (ECONNREFUSED)`
    )
    expect(sleeps).toHaveLength(2)
  })

  // distribution 2.8 ignores ?n= on tags/list; the proxy pages its real
  // answer the way distribution 3 and GHCR do (Link rel="next").
  it('follows Link pages (page size 2) to list every tag', async () => {
    const paged = uniqueRepository('e2e-client')
    const tags = ['t1', 't2', 't3', 't4', 't5']
    await pushTestImage(A, paged, { tags })
    const via = await proxyToA([], true)
    const { client } = recordingClient({ pageSize: 2 })
    expect(
      (await client.listTags(parseImageName(`${via.host}/${paged}`))).sort()
    ).toEqual(tags)
    const pages = via.requests.filter(r => r.outcome === 200).map(r => r.path)
    expect(pages).toEqual([
      `/v2/${paged}/tags/list?n=2`,
      `/v2/${paged}/tags/list?last=t2&n=2`,
      `/v2/${paged}/tags/list?last=t4&n=2`
    ])
  })
})

function createWrongPasswordClient() {
  const sleeps: number[] = []
  const client = createRegistryClient({
    credentials: () => ({ username: A.username, password: 'Wr0ngPassw0rd' }),
    retries: 3,
    sleep: ms => {
      sleeps.push(ms)
      return Promise.resolve()
    }
  })
  return { client, sleeps }
}

// distribution's own defaults (no blob descriptor cache), as the refusing registry and many
// self-hosted ones run: the stack's registries cache blob descriptors, which hides the race
describe('registry client against distribution without a blob descriptor cache', () => {
  const refusing = refusingRegistryForSuite()

  it('puts a manifest while another push uploads a blob it names again (distribution answers DIGEST_INVALID while it rewrites the link): every PUT lands', async () => {
    const target = refusing()
    const { client, sleeps } = recordingClient({ credentials: () => target })
    const repo = uniqueRepository('e2e-client')
    const seeded = await pushTestImage(target, repo, { tags: [] })
    const { digest, mediaType, bytes } = seeded.manifest
    const image = parseImageName(`${target.host}/${repo}`)
    let writing = true
    const writer = (async () => {
      while (writing) await uploadBlob(target, repo, seeded.layer)
    })()
    // until the registry misread at least 3 times (about 2 PUTs in 100 here), at most 3,000 PUTs
    let puts = 0
    try {
      for (; sleeps.length < 3 && puts < 3000; puts++)
        expect(
          await client.putManifest(image, digest, {
            mediaType,
            digest,
            body: bytes
          })
        ).toBe(digest)
    } finally {
      writing = false
      await writer
    }
    expect({ misread: sleeps.length >= 3, puts }).toEqual({
      misread: true,
      puts: expect.any(Number)
    })
  })
})

describe('registry client through the fault proxy', () => {
  const outcomes = (via: FaultProxy) => via.requests.map(r => r.outcome)

  it.each([
    {
      name: '503 twice, then success',
      fault: { kind: 'status', status: 503, times: 2 } as Fault,
      first: [503, 503]
    },
    {
      name: 'connection reset twice, then success',
      fault: { kind: 'reset', times: 2 } as Fault,
      first: ['reset', 'reset']
    }
  ])('$name (retries 3)', async ({ fault, first }) => {
    const via = await proxyToA([fault])
    const { client, sleeps } = recordingClient({ retries: 3 })
    expect(
      await client.listTags(parseImageName(`${via.host}/${repository}`))
    ).toContain('1.0.0')
    expect(sleeps).toHaveLength(2)
    expect(outcomes(via).slice(0, 2)).toEqual(first)
    expect(outcomes(via).slice(2)).toEqual([401, 200])
  })

  it('waits the Retry-After of a 429, then succeeds', async () => {
    const via = await proxyToA([
      { kind: 'status', status: 429, retryAfterSeconds: 1, times: 1 }
    ])
    const { client, sleeps } = recordingClient({ retries: 3 })
    expect(
      await client.getDigest(
        parseImageName(`${via.host}/${repository}`),
        '1.0.0'
      )
    ).toBe(seeded.manifest.digest)
    expect(sleeps).toEqual([1000])
  })

  it('gives up after retries + 1 attempts on a persistent 503', async () => {
    const via = await proxyToA([{ kind: 'status', status: 503 }])
    const { client, sleeps } = recordingClient({ retries: 2 })
    const image = parseImageName(`${via.host}/${repository}`)
    await expect(client.listTags(image)).rejects.toThrow(
      `registry ${via.host}: GET http://${via.host}/v2/${repository}/tags/list failed after 3 attempts: 503 Service Unavailable: UNAVAILABLE: injected by the fault proxy (503)`
    )
    expect(outcomes(via)).toEqual([503, 503, 503])
    expect(sleeps).toHaveLength(2)
  })

  it('times out a hanging registry and gives up after the retries', async () => {
    const via = await proxyToA([{ kind: 'hang' }])
    const { client } = recordingClient({ retries: 1, requestTimeoutMs: 500 })
    await expect(
      client.getDigest(parseImageName(`${via.host}/${repository}`), '1.0.0')
    ).rejects.toThrow(
      `registry ${via.host}: HEAD http://${via.host}/v2/${repository}/manifests/1.0.0 failed after 2 attempts: no response within 500 ms`
    )
    expect(outcomes(via)).toEqual(['hang', 'hang'])
  })

  it('forwards blob uploads and counts their bytes', async () => {
    const via = await proxyToA()
    const pushed = await pushTestImage(
      { ...A, host: via.host },
      uniqueRepository('e2e-client'),
      { tags: ['v1'] }
    )
    expect(via.blobUploadBytes).toBe(
      pushed.layer.bytes.length + pushed.config.bytes.length
    )
    const { client } = recordingClient()
    expect(
      await client.getDigest(
        parseImageName(`${A.host}/${pushed.repository}`),
        'v1'
      )
    ).toBe(pushed.manifest.digest)
  })
})

afterAll(() => {
  proxied.clear()
})
