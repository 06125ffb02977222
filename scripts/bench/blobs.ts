/** Reads what a push left in a registry: the unique config + layer bytes behind some tags. */
import type { StackRegistry } from '../../test/support/stack-env.js'

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

interface Descriptor {
  digest: string
  size: number
}

interface Manifest {
  manifests?: Descriptor[]
  config?: Descriptor
  layers?: Descriptor[]
}

async function getManifest(
  registry: StackRegistry,
  repository: string,
  reference: string
): Promise<Manifest> {
  const basic = `${registry.username}:${registry.password}`
  const response = await fetch(
    `http://${registry.host}/v2/${repository}/manifests/${reference}`,
    {
      headers: {
        Accept: ACCEPT,
        Authorization: `Basic ${Buffer.from(basic).toString('base64')}`
      }
    }
  )
  if (!response.ok)
    throw new Error(`${repository}:${reference}: HTTP ${response.status}`)
  return (await response.json()) as Manifest
}

/** Adds the config and layers of a manifest, or of each manifest of an index. */
async function collect(
  registry: StackRegistry,
  repository: string,
  reference: string,
  blobs: Map<string, number>
): Promise<void> {
  const manifest = await getManifest(registry, repository, reference)
  for (const child of manifest.manifests ?? [])
    await collect(registry, repository, child.digest, blobs)
  for (const blob of [manifest.config, ...(manifest.layers ?? [])])
    if (blob !== undefined) blobs.set(blob.digest, blob.size)
}

/** Sum of the sizes of the distinct blobs (configs and layers) the tags reach. */
export async function uniqueBlobBytes(
  registry: StackRegistry,
  repository: string,
  tags: string[]
): Promise<{ bytes: number; count: number }> {
  const blobs = new Map<string, number>()
  for (const tag of tags) await collect(registry, repository, tag, blobs)
  const bytes = [...blobs.values()].reduce((sum, size) => sum + size, 0)
  return { bytes, count: blobs.size }
}
