import { afterEach, describe, expect, it } from '@jest/globals'
import { parseImageName, type Image } from '../../../src/reference/images.js'
import {
  createRegistryClient,
  type RegistryClient
} from '../../../src/registry/client.js'
import type { RegistryFetch } from '../../../src/registry/http-fetch.js'
import {
  type FakeTokenRegistry,
  type FakeTokenRegistryOptions,
  startFakeTokenRegistry
} from '../../support/fake-token-registry.js'

const USER = 'alice'
const PASSWORD = 's3cret-Pa55'
const noSleep = (): Promise<void> => Promise.resolve()

let registry: FakeTokenRegistry | undefined
afterEach(async () => {
  await registry?.close()
  registry = undefined
})

async function setup(
  options: Partial<FakeTokenRegistryOptions> = {},
  /** null: no credentials for the registry. */
  password: string | null = PASSWORD
): Promise<{ fake: FakeTokenRegistry; client: RegistryClient; image: Image }> {
  const fake = await startFakeTokenRegistry({
    repository: 'o/app',
    username: USER,
    password: PASSWORD,
    tags: ['1.0.0', 'latest'],
    ...options
  })
  registry = fake
  const client = createRegistryClient({
    credentials: host =>
      host === fake.host && password !== null
        ? { username: USER, password }
        : undefined,
    retries: 2,
    sleep: noSleep
  })
  return { fake, client, image: parseImageName(`${fake.host}/o/app`) }
}

/** "METHOD path status auth-scheme" lines of the fake's log. */
const trace = (fake: FakeTokenRegistry): string[] =>
  fake.log.map(r =>
    [
      r.method,
      r.path.replace(/\?.*/, ''),
      r.status,
      r.authorization?.split(' ')[0] ?? '-'
    ].join(' ')
  )

