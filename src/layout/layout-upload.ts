/**
 * An OCI layout into one repository, by digest and under no tag: every blob
 * (a few at a time), then the child manifests (those of one index at once),
 * then the root. The tags are the caller's to set afterwards.
 */
import { stat } from 'node:fs/promises'
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import type { BlobOutcome } from '../registry/blob-upload.js'
import { RegistryError } from '../registry/registry-error.js'
import {
  carriesAttestations,
  manifestWaves,
  type LayoutBlob,
  type OciLayout
} from './oci-layout.js'
import { inParallel } from '../registry/in-parallel.js'

interface LayoutUploadOptions {
  /** Images of the same registry that may hold the blobs (an earlier upload): mounted from. */
  mountFrom?: Image[]
  /** Told after each piece of progress: bytes the registry has of all blobs, and their total. */
  onProgress?: (done: number, total: number) => void
}

interface LayoutUploadResult {
  /** The root's digest: the image is `image@digest`. */
  digest: string
  blobs: number
  /** Blob bytes per outcome: sent, mounted from another repository, already there. */
  bytes: Record<BlobOutcome, number>
  /** Bytes put on the wire, resent ones included (≥ bytes.uploaded after a resume). */
  bytesSent: number
}

/** Blobs sent at once: dockerd's default max-concurrent-uploads. */
const PARALLEL_UPLOADS = 5

export async function uploadLayout(
  client: RegistryClient,
  layout: OciLayout,
  image: Image,
  options: LayoutUploadOptions = {}
): Promise<LayoutUploadResult> {
  const total = layout.blobs.reduce((sum, blob) => sum + blob.size, 0)
  const done = new Map<string, number>()
  const report = (digest: string, sent: number) => {
    done.set(digest, sent)
    options.onProgress?.(sumBytes(done), total)
  }
  const result: LayoutUploadResult = {
    digest: layout.root.digest,
    blobs: layout.blobs.length,
    bytes: { present: 0, mounted: 0, uploaded: 0 },
    bytesSent: 0
  }
  const one = async (blob: LayoutBlob) => {
    const mountFrom = options.mountFrom ?? []
    const { outcome, bytesSent } = await client.uploadBlob(
      image,
      fetchedWhenSent(client, blob),
      {
        mountFrom:
          blob.from === undefined ? mountFrom : [blob.from, ...mountFrom],
        onProgress: sent => report(blob.digest, sent)
      }
    )
    result.bytes[outcome] += blob.size
    result.bytesSent += bytesSent
  }
  await inParallel(layout.blobs, PARALLEL_UPLOADS, one)
  for (const wave of [...manifestWaves(layout.manifests), [layout.root]])
    await Promise.all(
      wave.map(manifest =>
        client
          .putManifest(image, manifest.digest, manifest)
          .catch((error: unknown) => {
            throw refusedWithAttestations(error, layout)
          })
      )
    )
  return result
}

/** The bytes of every blob a progress map holds, added up. */
export const sumBytes = (bytes: ReadonlyMap<string, number>) =>
  [...bytes.values()].reduce((a, b) => a + b, 0)

/**
 * A blob the layout borrows from an image of the registry: mounted from it
 * where the repository lacks it; only when the registry will not mount it
 * are its bytes fetched into the layout, to be sent. Any other blob as it is.
 */
function fetchedWhenSent(client: RegistryClient, blob: LayoutBlob) {
  const { from } = blob
  if (from === undefined) return blob
  let fetched: Promise<void> | undefined
  const fetch = async () => {
    // an exported layout's seed is an empty file, unless buildx wrote the blob first
    if (
      await stat(blob.path).then(
        onDisk => onDisk.size === blob.size,
        () => false
      )
    )
      return
    if (!(await client.downloadBlob(from, blob.digest, blob.path)))
      throw new Error(
        `${from.name} no longer holds layer ${blob.digest}, which the built image names; run ` +
          `the job again`
      )
  }
  return { ...blob, available: () => (fetched ??= fetch()) }
}

/**
 * A manifest refused as such (4xx, not auth) while the image carries
 * buildx's attestations, which some registries (ECR, Aliyun ACR, Fly)
 * refuse: the error says how to publish without them.
 */
function refusedWithAttestations(error: unknown, layout: OciLayout): unknown {
  if (
    !(error instanceof RegistryError) ||
    error.status === undefined ||
    error.status < 400 ||
    error.status >= 500 ||
    [401, 403, 429].includes(error.status) ||
    !carriesAttestations(layout)
  )
    return error
  const said = error.message.replace(`registry ${error.registry}: `, '')
  return new RegistryError(
    error.registry,
    `${said}; the image carries attestations (buildx's provenance or SBOM, as manifests of ` +
      `platform unknown/unknown), which some registries refuse: set provenance: false and sbom: ` +
      `false to publish without them`,
    error.status,
    { cause: error }
  )
}
