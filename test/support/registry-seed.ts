/**
 * Seeds a registry over plain HTTP (no docker): monolithic blob uploads
 * (POST + PUT) and manifest PUTs with Basic auth sent up front, as the
 * stack's htpasswd registries want (or a Bearer token given up front). Independent of src/registry, so tests
 * of the client do not rely on the client to set themselves up.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  type Blob,
  buildImage,
  type ImageContent,
  type ManifestFormat,
  type Platform
} from './image-content.js'

export interface SeedTarget {
  /** host:port; loopback hosts are spoken to over http, others over https. */
  host: string
  username?: string
  password?: string
  /** Sent as Bearer instead of Basic (token-auth registries, see token-auth.ts). */
  token?: string
}

export interface SeededImage extends ImageContent {
  repository: string
  tags: string[]
}

/** A repository name nobody else uses: `${prefix}/<random hex>`. */
export function uniqueRepository(prefix = 'e2e'): string {
  return `${prefix}/${randomBytes(5).toString('hex')}`
}

function baseUrl(target: SeedTarget): string {
  const loopback = /^(localhost|127\.[0-9.]+|\[::1\])(:[0-9]+)?$/
  return `${loopback.test(target.host) ? 'http' : 'https'}://${target.host}`
}

function authHeaders(target: SeedTarget): Record<string, string> {
  if (target.token !== undefined) {
    return { Authorization: `Bearer ${target.token}` }
  }
  if (target.username === undefined || target.password === undefined) return {}
  const pair = `${target.username}:${target.password}`
  return { Authorization: `Basic ${Buffer.from(pair).toString('base64')}` }
}

async function expectStatus(
  response: Response,
  expected: number,
  what: string
): Promise<void> {
  if (response.status !== expected) {
    const body = await response.text().catch(() => '')
    throw new Error(`${what}: HTTP ${response.status} ${body.slice(0, 300)}`)
  }
}

/** Uploads a blob in one POST + PUT; returns its digest. */
export async function uploadBlob(
  target: SeedTarget,
  repository: string,
  blob: Blob
): Promise<string> {
  const base = baseUrl(target)
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: authHeaders(target)
  })
  await expectStatus(start, 202, `start upload to ${repository}`)
  await start.body?.cancel()
  const location = new URL(start.headers.get('location') ?? '', base)
  location.searchParams.set('digest', blob.digest)
  const put = await fetch(location, {
    method: 'PUT',
    headers: {
      ...authHeaders(target),
      'Content-Type': 'application/octet-stream'
    },
    body: new Uint8Array(blob.bytes)
  })
  await expectStatus(put, 201, `upload ${blob.digest} to ${repository}`)
  await put.body?.cancel()
  return blob.digest
}

/** PUTs manifest bytes under a tag (or its digest); returns the registry's digest. */
export async function putManifestBytes(
  target: SeedTarget,
  repository: string,
  reference: string,
  manifest: Blob
): Promise<string> {
  const response = await fetch(
    `${baseUrl(target)}/v2/${repository}/manifests/${reference}`,
    {
      method: 'PUT',
      headers: { ...authHeaders(target), 'Content-Type': manifest.mediaType },
      body: new Uint8Array(manifest.bytes)
    }
  )
  await expectStatus(response, 201, `put manifest ${repository}:${reference}`)
  await response.body?.cancel()
  return response.headers.get('docker-content-digest') ?? ''
}

/** Uploads an image's blobs and puts its manifest under each tag (by digest if none). */
async function pushImage(
  target: SeedTarget,
  repository: string,
  image: ImageContent,
  tags: string[]
): Promise<SeededImage> {
  await uploadBlob(target, repository, image.layer)
  await uploadBlob(target, repository, image.config)
  for (const reference of tags.length > 0 ? tags : [image.manifest.digest]) {
    await putManifestBytes(target, repository, reference, image.manifest)
  }
  return { ...image, repository, tags }
}

export interface TestImageOptions {
  tags: string[]
  /** Decides the content and so the digest; default: random. */
  text?: string
  platform?: Platform
  format?: ManifestFormat
  /** The config's `created` (an RFC 3339 time); default: none. */
  created?: string
}

/** Builds and pushes a one-layer image. */
export function pushTestImage(
  target: SeedTarget,
  repository: string,
  options: TestImageOptions
): Promise<SeededImage> {
  const text = options.text ?? randomBytes(8).toString('hex')
  const image = buildImage(
    text,
    options.platform,
    options.format,
    options.created
  )
  return pushImage(target, repository, image, options.tags)
}

/**
 * An OCI index of `children` (each with its platform) PUT under `tag` (by its digest if none);
 * the index's digest.
 */
export async function pushImageIndex(
  target: SeedTarget,
  repository: string,
  tag: string | undefined,
  children: SeededImage[]
): Promise<string> {
  const mediaType = 'application/vnd.oci.image.index.v1+json'
  const bytes = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: children.map(c => ({
        mediaType: c.manifest.mediaType,
        digest: c.manifest.digest,
        size: c.manifest.bytes.length,
        platform: c.platform
      }))
    })
  )
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  await putManifestBytes(target, repository, tag ?? digest, {
    mediaType,
    digest,
    bytes
  })
  return digest
}
