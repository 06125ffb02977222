/**
 * referrers: true and promote's copy on distribution 2.8 (registries A and
 * B), which has no referrers API: the attestations land in the referrers
 * tag scheme. Judged over the registry's own HTTP API, and the signature
 * beside them by the real cosign 2.5.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { listTags } from './registry-api.js'
import { randomBytes } from 'node:crypto'
import { runMain, runPost } from './runner.js'
import { HELLO, RELEASE_TAGS, runHello } from './releases.js'
import { credentials, loginsFor, runnerEnv, uniqueRepo } from './steps.js'
import {
  stackEnv,
  type StackEnv,
  type StackRegistry
} from '../support/stack-env.js'
import {
  cosignVerify,
  generateKeyPair,
  type KeyPair
} from '../support/cosign.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const ATTESTATION = 'application/vnd.docker.attestation.manifest.v1+json'

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  platform?: { os: string; architecture: string }
}
interface ManifestJson {
  mediaType: string
  artifactType?: string
  config?: Descriptor
  layers?: Descriptor[]
  manifests?: Descriptor[]
  subject?: Descriptor
}

let stack: StackEnv
let keys: KeyPair

beforeAll(async () => {
  stack = stackEnv()
  keys = await generateKeyPair('correct horse')
})

const basic = (r: StackRegistry) =>
  `Basic ${Buffer.from(`${r.username}:${r.password}`).toString('base64')}`

/** A manifest's JSON over plain HTTP, and its status. */
async function getJson(
  r: StackRegistry,
  path: string
): Promise<{ status: number; json: ManifestJson }> {
  const response = await fetch(`http://${r.host}${path}`, {
    headers: { Authorization: basic(r), Accept: `${INDEX}, ${MANIFEST}` }
  })
  const text = await response.text()
  return {
    status: response.status,
    json: (response.ok ? JSON.parse(text) : {}) as ManifestJson
  }
}

const manifest = async (r: StackRegistry, repo: string, ref: string) =>
  (await getJson(r, `/v2/${repo}/manifests/${ref}`)).json

const referrersTag = (digest: string) => digest.replace(':', '-')

/** The image's platform manifests and the attestation manifest buildx embedded for each. */
async function embedded(r: StackRegistry, repo: string, digest: string) {
  const index = await manifest(r, repo, digest)
  const entries = index.manifests ?? []
  const attestations = entries.filter(
    e => e.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
  )
  return {
    platforms: entries.filter(e => e.platform?.os === 'linux'),
    attestations
  }
}

/**
 * Each platform manifest's referrers tag holds an OCI index of one
 * attestation referrer whose subject is that manifest and whose layers are
 * the in-toto statements buildx embedded for it.
 */
async function expectAttached(r: StackRegistry, repo: string, digest: string) {
  const { platforms, attestations } = await embedded(r, repo, digest)
  expect(platforms).toHaveLength(2)
  const referrers: string[] = []
  for (const platform of platforms) {
    const list = await manifest(r, repo, referrersTag(platform.digest))
    expect(list.mediaType).toBe(INDEX)
    expect(list.manifests).toEqual([
      expect.objectContaining({
        mediaType: MANIFEST,
        artifactType: ATTESTATION
      })
    ])
    const referrer = await manifest(r, repo, list.manifests?.[0].digest ?? '')
    expect(referrer).toMatchObject({
      artifactType: ATTESTATION,
      config: { mediaType: 'application/vnd.oci.empty.v1+json' },
      subject: {
        mediaType: platform.mediaType,
        digest: platform.digest,
        size: platform.size
      }
    })
    const source = attestations.find(
      a => a.annotations?.['vnd.docker.reference.digest'] === platform.digest
    )
    const embeddedLayers = (await manifest(r, repo, source?.digest ?? ''))
      .layers
    expect(referrer.layers?.map(l => l.digest)).toEqual(
      embeddedLayers?.map(l => l.digest)
    )
    expect(referrer.layers?.[0].annotations).toMatchObject({
      'in-toto.io/predicate-type': expect.stringMatching(
        /slsa\.dev\/provenance/
      )
    })
    referrers.push(list.manifests?.[0].digest ?? '')
  }
  return { platforms: platforms.map(p => p.digest), referrers }
}

