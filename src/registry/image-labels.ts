import type { Image } from '../reference/images.js'
import type { RegistryClient } from './client.js'
import {
  parseJsonBytes as decode,
  parseManifestJson,
  type Manifest
} from './manifest.js'
import { indexPlatforms, platformName } from './copy.js'

interface ConfigJson {
  config?: { Labels?: Record<string, string> | null }
  os?: string
  architecture?: string
  variant?: string
}

/**
 * The manifest a digest names and its image's labels ({} when unreadable;
 * an index: its first platform's, which every platform of one build shares).
 */
export async function imageLabels(
  client: RegistryClient,
  image: Image,
  digest: string
): Promise<{ manifest: Manifest; labels: Record<string, string> } | undefined> {
  const manifest = await client.getManifest(image, digest)
  if (manifest === undefined) return undefined
  let json = parseManifestJson(manifest)
  const child = json.manifests?.find(m => m.platform?.os !== 'unknown')
  if (child !== undefined) {
    const platform = await client.getManifest(image, child.digest)
    json = platform === undefined ? {} : parseManifestJson(platform)
  }
  const config =
    json.config && (await client.getBlob(image, json.config.digest))
  const labels = config ? decode<ConfigJson>(config).config?.Labels : undefined
  return { manifest, labels: labels ?? {} }
}

/**
 * The platforms of an image by name: what its index lists, or for one
 * manifest what its config says (os/architecture); [] when unreadable.
 */
export async function imagePlatforms(
  client: RegistryClient,
  image: Image,
  manifest: Manifest
): Promise<string[]> {
  const listed = indexPlatforms(manifest)
  if (listed.length > 0) return listed
  const digest = parseManifestJson(manifest).config?.digest
  const config = digest && (await client.getBlob(image, digest))
  if (!config) return []
  const { os, architecture, variant } = decode<ConfigJson>(config)
  return os && architecture ? [platformName({ os, architecture, variant })] : []
}
