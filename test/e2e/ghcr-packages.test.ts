import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { parseImageName } from '../../src/reference/images.js'
import { createRegistryClient } from '../../src/registry/client.js'
import { httpFetch } from '../../src/registry/http-fetch.js'
import {
  GithubPackages,
  ghcrPackage
} from '../../src/cleanup/github-packages.js'
import { createGhcrStore } from '../../src/cleanup/ghcr-store.js'
import { untaggedRemovals } from '../../src/cleanup/cleanup-plan.js'
import { jsonManifest, OCI_MANIFEST } from '../../src/registry/manifest.js'
import {
  EMPTY_CONFIG,
  EMPTY_CONFIG_BYTES
} from '../../src/registry/referrer-index.js'
import { pushTestImage } from '../support/registry-seed.js'
import {
  cosignSign as seedSignature,
  plainTwin,
  pushIndex as seedIndex
} from '../support/ghcr-seed.js'
import { ghcrStack } from '../support/stack-env.js'
import { hostsFile, withHosts } from '../support/with-hosts.js'
import { listTags } from './registry-api.js'

// The GHCR stand-in (scripts/stack/lib/ghcr.sh): images are seeded through its plain twin, read
// and deleted through the GHCR store (GitHub's packages API and the registry), and judged over
// the registry's HTTP API. In this process ghcr.io:5444 is read through the plain twin, the same
// storage (jest's node neither resolves ghcr.io nor trusts the stack's CA); the name and TLS are
// checked through withHosts, as a step under test reaches them.

const ghcr = ghcrStack()
const plain = plainTwin(ghcr)
const run = promisify(execFile)
const pushIndex = (...args: [string, string | undefined, string[]?]) =>
  seedIndex(ghcr, ...args)
const cosignSign = (repository: string, digest: string) =>
  seedSignature(ghcr, repository, digest)

/** A registry client of ghcr.io:5444 whose requests go to the plain twin. */
const client = createRegistryClient({
  credentials: () => ({ username: ghcr.username, password: ghcr.password }),
  retries: 1,
  fetch: async (url, init) => {
    if (url.host !== ghcr.host) return httpFetch(url, init)
    const twin = new URL(url)
    twin.protocol = 'http:'
    twin.host = ghcr.plain
    const response = await httpFetch(twin, init)
    // the twin's absolute Location (an upload's) as ghcr.io's
    const get = (name: string) =>
      response.headers
        .get(name)
        ?.replace(`http://${ghcr.plain}`, `https://${ghcr.host}`) ?? null
    return { ...response, url: url.href, headers: { get } }
  }
})

const store = (token: string, repository: string) => {
  const pkg = ghcrPackage(imageOf(repository))
  if (pkg === undefined) throw new Error(`${repository} is no GHCR package`)
  return createGhcrStore(client, { apiUrl: ghcr.api, token }, pkg)
}

/** A package nobody else uses, of the organization octo-org or another owner. */
const newPackage = (owner = 'octo-org') =>
  `${owner}/e2e-${randomBytes(4).toString('hex')}`

/** The status of a GET of the manifest over the registry's API. */
async function manifestStatus(repository: string, reference: string) {
  const auth = Buffer.from(`${ghcr.username}:${ghcr.password}`).toString(
    'base64'
  )
  const response = await fetch(
    `http://${ghcr.plain}/v2/${repository}/manifests/${reference}`,
    {
      method: 'HEAD',
      headers: {
        Authorization: `Basic ${auth}`,
        Accept:
          'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json'
      }
    }
  )
  return response.status
}

const imageOf = (repository: string) =>
  parseImageName(`${ghcr.host}/${repository}`)

