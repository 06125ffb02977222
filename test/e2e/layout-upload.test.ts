/**
 * OCI layouts uploaded by the action's own registry client to the REAL
 * stack registry A, by digest and under no tag: a buildx `type=oci` layout
 * (two platforms, with provenance attestations) and a classic-store image
 * turned into a layout from `docker save`. The registry API judges what
 * arrived; a `docker pull <repo>@<digest>` by the stack's dockerd proves the
 * layout is a valid image.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../src/reference/images.js'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createDockerRunner,
  type DockerRunner
} from '../../src/docker/runner.js'
import { saveImageLayout } from '../../src/layout/saved-image.js'
import { createRegistryClient } from '../../src/registry/client.js'
import { uploadLayout } from '../../src/layout/layout-upload.js'
import { type OciLayout, readLayout } from '../../src/layout/oci-layout.js'
import { runDocker } from '../support/docker-cli.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import { uniqueRepository } from '../support/registry-seed.js'
import { stackEnv } from '../support/stack-env.js'
import { listTags, readManifest } from './registry-api.js'

const { a: A, b: B } = stackEnv()
const CLASSIC = { DOCKER_HOST: 'unix:///var/run/dpa-docker-classic.sock' }
const work = mkdtempSync(join(tmpdir(), 'dpa-layout-'))
/** A docker config that can pull from A (the stack's registries want a login). */
const dockerConfig = join(work, 'docker-config')
const withConfig = { DOCKER_CONFIG: dockerConfig }

const proxied = new Set<string>()
const client = (options: { chunkBytes?: number } = {}) =>
  createRegistryClient({
    credentials: registry => {
      const known = registry === B.host ? B : A
      return registry === known.host || proxied.has(registry)
        ? { username: known.username, password: known.password }
        : undefined
    },
    retries: 3,
    sleep: () => Promise.resolve(),
    ...options
  })

async function docker(args: string[], env: Record<string, string> = {}) {
  const result = await runDocker(args, { env: { ...withConfig, ...env } })
  if (result.code !== 0)
    throw new Error(`docker ${args.join(' ')}: ${result.stderr}`)
  return result.stdout.trim()
}

const totalBytes = (layout: OciLayout) =>
  layout.blobs.reduce((sum, blob) => sum + blob.size, 0)

let buildx: OciLayout
let saved: OciLayout
/** The classic-store image saved in beforeAll. */
let id: string