describe('referrers: true on distribution 2.8 (the referrers tag scheme)', () => {
  let repo: string
  let digest: string
  let attached: { platforms: string[]; referrers: string[] }

  it('attaches the provenance of each platform: the tag list is the asked tags, one referrers tag per platform and the signature', async () => {
    const { a } = stack
    repo = uniqueRepo('referrers')
    const main = await runHello(a, repo, {
      platforms: 'linux/amd64,linux/arm64',
      provenance: 'mode=max',
      referrers: 'true',
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': keys.password
    })
    expect(
      main.stdout.split('\n').filter(l => l.startsWith('::error::'))
    ).toEqual([])
    expect(main.code).toBe(0)
    digest = main.outputs.digest
    // no referrers API here: the spec's fallback applies
    expect((await getJson(a, `/v2/${repo}/referrers/${digest}`)).status).toBe(
      404
    )
    attached = await expectAttached(a, repo, digest)
    expect(await listTags(a, repo)).toEqual(
      [
        ...RELEASE_TAGS,
        ...attached.platforms.map(referrersTag),
        `${referrersTag(digest)}.sig`
      ].sort()
    )
    // the index keeps buildx's embedded attestations (imagetools inspect reads them)
    expect((await embedded(a, repo, digest)).attestations).toHaveLength(2)
    expect(main.stdout).toMatch(/referrers tag sha256-[0-9a-f]{64}/)
    // the signature beside them still verifies with the real cosign
    const verified = await cosignVerify(
      `${a.host}/${repo}:1.2.3`,
      keys.publicKeyFile,
      [a]
    )
    expect(verified.code).toBe(0)
  })

  it('a re-run writes no referrer again', async () => {
    const { a } = stack
    const before = await listTags(a, repo)
    const lists = await Promise.all(
      attached.platforms.map(p => manifest(a, repo, referrersTag(p)))
    )
    const main = await runHello(a, repo, {
      platforms: 'linux/amd64,linux/arm64',
      provenance: 'mode=max',
      referrers: 'true'
    })
    expect(main.code).toBe(0)
    expect(main.outputs.digest).toBe(digest)
    expect(main.stdout).toContain('(already there)')
    expect(await listTags(a, repo)).toEqual(before)
    expect(
      await Promise.all(
        attached.platforms.map(p => manifest(a, repo, referrersTag(p)))
      )
    ).toEqual(lists)
  })

  it.each([
    { name: 'to another registry (imagetools)', target: 'b' as const },
    { name: 'within the registry (mounts)', target: 'a' as const }
  ])('promote $name carries the referrers', async ({ target }) => {
    const { a } = stack
    const to = stack[target]
    const promoted = uniqueRepo('referrers-promoted')
    const main = await runMain(
      {
        mode: 'promote',
        source: `${a.host}/${repo}:1.2.3`,
        images: `${to.host}/${promoted}`,
        logins: loginsFor(a, stack.b)
      },
      runnerEnv('push-tag')
    )
    expect(
      main.stdout.split('\n').filter(l => l.startsWith('::error::'))
    ).toEqual([])
    expect(main.code).toBe(0)
    expect(main.outputs.digest).toBe(digest)
    const carried = await expectAttached(to, promoted, digest)
    expect(carried).toEqual(attached)
    expect(await listTags(to, promoted)).toEqual(
      [
        ...RELEASE_TAGS,
        ...attached.platforms.map(referrersTag),
        `${referrersTag(digest)}.sig`
      ].sort()
    )
  })
})

describe('referrers: true in the merge job', () => {
  it('attaches the attestations each digest leg built to its platform manifest', async () => {
    const { a } = stack
    const repo = uniqueRepo('referrers-merge')
    const run = {
      GITHUB_RUN_ID: String(randomBytes(4).readUInt32BE()),
      GITHUB_RUN_ATTEMPT: '1'
    }
    const job = async (inputs: Record<string, string>) => {
      const env = runnerEnv('push-tag', run)
      const main = await runMain(
        {
          images: `${a.host}/${repo}`,
          ...credentials(a),
          context: HELLO,
          provenance: 'mode=max',
          ...inputs
        },
        env
      )
      await runPost(main, env)
      return main
    }
    for (const platform of ['linux/amd64', 'linux/arm64'])
      expect((await job({ mode: 'digest', platforms: platform })).code).toBe(0)
    const merge = await job({
      mode: 'merge',
      platforms: 'linux/amd64,linux/arm64',
      referrers: 'true'
    })
    expect(
      merge.stdout.split('\n').filter(l => l.startsWith('::error::'))
    ).toEqual([])
    expect(merge.code).toBe(0)
    const { platforms } = await expectAttached(a, repo, merge.outputs.digest)
    expect(await listTags(a, repo)).toEqual(
      [...RELEASE_TAGS, ...platforms.map(referrersTag)].sort()
    )
  })
})

describe('referrers left empty', () => {
  it("buildx's default provenance alone (no input asks) writes no referrer: it stays in the index only", async () => {
    const { a } = stack
    const repo = uniqueRepo('no-referrers')
    const main = await runHello(a, repo, {
      platforms: 'linux/amd64,linux/arm64'
    })
    expect(main.code).toBe(0)
    expect(await listTags(a, repo)).toEqual(RELEASE_TAGS)
    expect(
      (await embedded(a, repo, main.outputs.digest)).attestations
    ).toHaveLength(2)
  })

  it('provenance asked for attaches it; referrers: false keeps it in the index only', async () => {
    const { a } = stack
    const publish = async (inputs: Record<string, string>) => {
      const repo = uniqueRepo('asked-referrers')
      const main = await runHello(a, repo, {
        platforms: 'linux/amd64,linux/arm64',
        provenance: 'mode=max',
        ...inputs
      })
      expect(main.code).toBe(0)
      return listTags(a, repo)
    }
    const asked = await publish({})
    expect(asked.filter(tag => /^sha256-[0-9a-f]{64}$/.test(tag))).toHaveLength(
      2
    )
    expect(await publish({ referrers: 'false' })).toEqual(RELEASE_TAGS)
  })
})
