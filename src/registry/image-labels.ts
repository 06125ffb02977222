import type { Image } from '../reference/images.js'
import type { RegistryClient } from './client.js'
import {
  imageEntries,
  parseJsonBytes as decode,
  parseManifestJson,
  type Manifest,
  type ManifestJson
} from './manifest.js'
import { indexPlatforms, platformName } from './copy.js'

interface ConfigJson {
  config?: { Labels?: Record<string, string> | null }
  os?: string
  architecture?: string
  variant?: string
  rootfs?: { diff_ids?: string[] }
}

/**
 * The image config a manifest names, parsed; undefined when it names none or the registry lacks it.
 */
export async function imageConfig(
  client: Pick<RegistryClient, 'getBlob'>,
  image: Image,
  json: ManifestJson
): Promise<ConfigJson | undefined> {
  const digest = json.config?.digest
  const config = digest && (await client.getBlob(image, digest))
  return config ? decode<ConfigJson>(config) : undefined
}

/**
 * The manifest a digest names and its image's labels ({} when unreadable; an index: its first
 * platform's, which every platform of one build shares).
 */
export async function imageLabels(
  client: RegistryClient,
  image: Image,
  digest: string
): Promise<{ manifest: Manifest; labels: Record<string, string> } | undefined> {
  const manifest = await client.getManifest(image, digest)
  if (manifest === undefined) return undefined
  let json = parseManifestJson(manifest)
  const child = imageEntries(json).at(0)
  if (child !== undefined) {
    const platform = await client.getManifest(image, child.digest)
    json = platform === undefined ? {} : parseManifestJson(platform)
  }
  const labels = (await imageConfig(client, image, json))?.config?.Labels
  return { manifest, labels: labels ?? {} }
}

/**
 * The platforms of an image by name: what its index lists, or for one manifest what its config says
 * (os/architecture); [] when unreadable.
 */
export async function imagePlatforms(
  client: RegistryClient,
  image: Image,
  manifest: Manifest
): Promise<string[]> {
  const listed = indexPlatforms(manifest)
  if (listed.length > 0) return listed
  const config = await imageConfig(client, image, parseManifestJson(manifest))
  const { os, architecture, variant } = config ?? {}
  return os && architecture ? [platformName({ os, architecture, variant })] : []
}