describe('registry client: Bearer token flow', () => {
  it('answers the challenge with a token from the realm, then authenticates up front', async () => {
    const { fake, client, image } = await setup()
    expect(await client.listTags(image)).toEqual(['1.0.0', 'latest'])
    expect(await client.listTags(image)).toEqual(['1.0.0', 'latest'])
    expect(trace(fake)).toEqual([
      'GET /v2/o/app/tags/list 401 -',
      'GET /token 200 Basic',
      'GET /v2/o/app/tags/list 200 Bearer',
      'GET /v2/o/app/tags/list 200 Bearer'
    ])
  })

  it('shares one token between parallel first requests', async () => {
    const { fake, client, image } = await setup()
    await Promise.all([1, 2, 3].map(() => client.listTags(image)))
    expect(trace(fake).filter(line => line.includes('/token'))).toEqual([
      'GET /token 200 Basic'
    ])
  })

  it('asks the realm for the service and the scope, with the account', async () => {
    const { fake, client, image } = await setup()
    await client.listTags(image)
    const tokenRequest = new URL(`http://x${fake.log[1].path}`)
    expect(Object.fromEntries(tokenRequest.searchParams)).toEqual({
      service: 'fake-registry',
      scope: 'repository:o/app:pull',
      account: USER
    })
  })

  it('reads access_token as well as token', async () => {
    const { client, image } = await setup({ tokenField: 'access_token' })
    expect(await client.listTags(image)).toEqual(['1.0.0', 'latest'])
  })

  it('gets an anonymous token without credentials', async () => {
    const { fake, client, image } = await setup({}, null)
    expect(await client.listTags(image)).toEqual(['1.0.0', 'latest'])
    expect(trace(fake)).toEqual([
      'GET /v2/o/app/tags/list 401 -',
      'GET /token 200 -',
      'GET /v2/o/app/tags/list 200 Bearer'
    ])
  })

  it('fails at once, naming registry and user, when the token server refuses the password', async () => {
    const { fake, client, image } = await setup({}, 'wrong-password')
    const listing = client.listTags(image)
    await expect(listing).rejects.toThrow(
      new RegExp(
        `^registry ${fake.host}: authentication failed \\(401 Unauthorized\\) for user "alice"`
      )
    )
    await expect(listing).rejects.toMatchObject({
      message: expect.not.stringContaining('wrong-password')
    })
    expect(trace(fake)).toEqual([
      'GET /v2/o/app/tags/list 401 -',
      'GET /token 401 Basic'
    ])
  })

  it('fetches a new token once when the cached one expired', async () => {
    const { fake, client, image } = await setup()
    await client.listTags(image)
    fake.expireTokens()
    expect(await client.listTags(image)).toEqual(['1.0.0', 'latest'])
    expect(trace(fake).slice(3)).toEqual([
      'GET /v2/o/app/tags/list 401 Bearer',
      'GET /token 200 Basic',
      'GET /v2/o/app/tags/list 200 Bearer'
    ])
  })

  it('pushes with a pull,push token; a second tag is then one request', async () => {
    const { fake, client, image } = await setup()
    const body = new Uint8Array(Buffer.from('{"schemaVersion":2}'))
    const manifest = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: '',
      body
    }
    const digest = await client.putManifest(image, '1.0.1', manifest)
    const before = fake.log.length
    expect(await client.putManifest(image, 'latest', manifest)).toBe(digest)
    expect(trace(fake).slice(before)).toEqual([
      'PUT /v2/o/app/manifests/latest 201 Bearer'
    ])
    expect(
      new URL(`http://x${fake.log[1].path}`).searchParams.get('scope')
    ).toBe('repository:o/app:pull,push')
    expect(await client.getDigest(image, 'latest')).toBe(digest)
    expect(await client.getManifest(image, '1.0.1')).toEqual({
      mediaType: manifest.mediaType,
      digest,
      body
    })
  })

  it('reports a token that does not grant push as missing credentials', async () => {
    const { fake, client, image } = await setup({}, null)
    const manifest = {
      mediaType: 'application/json',
      digest: '',
      body: new Uint8Array([123, 125])
    }
    await expect(client.putManifest(image, 'x', manifest)).rejects.toThrow(
      `registry ${fake.host}: authentication required (401 Unauthorized) without credentials`
    )
  })

  it('pings without authenticating', async () => {
    const { fake, client } = await setup()
    await expect(client.ping(fake.host)).resolves.toBeUndefined()
    expect(trace(fake)).toEqual(['GET /v2/ 401 -'])
  })

  it('learns the scheme from the ping, so the next read meets no 401', async () => {
    const { fake, client, image } = await setup()
    await client.ping(fake.host)
    expect(await client.listTags(image)).toEqual(['1.0.0', 'latest'])
    expect(trace(fake)).toEqual([
      'GET /v2/ 401 -',
      'GET /token 200 Basic',
      'GET /v2/o/app/tags/list 200 Bearer'
    ])
  })
})

describe("pullToken: the gate's token, which may only pull", () => {
  it('is asked afresh for pull of each repository named, one scope parameter each', async () => {
    const { fake, client, image } = await setup()
    await client.listTags(image)
    const other = parseImageName(`${fake.host}/o/other`)
    expect(await client.pullToken([image, other])).toBe('t2')
    const asked = new URL(`http://x${fake.log.at(-1)?.path}`)
    expect(asked.pathname).toBe('/token')
    expect(asked.searchParams.getAll('scope')).toEqual([
      'repository:o/app:pull',
      'repository:o/other:pull'
    ])
  })

  it('is none where the registry answers with a Basic challenge', async () => {
    const basic: RegistryFetch = () =>
      Promise.resolve(
        new Response('{}', {
          status: 401,
          headers: { 'WWW-Authenticate': 'Basic realm="r"' }
        })
      )
    const client = createRegistryClient({
      credentials: () => ({ username: 'u', password: 'p' }),
      retries: 0,
      fetch: basic
    })
    const image = parseImageName('registry.example/o/app')
    expect(await client.pullToken([image])).toBeUndefined()
  })
})
