/**
 * OCI 1.1 referrers against a real HTTP registry in the test, once with the
 * referrers API (OCI-Subject, /v2/<name>/referrers/<digest>) and once
 * without it, as distribution 2.8 answers (the referrers tag scheme).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { parseImageName, type Image } from '../../../src/reference/images.js'
import { sha256Digest } from '../../../src/reference/grammar.js'
import {
  createRegistryClient,
  type RegistryClient
} from '../../../src/registry/client.js'
import type { Manifest } from '../../../src/registry/manifest.js'
import {
  ATTESTATION_ARTIFACT,
  EMPTY_CONFIG,
  EMPTY_CONFIG_BYTES,
  referrersTag,
  WITHDRAWN_ARTIFACT,
  withdrawalOf
} from '../../../src/registry/referrer-index.js'
import {
  attachAttestations,
  attachWithdrawal,
  copyReferrers,
  listReferrers
} from '../../../src/registry/referrers.js'
import type { RequestListener } from 'node:http'
import { startServer } from '../../support/http-server.js'
import {
  startReferrersRegistry,
  type ReferrersRegistry
} from '../../support/referrers-registry.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const encode = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value))
const manifestOf = (value: unknown, mediaType = MANIFEST): Manifest => {
  const body = encode(value)
  return { mediaType, digest: sha256Digest(body), body }
}
const descriptor = (m: Manifest) => ({
  mediaType: m.mediaType,
  digest: m.digest,
  size: m.body.length
})

let registries: ReferrersRegistry[] = []
afterEach(async () => {
  await Promise.all(registries.map(r => r.close()))
  registries = []
})

async function registry(api: boolean, ifMatch = false) {
  const started = await startReferrersRegistry({ api, ifMatch })
  registries.push(started)
  return started
}

const client = (): RegistryClient =>
  createRegistryClient({
    credentials: () => undefined,
    retries: 0,
    sleep: () => Promise.resolve()
  })

interface Seeded {
  index: Manifest
  platforms: Manifest[]
  statements: string[]
}

/** An index as buildx pushes it: two platforms, each with its attestation manifest. */
async function seedImage(c: RegistryClient, image: Image): Promise<Seeded> {
  const platforms: Manifest[] = []
  const attestations: Manifest[] = []
  const statements: string[] = []
  for (const arch of ['amd64', 'arm64']) {
    const config = await c.putBlob(image, encode({ architecture: arch }))
    const platform = manifestOf({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config,
        size: 1
      },
      layers: []
    })
    await c.putManifest(image, platform.digest, platform)
    const statementBytes = encode({
      predicateType: 'https://slsa.dev/provenance/v0.2',
      arch
    })
    const statement = await c.putBlob(image, statementBytes)
    statements.push(statement)
    const attestation = manifestOf({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config,
        size: 1
      },
      layers: [
        {
          mediaType: 'application/vnd.in-toto+json',
          digest: statement,
          size: statementBytes.length,
          annotations: {
            'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2'
          }
        }
      ]
    })
    await c.putManifest(image, attestation.digest, attestation)
    platforms.push(platform)
    attestations.push(attestation)
  }
  const index = manifestOf(
    {
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        ...platforms.map((p, i) => ({
          ...descriptor(p),
          platform: { os: 'linux', architecture: ['amd64', 'arm64'][i] }
        })),
        ...attestations.map((a, i) => ({
          ...descriptor(a),
          annotations: {
            'vnd.docker.reference.digest': platforms[i].digest,
            'vnd.docker.reference.type': 'attestation-manifest'
          },
          platform: { os: 'unknown', architecture: 'unknown' }
        }))
      ]
    },
    INDEX
  )
  await c.putManifest(image, '1.2.3', index)
  return { index, platforms, statements }
}

/** The manifest a registry holds, parsed. */
function stored(r: ReferrersRegistry, name: string, reference: string) {
  const repo = r.repository(name)
  const digest = reference.startsWith('sha256:')
    ? reference
    : repo.tags.get(reference)
  const manifest = digest === undefined ? undefined : repo.manifests.get(digest)
  if (manifest === undefined) throw new Error(`${name}:${reference} not stored`)
  return JSON.parse(manifest.body.toString('utf8')) as {
    mediaType: string
    artifactType?: string
    config: { mediaType: string; digest: string }
    layers: { digest: string }[]
    subject?: { digest: string; mediaType: string; size: number }
    manifests?: { digest: string; artifactType?: string }[]
  }
}

