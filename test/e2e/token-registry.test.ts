/**
 * The registry client against the REAL token-auth registry of the stack
 * (registry T: distribution 2.8 `auth: token` + scripts/stack/token-issuer.mjs),
 * the Bearer flow Docker Hub and GHCR use: 401 challenge → token from the
 * realm → retry. carol may push everywhere, dave only under dave/.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import type { Credentials } from '../../src/settings/logins.js'
import { parseImageName } from '../../src/reference/images.js'
import { createRegistryClient } from '../../src/registry/client.js'
import { RegistryError } from '../../src/registry/registry-error.js'
import {
  pushTestImage,
  type SeededImage,
  uniqueRepository
} from '../support/registry-seed.js'
import { stackEnv } from '../support/stack-env.js'
import { fetchToken, tokenAccess } from '../support/token-auth.js'

jest.setTimeout(30_000)

const { t: T } = stackEnv()
const carol = { username: T.username, password: T.password }
const dave = T.reader

function clientFor(account: Credentials | undefined) {
  return createRegistryClient({
    credentials: registry => (registry === T.host ? account : undefined),
    retries: 0
  })
}

/** Seeds with a token fetched for exactly this repository. */
async function seed(
  repository: string,
  tags: string[],
  account = carol
): Promise<SeededImage> {
  const scope = `repository:${repository}:pull,push`
  const token = await fetchToken(T, [scope], account)
  return pushTestImage({ host: T.host, token }, repository, { tags })
}

const repository = uniqueRepository('e2e-token')
let seeded: SeededImage

beforeAll(async () => {
  seeded = await seed(repository, ['1.0.0'])
})

describe('registry client against the token-auth registry', () => {
  it('lists tags and reads the digest with carol (Bearer)', async () => {
    const client = clientFor(carol)
    expect(
      await client.listTags(parseImageName(`${T.host}/${repository}`))
    ).toEqual(['1.0.0'])
    expect(
      await client.getDigest(parseImageName(`${T.host}/${repository}`), '1.0.0')
    ).toBe(seeded.manifest.digest)
  })

  it('puts a second tag with carol', async () => {
    const client = clientFor(carol)
    const image = parseImageName(`${T.host}/${repository}`)
    const manifest = await client.getManifest(image, '1.0.0')
    expect(manifest?.digest).toBe(seeded.manifest.digest)
    expect(await client.putManifest(image, 'stable', manifest!)).toBe(
      seeded.manifest.digest
    )
    expect((await client.listTags(image)).sort()).toEqual(['1.0.0', 'stable'])
  })

  it('mounts the blobs into another repository, then puts the manifest there', async () => {
    const client = clientFor(carol)
    const target = parseImageName(`${T.host}/${uniqueRepository('e2e-token')}`)
    const source = parseImageName(`${T.host}/${repository}`)
    for (const blob of [seeded.layer, seeded.config]) {
      await client.mountBlob(target, blob.digest, source)
    }
    const manifest = await client.getManifest(source, '1.0.0')
    expect(await client.putManifest(target, 'copy', manifest!)).toBe(
      seeded.manifest.digest
    )
    expect(await client.getDigest(target, 'copy')).toBe(seeded.manifest.digest)
  })

  it('lets dave read carol’s repository', async () => {
    const client = clientFor(dave)
    expect(
      await client.getDigest(parseImageName(`${T.host}/${repository}`), '1.0.0')
    ).toBe(seeded.manifest.digest)
  })

  it('refuses dave a tag outside dave/ with a RegistryError (401) that names the missing permission', async () => {
    const client = clientFor(dave)
    const image = parseImageName(`${T.host}/${repository}`)
    const manifest = await client.getManifest(image, '1.0.0')
    const put = client.putManifest(image, 'by-dave', manifest!)
    await expect(put).rejects.toThrow(RegistryError)
    await expect(put).rejects.toMatchObject({
      status: 401,
      message: `registry ${T.host}: user "${dave.username}" may not push to repository ${repository}: the login works, the permission is missing (insufficient_scope); grant that user push access there, or push under a repository it may write (401 Unauthorized)`
    })
    expect(await clientFor(carol).listTags(image)).not.toContain('by-dave')
  })

  it('lets dave copy carol’s image into dave/ by mounting', async () => {
    const client = clientFor(dave)
    const target = parseImageName(
      `${T.host}/${uniqueRepository(dave.username)}`
    )
    const source = parseImageName(`${T.host}/${repository}`)
    for (const blob of [seeded.layer, seeded.config]) {
      await client.mountBlob(target, blob.digest, source)
    }
    const manifest = await client.getManifest(source, '1.0.0')
    expect(await client.putManifest(target, 'mine', manifest!)).toBe(
      seeded.manifest.digest
    )
  })

  it('reads public/ anonymously but nothing else', async () => {
    const open = uniqueRepository('public')
    const image = await seed(open, ['1'])
    const client = clientFor(undefined)
    expect(
      await client.getDigest(parseImageName(`${T.host}/${open}`), '1')
    ).toBe(image.manifest.digest)
    await expect(
      client.getDigest(parseImageName(`${T.host}/${repository}`), '1.0.0')
    ).rejects.toThrow(
      `registry ${T.host}: authentication required (401 Unauthorized) without credentials`
    )
  })

  it('fails on a wrong password at the token server, never showing it', async () => {
    const client = clientFor({ username: carol.username, password: 'Wr0ng' })
    const listing = client.listTags(parseImageName(`${T.host}/${repository}`))
    await expect(listing).rejects.toThrow(
      `registry ${T.host}: authentication failed (401 Unauthorized) for user "${carol.username}"`
    )
    await expect(listing).rejects.toMatchObject({
      message: expect.not.stringContaining('Wr0ng')
    })
  })
})

