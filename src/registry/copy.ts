import type { Image } from '../reference/images.js'
import { requireManifest, type RegistryClient } from './client.js'
import {
  childDigests,
  imageEntries,
  manifestBlobs,
  parseManifestJson as parse,
  type Manifest,
  type OciDescriptor
} from './manifest.js'

/** "os/architecture[/variant]". */
export const platformName = (
  platform: NonNullable<OciDescriptor['platform']>
): string =>
  [platform.os, platform.architecture, platform.variant]
    .filter(Boolean)
    .join('/')

/**
 * Makes an image of another repository of the same registry available in
 * `toImage` without uploading: blobs mounted, child manifests put by digest.
 * The image's own manifest is left for the caller to put.
 */
export async function mountImage(
  client: RegistryClient,
  fromImage: Image,
  digest: string,
  toImage: Image
): Promise<Manifest> {
  const manifest = await requireManifest(client, fromImage, digest)
  for (const child of childDigests(manifest)) {
    const childManifest = await mountImage(client, fromImage, child, toImage)
    await client.putManifest(toImage, child, childManifest)
  }
  await Promise.all(
    manifestBlobs(manifest).map(blob =>
      client.mountBlob(toImage, blob.digest, fromImage)
    )
  )
  return manifest
}

/** The platforms an index lists (attestation entries left out); [] for one manifest. */
export function indexPlatforms(manifest: Manifest): string[] {
  return imageEntries(parse(manifest)).flatMap(({ platform }) =>
    platform === undefined ? [] : [platformName(platform)]
  )
}