describe.each([
  { name: 'with the referrers API', api: true },
  { name: 'without it (distribution 2.8)', api: false }
])('attestations as referrers, $name', ({ api }) => {
  it('attaches each attestation to its platform manifest, once, and lists it', async () => {
    const r = await registry(api)
    const c = client()
    const image = parseImageName(`${r.host}/o/app`)
    const seeded = await seedImage(c, image)
    const attached = await attachAttestations(c, image, seeded.index.digest)
    expect(attached.map(a => [a.subject, a.scheme, a.written])).toEqual(
      seeded.platforms.map(p => [p.digest, api ? 'api' : 'tag', true])
    )
    for (const [i, referrer] of attached.entries()) {
      const json = stored(r, 'o/app', referrer.digest)
      expect(json).toMatchObject({
        mediaType: MANIFEST,
        artifactType: ATTESTATION_ARTIFACT,
        config: { mediaType: 'application/vnd.oci.empty.v1+json' },
        subject: descriptor(seeded.platforms[i])
      })
      // the very in-toto blobs buildx pushed: nothing new but `{}`
      expect(json.layers.map(l => l.digest)).toEqual([seeded.statements[i]])
      expect(await listReferrers(c, image, seeded.platforms[i].digest)).toEqual(
        [
          expect.objectContaining({
            digest: referrer.digest,
            artifactType: ATTESTATION_ARTIFACT
          })
        ]
      )
    }
    // the tag scheme's tags, and only in the tag scheme
    const tags = [...r.repository('o/app').tags.keys()].sort()
    expect(tags).toEqual(
      api
        ? ['1.2.3']
        : ['1.2.3', ...seeded.platforms.map(p => referrersTag(p.digest))].sort()
    )
    // the index keeps its embedded attestations (imagetools inspect reads them)
    expect(stored(r, 'o/app', '1.2.3').manifests).toHaveLength(4)
    // a re-run finds them listed and writes no list
    const again = await attachAttestations(c, image, seeded.index.digest)
    expect(again.map(a => a.written)).toEqual([false, false])
  })

  it('a copy carries the referrers of each platform manifest the index lists', async () => {
    const r = await registry(api)
    const c = client()
    const image = parseImageName(`${r.host}/o/app`)
    const seeded = await seedImage(c, image)
    const attached = await attachAttestations(c, image, seeded.index.digest)
    // the promoted image itself (promote's mount and copy steps)
    const target = parseImageName(`${r.host}/stable/app`)
    for (const m of [...seeded.platforms, seeded.index]) {
      for (const blob of [stored(r, 'o/app', m.digest).config?.digest ?? ''])
        if (blob !== '') await c.mountBlob(target, blob, image)
      await c.putManifest(target, m.digest, m)
    }
    const copied = await copyReferrers(c, image, seeded.index.digest, target)
    expect(copied.map(a => [a.digest, a.subject, a.written])).toEqual(
      attached.map(a => [a.digest, a.subject, true])
    )
    for (const p of seeded.platforms)
      expect(
        (await listReferrers(c, target, p.digest)).map(d => d.artifactType)
      ).toEqual([ATTESTATION_ARTIFACT])
    // copied again: nothing new, and nothing written at all
    const before = r.log.length
    const again = await copyReferrers(c, image, seeded.index.digest, target)
    expect(again.map(a => [a.scheme, a.written])).toEqual(
      attached.map(a => [a.scheme, false])
    )
    expect(r.log.slice(before).filter(l => /^(PUT|POST) /.test(l))).toEqual([])
  })
})

/** What a rollback records on the release it leaves. */
const WITHDRAWAL = {
  reason: '1.5.0 corrupts uploads',
  actor: 'octocat',
  run: 'https://github.com/o/app/actions/runs/9/attempts/1',
  time: '2026-11-26T21:00:00.000Z'
}