beforeAll(async () => {
  const auth = Buffer.from(`${A.username}:${A.password}`).toString('base64')
  rmSync(dockerConfig, { recursive: true, force: true })
  mkdirSync(dockerConfig)
  writeFileSync(
    join(dockerConfig, 'config.json'),
    JSON.stringify({ auths: { [A.host]: { auth } } })
  )
  const context = join(process.cwd(), 'test/fixtures/contexts/hello')
  const dest = join(work, 'buildx')
  await docker([
    'buildx',
    'build',
    '--platform',
    'linux/amd64,linux/arm64',
    '--provenance=true',
    '--output',
    `type=oci,dest=${dest},tar=false`,
    context
  ])
  buildx = await readLayout(dest)
  // a classic-store image with a layer of its own (busybox below it): 3 MB of
  // noise, so its gzip has stored blocks and busybox's deflated ones
  const classicContext = join(work, 'classic-context')
  mkdirSync(classicContext)
  writeFileSync(
    join(classicContext, 'Dockerfile'),
    `FROM local/busybox\nRUN head -c 3000000 /dev/urandom > /noise && echo ${Date.now()} > /stamp\n`
  )
  const iidfile = join(work, 'iid')
  await docker(['build', '--iidfile', iidfile, classicContext], CLASSIC)
  id = readFileSync(iidfile, 'utf8').trim()
  const savedDir = join(work, 'saved')
  await saveImageLayout(createDockerRunner('docker', CLASSIC), id, savedDir)
  saved = await readLayout(savedDir)
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe("the classic store's save", () => {
  const socket = '/var/run/dpa-docker-classic.sock'
  const dockerCli = createDockerRunner('docker', CLASSIC)
  // a docker CLI that is not there: a save that needs it fails
  const noCli = createDockerRunner('dpa-no-such-docker', CLASSIC)
  const saveTo = async (
    name: string,
    docker: DockerRunner,
    engineSocket?: string
  ) => {
    const dir = join(work, name)
    await saveImageLayout(docker, id, dir, { engineSocket })
    return readLayout(dir)
  }

  it("over the engine's socket gives the layout docker save gives", async () => {
    expect((await saveTo('over-socket', noCli, socket)).root.digest).toBe(
      saved.root.digest
    )
  })

  it('where the socket is not there, docker saves', async () => {
    expect(
      (await saveTo('no-socket', dockerCli, join(work, 'no-such.sock'))).root
        .digest
    ).toBe(saved.root.digest)
  })

  it('says what the engine answered for an image it does not have', async () => {
    const missing = `sha256:${'0'.repeat(64)}`
    await expect(
      saveImageLayout(noCli, missing, join(work, 'missing'), {
        engineSocket: socket
      })
    ).rejects.toThrow(
      /^docker save: Error response from daemon: .*0{64}.* \(HTTP 404\)$/
    )
  })
})

describe('uploading an OCI layout by digest', () => {
  it('puts a buildx layout with both platforms and its attestations under no tag, and docker pulls it by digest', async () => {
    const repo = uniqueRepository('e2e-layout')
    const image = `${A.host}/${repo}`
    const result = await uploadLayout(client(), buildx, parseImageName(image))
    expect(result).toMatchObject({
      digest: buildx.root.digest,
      blobs: buildx.blobs.length,
      bytes: { uploaded: totalBytes(buildx), mounted: 0, present: 0 }
    })
    const manifest = await readManifest(A, repo, result.digest)
    expect(manifest).toEqual({
      digest: buildx.root.digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64', 'linux/arm64']
    })
    expect(await listTags(A, repo)).toEqual([])
    await docker(['pull', `${image}@${result.digest}`])
  })

  it('mounts every blob into a second repository, and sends nothing to a repository that has them', async () => {
    const first = parseImageName(`${A.host}/${uniqueRepository('e2e-layout')}`)
    const second = parseImageName(`${A.host}/${uniqueRepository('e2e-layout')}`)
    await uploadLayout(client(), buildx, first)
    const mounted = await uploadLayout(client(), buildx, second, {
      mountFrom: [first]
    })
    expect(mounted.bytes).toEqual({
      uploaded: 0,
      mounted: totalBytes(buildx),
      present: 0
    })
    const again = await uploadLayout(client(), buildx, second)
    expect([again.bytes, again.bytesSent]).toEqual([
      { uploaded: 0, mounted: 0, present: totalBytes(buildx) },
      0
    ])
  })

  it('uploads again to another registry (a mount source there is of no use)', async () => {
    const onA = parseImageName(`${A.host}/${uniqueRepository('e2e-layout')}`)
    const repo = uniqueRepository('e2e-layout')
    await uploadLayout(client(), buildx, onA)
    const onB = await uploadLayout(
      client(),
      buildx,
      parseImageName(`${B.host}/${repo}`),
      {
        mountFrom: [onA]
      }
    )
    expect(onB.bytes.uploaded).toBe(totalBytes(buildx))
    expect((await readManifest(B, repo, onB.digest)).platforms).toEqual([
      'linux/amd64',
      'linux/arm64'
    ])
  })

  it('turns a classic-store image into a layout with gzipped layers that docker pulls by digest', async () => {
    expect(saved.root.mediaType).toBe(
      'application/vnd.oci.image.manifest.v1+json'
    )
    const layers = JSON.parse(Buffer.from(saved.root.body).toString()) as {
      layers: { mediaType: string }[]
    }
    expect(layers.layers.map(layer => layer.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.v1.tar+gzip'
    ])
    const repo = uniqueRepository('e2e-layout')
    const image = `${A.host}/${repo}`
    const result = await uploadLayout(client(), saved, parseImageName(image))
    expect((await readManifest(A, repo, result.digest)).digest).toBe(
      saved.root.digest
    )
    await docker(['pull', `${image}@${result.digest}`], CLASSIC)
    expect(await listTags(A, repo)).toEqual([])
  })

  it('resumes a chunked upload after the connection is reset in the middle of a chunk', async () => {
    const proxy = await startFaultProxy({
      target: A.host,
      faults: [
        {
          kind: 'reset-mid-body',
          afterBytes: 100_000,
          after: 1,
          times: 1,
          match: { method: 'PATCH' }
        }
      ]
    })
    proxied.add(proxy.host)
    try {
      const repo = uniqueRepository('e2e-layout')
      const result = await uploadLayout(
        client({ chunkBytes: 256 * 1024 }),
        saved,
        parseImageName(`${proxy.host}/${repo}`)
      )
      expect(result.bytes.uploaded).toBe(totalBytes(saved))
      expect(proxy.requests.filter(r => r.outcome === 'reset')).toHaveLength(1)
      // distribution 2.8 drops an upload whose PATCH broke: a new one starts
      expect(result.bytesSent).toBeGreaterThan(totalBytes(saved))
      await docker(['pull', `${A.host}/${repo}@${result.digest}`], CLASSIC)
    } finally {
      await proxy.close()
    }
  })
})
