import { beforeAll, describe, expect, it } from '@jest/globals'
import { runMain, runPost } from './runner.js'
import { INDEX_ANNOTATION_KEYS } from './releases.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'

// build-push-action's attestation inputs, merged as it merges them: on the
// stack's builder (buildx's docker driver, containerd image store) the
// image lands as the trio's does.

let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

interface Entry {
  mediaType: string
  platform?: { os: string; architecture: string }
  annotations?: Record<string, string>
}

/** The media type of what a tag points at, and its entries (an index's). */
async function pointed(repo: string, tag: string) {
  const { a } = stack
  const response = await fetch(`http://${a.host}/v2/${repo}/manifests/${tag}`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`,
      Accept:
        'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
    }
  })
  const body = (await response.json()) as {
    mediaType: string
    manifests?: Entry[]
    annotations?: Record<string, string>
  }
  const entries = body.manifests ?? []
  return {
    mediaType: body.mediaType,
    platforms: entries
      .filter(e => e.platform?.os !== 'unknown')
      .map(e => `${e.platform?.os}/${e.platform?.architecture}`),
    indexAnnotations: Object.keys(body.annotations ?? {}),
    attestations: entries.filter(
      e =>
        e.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
    ).length
  }
}

async function publish(
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {}
) {
  const { a } = stack
  const repo = uniqueRepo('attest')
  const env = runnerEnv('push-tag', extraEnv)
  const main = await runMain(
    {
      images: `${a.host}/${repo}`,
      tags: 'type=semver,pattern={{version}}',
      ...credentials(a),
      context: 'test/fixtures/contexts/hello',
      ...inputs
    },
    env
  )
  await runPost(main, env)
  expect(main.stdout).not.toMatch(/::error::/)
  expect(main.code).toBe(0)
  return { ...(await pointed(repo, '1.2.3')), repo }
}

const INDEX = 'application/vnd.oci.image.index.v1+json'

describe('attestations as build-push-action makes them', () => {
  it("no input: buildx's default provenance, an OCI index as the trio pushes, with the index's own annotations (the trio leaves none: GHCR shows no description)", async () => {
    expect(await publish({})).toMatchObject({
      mediaType: INDEX,
      platforms: ['linux/amd64'],
      indexAnnotations: INDEX_ANNOTATION_KEYS,
      attestations: 1
    })
  })

  it('attests type=provenance: built, one attestation (no duplicate attestation field)', async () => {
    expect(
      await publish({ attests: 'type=provenance,mode=max' })
    ).toMatchObject({
      mediaType: INDEX,
      platforms: ['linux/amd64'],
      attestations: 1
    })
  })

  it('provenance: false wins over attests of its type: one plain manifest', async () => {
    const image = await publish({
      provenance: 'false',
      attests: 'type=provenance,mode=max'
    })
    expect(image.mediaType).toMatch(/manifest\.v/)
    expect(image.attestations).toBe(0)
  })
})

describe('DOCKER_METADATA_ANNOTATIONS_LEVELS=manifest,index', () => {
  it('puts the annotations on the index too, as the trio does', async () => {
    const image = await publish(
      { annotations: 'org.opencontainers.image.description=Acme app' },
      { DOCKER_METADATA_ANNOTATIONS_LEVELS: 'manifest,index' }
    )
    expect(image.indexAnnotations).toEqual(
      expect.arrayContaining([
        'org.opencontainers.image.description',
        'org.opencontainers.image.revision'
      ])
    )
  })
})
