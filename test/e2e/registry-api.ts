import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import type {
  StackEcrRegistry,
  StackRegistry as Registry
} from '../support/stack-env.js'

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

function auth(registry: Registry): string {
  return `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`
}

/** Status of GET manifests/<digest>, any type: 200 while the registry holds it, else 404. */
export const manifestStatus = (
  registry: Registry,
  repo: string,
  digest: string
): Promise<number> => getStatus(registry, `${repo}/manifests/${digest}`)

/** Status of the referrers API's GET for a digest: 404 where the registry has no such API. */
export const referrersStatus = (
  registry: Registry,
  repo: string,
  digest: string
): Promise<number> => getStatus(registry, `${repo}/referrers/${digest}`)

async function getStatus(registry: Registry, path: string): Promise<number> {
  const response = await fetch(`http://${registry.host}/v2/${path}`, {
    headers: { Authorization: auth(registry), Accept: MANIFEST_TYPES }
  })
  await response.body?.cancel()
  return response.status
}

/** The registry's own tag list for a repository (sorted), [] when it has none. */
export async function listTags(
  registry: Registry,
  repo: string
): Promise<string[]> {
  const response = await fetch(`http://${registry.host}/v2/${repo}/tags/list`, {
    headers: { Authorization: auth(registry) }
  })
  if (response.status === 404) return []
  const body = (await response.json()) as { tags: string[] | null }
  return (body.tags ?? []).sort()
}

/** Registry E's tag list under one of its names (https with the stack's CA; fetch has no CA). */
export function listTagsOverTls(
  e: StackEcrRegistry,
  host: string,
  repo: string
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://${host}/v2/${repo}/tags/list`,
      { ca: readFileSync(e.ca), headers: { Authorization: auth(e) } },
      response => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk.toString()))
        response.on('end', () => {
          if (response.statusCode === 404) return resolve([])
          const parsed = JSON.parse(body) as { tags?: string[] | null }
          resolve((parsed.tags ?? []).sort())
        })
      }
    )
    req.on('error', reject)
    req.end()
  })
}

export interface ManifestInfo {
  digest: string
  mediaType: string
  platforms: string[]
}

/** What a tag points at, read over the registry API. */
export async function readManifest(
  registry: Registry,
  repo: string,
  reference: string
): Promise<ManifestInfo> {
  const response = await fetch(
    `http://${registry.host}/v2/${repo}/manifests/${reference}`,
    {
      headers: { Authorization: auth(registry), Accept: MANIFEST_TYPES }
    }
  )
  if (!response.ok)
    throw new Error(`${repo}:${reference}: HTTP ${response.status}`)
  const body = (await response.json()) as {
    mediaType?: string
    manifests?: { platform?: { os: string; architecture: string } }[]
  }
  return {
    digest: response.headers.get('docker-content-digest') ?? '',
    mediaType: body.mediaType ?? response.headers.get('content-type') ?? '',
    platforms: (body.manifests ?? [])
      .map(m => `${m.platform?.os}/${m.platform?.architecture}`)
      .filter(p => p !== 'unknown/unknown')
      .sort()
  }
}

/** A manifest, an index or a JSON blob (`blobs/<digest>`) as the registry holds it. */
export async function readJson<T>(
  registry: Registry,
  repo: string,
  path: string
): Promise<T> {
  const response = await fetch(`http://${registry.host}/v2/${repo}/${path}`, {
    headers: { Authorization: auth(registry), Accept: MANIFEST_TYPES }
  })
  if (!response.ok) throw new Error(`${repo}/${path}: HTTP ${response.status}`)
  return (await response.json()) as T
}

/**
 * Every tag of the repository: since no run leaves a staging tag, what a
 * user pulls is the whole list (a test that finds more has found a leak).
 */
export async function publishedTags(
  registry: Registry,
  repo: string
): Promise<string[]> {
  return listTags(registry, repo)
}

/** Each published tag of a repository and the digest it points at. */
export async function registryState(
  registry: Registry,
  repo: string
): Promise<Record<string, string>> {
  const tags = await publishedTags(registry, repo)
  const digests = await Promise.all(
    tags.map(async tag => (await readManifest(registry, repo, tag)).digest)
  )
  return Object.fromEntries(tags.map((tag, i) => [tag, digests[i]]))
}

/** The config labels of a tag's image: an index's first platform's, attestations left out. */
export async function imageLabels(
  registry: Registry,
  repo: string,
  reference: string
): Promise<Record<string, string>> {
  interface Manifest {
    manifests?: { digest: string; platform?: { os: string } }[]
    config?: { digest: string }
  }
  let manifest = await readJson<Manifest>(
    registry,
    repo,
    `manifests/${reference}`
  )
  const image = manifest.manifests?.find(m => m.platform?.os !== 'unknown')
  if (image !== undefined)
    manifest = await readJson<Manifest>(
      registry,
      repo,
      `manifests/${image.digest}`
    )
  const config = await readJson<{
    config?: { Labels?: Record<string, string> | null }
  }>(registry, repo, `blobs/${manifest.config?.digest ?? ''}`)
  return config.config?.Labels ?? {}
}