describe('the token issuer', () => {
  it('grants what each account may have, for repeated and space-separated scopes', async () => {
    const scopes = ['repository:carol/a:pull,push', 'repository:dave/b:push']
    const joined = [scopes.join(' ')]
    expect(tokenAccess(await fetchToken(T, scopes, carol))).toEqual([
      { type: 'repository', name: 'carol/a', actions: ['pull', 'push'] },
      { type: 'repository', name: 'dave/b', actions: ['push'] }
    ])
    expect(tokenAccess(await fetchToken(T, joined, dave))).toEqual([
      { type: 'repository', name: 'carol/a', actions: ['pull'] },
      { type: 'repository', name: 'dave/b', actions: ['push'] }
    ])
    expect(
      tokenAccess(await fetchToken(T, ['repository:public/c:pull,push']))
    ).toEqual([{ type: 'repository', name: 'public/c', actions: ['pull'] }])
  })

  it('answers the OAuth2 POST (password, then refresh_token) as BuildKit asks', async () => {
    const post = (form: Record<string, string>) =>
      fetch(T.realm, { method: 'POST', body: new URLSearchParams(form) })
    const scope = 'repository:dave/x:pull,push repository:carol/y:push'
    const first = await post({
      grant_type: 'password',
      username: dave.username,
      password: dave.password,
      service: T.service,
      client_id: 'dpa-e2e',
      access_type: 'offline',
      scope
    })
    expect(first.status).toBe(200)
    const tokens = (await first.json()) as Record<string, string>
    expect(tokens.scope).toBe('repository:dave/x:pull,push')
    expect(tokenAccess(tokens.access_token)).toEqual([
      { type: 'repository', name: 'dave/x', actions: ['pull', 'push'] }
    ])
    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      service: T.service,
      client_id: 'dpa-e2e',
      scope: 'repository:dave/x:pull'
    })
    expect(refreshed.status).toBe(200)
    const again = (await refreshed.json()) as Record<string, string>
    expect(tokenAccess(again.access_token)).toEqual([
      { type: 'repository', name: 'dave/x', actions: ['pull'] }
    ])
    const wrong = await post({
      grant_type: 'password',
      username: dave.username,
      password: 'Wr0ng',
      service: T.service
    })
    expect(wrong.status).toBe(401)
  })
})