describe('the GHCR store on the stand-in', () => {
  it('reads every version: the tags, an index children, a signature, the times', async () => {
    const repository = newPackage()
    const [index, ...children] = await pushIndex(repository, 'latest')
    const single = await pushTestImage(plain, repository, { tags: ['v1'] })
    await cosignSign(repository, single.manifest.digest)
    const sigTag = `${single.manifest.digest.replace(':', '-')}.sig`

    const state = await store(ghcr.token, repository).read(imageOf(repository))

    expect(Object.keys(state.tags).sort()).toEqual(
      ['latest', 'v1', sigTag].sort()
    )
    expect(state.tags.latest).toBe(index)
    expect(state.tags.v1).toBe(single.manifest.digest)
    expect(Object.keys(state.manifests).sort()).toEqual(
      [index, ...children, single.manifest.digest, state.tags[sigTag]].sort()
    )
    expect(state.manifests[index].children).toEqual(children)
    for (const links of Object.values(state.manifests))
      expect(links.age?.source).toBe('package version')
  })

  it('deletes a manifest as its version, with its tags, and nothing else', async () => {
    const repository = newPackage()
    const [index, ...children] = await pushIndex(repository, 'latest')
    const single = await pushTestImage(plain, repository, {
      tags: ['v1', 'v1.0']
    })
    const ghcrStore = store(ghcr.token, repository)
    await ghcrStore.read(imageOf(repository))
    // pushed after the read, as a tombstone is
    const late = await pushTestImage(plain, repository, { tags: [] })

    await ghcrStore.deleteManifest(imageOf(repository), single.manifest.digest)
    await ghcrStore.deleteManifest(imageOf(repository), late.manifest.digest)

    expect(await listTags(plain, repository)).toEqual(['latest'])
    expect(await manifestStatus(repository, single.manifest.digest)).toBe(404)
    expect(await manifestStatus(repository, late.manifest.digest)).toBe(404)
    for (const digest of [index, ...children])
      expect(await manifestStatus(repository, digest)).toBe(200)
  })

  it('a read-only token deletes nothing, and the line names the permission and package', async () => {
    const repository = newPackage()
    const [index] = await pushIndex(repository, 'latest')
    await pushTestImage(plain, repository, { tags: ['v1'] })

    await expect(
      store(ghcr.readToken, repository).deleteManifest(
        imageOf(repository),
        index
      )
    ).rejects.toThrow(
      `cleanup: github-token may not delete versions of ${ghcr.host}/${repository} (HTTP 404 ` +
        '"Package not found."): give the job `permissions: packages: write` and this ' +
        "repository the Admin role in the package's settings"
    )
    expect(await listTags(plain, repository)).toEqual(['latest', 'v1'])
    expect(await manifestStatus(repository, index)).toBe(200)
  })

  it("passes on GitHub's refusal of the last tagged version", async () => {
    const repository = newPackage()
    const tagged = await pushTestImage(plain, repository, { tags: ['v1'] })
    await pushTestImage(plain, repository, { tags: [] })

    await expect(
      store(ghcr.token, repository).deleteManifest(
        imageOf(repository),
        tagged.manifest.digest
      )
    ).rejects.toThrow(
      '(HTTP 400 "You cannot delete the last tagged version of a package. You must delete the ' +
        'package instead.")'
    )
    expect(await listTags(plain, repository)).toEqual(['v1'])
  })

  it("lists a user's package over more than one page", async () => {
    const repository = newPackage('octocat')
    const pushed = await Promise.all(
      Array.from({ length: 34 }, () =>
        pushTestImage(plain, repository, { tags: [] })
      )
    )
    await pushTestImage(plain, repository, { tags: ['latest'] })
    const pkg = ghcrPackage(imageOf(repository)) ?? {
      owner: '',
      name: '',
      image: ''
    }
    const api = `${ghcr.api}/users/octocat/packages/container/${encodeURIComponent(pkg.name)}/versions`
    const firstPage = await fetch(api, {
      headers: { Authorization: `Bearer ${ghcr.token}` }
    })

    const versions = await new GithubPackages({
      apiUrl: ghcr.api,
      token: ghcr.token
    }).listVersions(pkg)

    expect(((await firstPage.json()) as unknown[]).length).toBe(30)
    expect(firstPage.headers.get('link')).toContain('page=2>; rel="last"')
    expect(new Set(versions.map(v => v.id)).size).toBe(35)
    expect(versions.map(v => v.digest)).toEqual(
      expect.arrayContaining(pushed.map(p => p.manifest.digest))
    )
  })

  it('deletes exactly what no tag reaches: an earlier index and its own child', async () => {
    const repository = newPackage()
    const shared = randomBytes(6).toString('hex')
    const [oldIndex, , oldChild] = await pushIndex(repository, undefined, [
      shared
    ])
    const latest = await pushIndex(repository, 'latest', [shared])
    const ghcrStore = store(ghcr.token, repository)

    const state = await ghcrStore.read(imageOf(repository))
    const removals = untaggedRemovals(
      state,
      { olderThanMs: 0, keep: 0 },
      new Date()
    )
    for (const removal of removals)
      await ghcrStore.deleteManifest(imageOf(repository), removal.digest)

    expect(removals.map(r => r.digest)).toEqual([oldIndex, oldChild])
    expect(await manifestStatus(repository, oldIndex)).toBe(404)
    expect(await manifestStatus(repository, oldChild)).toBe(404)
    for (const digest of latest)
      expect(await manifestStatus(repository, digest)).toBe(200)
  })

  it('removes a tag through a tombstone, leaving its digest to the other tag', async () => {
    const repository = newPackage()
    const image = imageOf(repository)
    const held = await pushTestImage(plain, repository, {
      tags: ['pr-7', 'main-abc123']
    })
    const ghcrStore = store(ghcr.token, repository)
    await ghcrStore.read(image)
    const tombstone = jsonManifest(OCI_MANIFEST, {
      config: EMPTY_CONFIG,
      layers: [EMPTY_CONFIG],
      annotations: {
        'org.opencontainers.image.description': `removes pr-7 ${randomBytes(4).toString('hex')}`
      }
    })
    await client.putBlob(image, EMPTY_CONFIG_BYTES)
    await client.putManifest(image, 'pr-7', tombstone)

    await ghcrStore.deleteManifest(image, tombstone.digest)

    expect(await listTags(plain, repository)).toEqual(['main-abc123'])
    expect(await manifestStatus(repository, 'main-abc123')).toBe(200)
    expect(await manifestStatus(repository, held.manifest.digest)).toBe(200)
  })
})

describe('ghcr.io, the registry', () => {
  it('refuses the registry API DELETE as GHCR does', async () => {
    const repository = newPackage()
    const image = await pushTestImage(plain, repository, { tags: ['v1'] })
    await expect(
      client.deleteManifest(imageOf(repository), image.manifest.digest)
    ).rejects.toThrow(/405.*UNSUPPORTED|UNSUPPORTED.*405/)
    expect(await listTags(plain, repository)).toEqual(['v1'])
  })

  it('answers as ghcr.io over TLS where a step resolves the name', async () => {
    const launcher = withHosts(hostsFile({ '127.0.0.1': 'ghcr.io' }))
    const [command, ...args] = launcher
    const { stdout } = await run(command, [
      ...args,
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--cacert',
      ghcr.ca,
      `https://${ghcr.host}/v2/`
    ])
    expect(stdout).toBe('401')
  })
})