describe.each([
  { name: 'with the referrers API', api: true },
  { name: 'without it (distribution 2.8)', api: false }
])('the withdrawn mark, $name', ({ api }) => {
  it('is attached once to the digest, and read back from its referrers list alone', async () => {
    const r = await registry(api)
    const c = client()
    const image = parseImageName(`${r.host}/o/app`)
    const { index } = await seedImage(c, image)
    const before = await listReferrers(c, image, index.digest)
    expect(withdrawalOf(before)).toBeUndefined()
    const mark = await attachWithdrawal(c, image, index.digest, WITHDRAWAL)
    expect([mark.subject, mark.scheme, mark.written]).toEqual([
      index.digest,
      api ? 'api' : 'tag',
      true
    ])
    expect(stored(r, 'o/app', mark.digest)).toMatchObject({
      artifactType: WITHDRAWN_ARTIFACT,
      config: { mediaType: 'application/vnd.oci.empty.v1+json' },
      subject: { digest: index.digest, mediaType: INDEX }
    })
    const listed = await listReferrers(c, image, index.digest)
    expect(withdrawalOf(listed)).toEqual(WITHDRAWAL)
    // the same mark again (a re-run of the rollback) writes nothing
    const again = await attachWithdrawal(c, image, index.digest, WITHDRAWAL)
    expect(again.written).toBe(false)
  })
})

describe('withdrawalOf', () => {
  it.each([
    { name: 'no referrers', listed: [], expected: undefined },
    {
      name: 'referrers of other kinds only',
      listed: [{ artifactType: ATTESTATION_ARTIFACT }],
      expected: undefined
    },
    {
      name: 'two marks: the earliest',
      listed: [
        { artifactType: WITHDRAWN_ARTIFACT, time: '2026-11-27T08:00:00Z' },
        { artifactType: WITHDRAWN_ARTIFACT, time: '2026-11-26T21:00:00Z' }
      ],
      expected: '2026-11-26T21:00:00Z'
    }
  ])('$name', ({ listed, expected }) => {
    const found = withdrawalOf(
      listed.map((l, i) => ({
        mediaType: MANIFEST,
        digest: `sha256:${String(i).repeat(64)}`,
        size: 1,
        artifactType: l.artifactType,
        annotations: Object.fromEntries(
          'time' in l ? [['org.opencontainers.image.created', l.time]] : []
        )
      }))
    )
    expect(found?.time).toBe(expected)
  })
})

describe("image-spec 1.1's empty config", () => {
  it('is described by the digest and size of its bytes, `{}`', () => {
    expect(EMPTY_CONFIG).toMatchObject({
      digest: sha256Digest(EMPTY_CONFIG_BYTES),
      size: EMPTY_CONFIG_BYTES.length,
      data: Buffer.from('{}').toString('base64')
    })
  })
})

