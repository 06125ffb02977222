import type { Manifest, RegistryClient } from './client.js'

interface ManifestJson {
  manifests?: {
    digest: string
    platform?: { os: string; architecture: string; variant?: string }
  }[]
  config?: { digest: string }
  layers?: { digest: string }[]
}

/**
 * Copies an image (an index with all its platforms, or one manifest) to
 * another repository of the same registry: blobs are mounted, not uploaded,
 * and every manifest is put as it is, so the digest stays the same.
 */
export async function copyWithinRegistry(
  client: RegistryClient,
  fromImage: string,
  digest: string,
  toImage: string
): Promise<Manifest> {
  const manifest = await client.getManifest(fromImage, digest)
  if (manifest === undefined)
    throw new Error(`${fromImage}@${digest} is not in the registry`)
  const json = JSON.parse(
    new TextDecoder().decode(manifest.body)
  ) as ManifestJson
  for (const child of json.manifests ?? [])
    await copyWithinRegistry(client, fromImage, child.digest, toImage)
  const blobs = [json.config, ...(json.layers ?? [])].flatMap(b =>
    b ? [b.digest] : []
  )
  await Promise.all(
    blobs.map(blob => client.mountBlob(toImage, blob, fromImage))
  )
  await client.putManifest(toImage, digest, manifest)
  return manifest
}

/** The platforms an index lists (attestation entries left out); [] for one manifest. */
export function indexPlatforms(manifest: Manifest): string[] {
  const json = JSON.parse(
    new TextDecoder().decode(manifest.body)
  ) as ManifestJson
  return (json.manifests ?? []).flatMap(({ platform }) =>
    platform === undefined || platform.os === 'unknown'
      ? []
      : [
          [platform.os, platform.architecture, platform.variant]
            .filter(Boolean)
            .join('/')
        ]
  )
}