describe('the referrers tag scheme', () => {
  it('follows the spec: algorithm, "-", the encoded part cut to 64, other characters as "-"', () => {
    const hex = 'a'.repeat(64)
    expect(referrersTag(`sha256:${hex}`)).toBe(`sha256-${hex}`)
    expect(referrersTag(`sha512:${'b'.repeat(128)}`)).toBe(
      `sha512-${'b'.repeat(64)}`
    )
    expect(
      referrersTag(
        'test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+overall+truncation:alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation'
      )
    ).toBe(
      'test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacementAndLotsAndLot'
    )
  })

  it('a copy from an API registry to one without it lands in the referrers tag', async () => {
    const from = await registry(true)
    const to = await registry(false)
    const c = client()
    const image = parseImageName(`${from.host}/o/app`)
    const seeded = await seedImage(c, image)
    await attachAttestations(c, image, seeded.index.digest)
    const target = parseImageName(`${to.host}/o/app`)
    const copied = await copyReferrers(c, image, seeded.index.digest, target)
    expect(copied.map(a => [a.scheme, a.tag])).toEqual(
      seeded.platforms.map(p => ['tag', referrersTag(p.digest)])
    )
    const list = stored(to, 'o/app', referrersTag(seeded.platforms[0].digest))
    expect(list.mediaType).toBe(INDEX)
    expect(list.manifests?.map(m => m.digest)).toEqual([copied[0].digest])
  })

  it('a writer that changed the list meanwhile is kept: If-Match refuses, the list is read again', async () => {
    const r = await registry(false, true)
    const c = client()
    const image = parseImageName(`${r.host}/o/app`)
    const seeded = await seedImage(c, image)
    const tag = referrersTag(seeded.platforms[0].digest)
    const listed = (...names: string[]) =>
      names.map(name => ({
        mediaType: MANIFEST,
        digest: sha256Digest(encode(name)),
        size: name.length,
        artifactType: `application/vnd.example.${name}`
      }))
    const put = (names: string[]) => {
      const list = manifestOf(
        { schemaVersion: 2, mediaType: INDEX, manifests: listed(...names) },
        INDEX
      )
      const repo = r.repository('o/app')
      repo.manifests.set(list.digest, {
        contentType: INDEX,
        body: Buffer.from(list.body)
      })
      repo.tags.set(tag, list.digest)
    }
    put(['sbom'])
    let raced = false
    // another writer adds to the list between this run's read and its put
    r.beforePut = (_name, reference) => {
      if (reference !== tag || raced) return
      raced = true
      put(['sbom', 'signature'])
    }
    await attachAttestations(c, image, seeded.index.digest)
    expect(raced).toBe(true)
    expect(
      r.log.filter(line =>
        line.startsWith(`PUT /v2/o/app/manifests/${tag} 412`)
      )
    ).toHaveLength(1)
    expect(stored(r, 'o/app', tag).manifests?.map(m => m.artifactType)).toEqual(
      [
        'application/vnd.example.sbom',
        'application/vnd.example.signature',
        ATTESTATION_ARTIFACT
      ]
    )
  })

  it('a referrers tag that holds no index is left alone, and the run says so', async () => {
    const r = await registry(false)
    const c = client()
    const image = parseImageName(`${r.host}/o/app`)
    const seeded = await seedImage(c, image)
    const tag = referrersTag(seeded.platforms[0].digest)
    await c.putManifest(image, tag, seeded.platforms[1])
    await expect(
      attachAttestations(c, image, seeded.index.digest)
    ).rejects.toThrow(
      /is the referrers tag of a digest but holds application\/vnd\.oci\.image\.manifest\.v1\+json, not an OCI index/
    )
  })
})

describe('the referrers API as the client reads it', () => {
  /** A registry's answer to the referrers route; `page`, another origin's web page. */
  const answering =
    (status: number, body?: string): ((page: string) => RequestListener) =>
    () =>
    (_req, res) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body)
  it.each<{ name: string; answer: (page: string) => RequestListener }>([
    { name: '404, as the spec says', answer: answering(404) },
    {
      name: '404 MANIFEST_UNKNOWN, as GHCR answers (NVIDIA/aicr#1957)',
      answer: answering(
        404,
        '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'
      )
    },
    {
      name: "a redirect to another origin's page, as GHCR's has answered (artifacthub/hub#4785)",
      answer: page => (req, res) =>
        res.writeHead(303, { Location: `http://${page}/-/v2${req.url}` }).end()
    },
    {
      name: '400 for a route the registry does not know',
      answer: answering(400)
    },
    {
      name: '405 for a route the registry does not know',
      answer: answering(405)
    }
  ])('no API: $name', async ({ answer }) => {
    const page = await startServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>')
    )
    const server = await startServer(answer(page.host))
    try {
      expect(
        await client().getReferrers(
          parseImageName(`${server.host}/o/app`),
          sha256Digest(encode(1))
        )
      ).toBeUndefined()
    } finally {
      await Promise.all([server.close(), page.close()])
    }
  })

  it('reads every page the Link header names', async () => {
    const subject = sha256Digest(encode(1))
    const page = (digest: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX,
        manifests: [{ digest }]
      })
    const server = await startServer((req, res) => {
      const first = !(req.url ?? '').includes('last=')
      res.writeHead(200, {
        'Content-Type': INDEX,
        ...(first && {
          Link: `</v2/o/app/referrers/${subject}?last=a>; rel="next"`
        })
      })
      res.end(page(first ? 'sha256:a' : 'sha256:b'))
    })
    try {
      expect(
        (
          await client().getReferrers(
            parseImageName(`${server.host}/o/app`),
            subject
          )
        )?.map(d => d.digest)
      ).toEqual(['sha256:a', 'sha256:b'])
    } finally {
      await server.close()
    }
  })
})
