/**
 * A `docker save` tar as Docker 25+ writes it: an OCI layout, blobs first
 * (layers uncompressed), then index.json. Made with tar-stream, for tests
 * of the classic store's path that have no docker behind them.
 */
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { pack } from 'tar-stream'

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const RAW_LAYER = 'application/vnd.oci.image.layer.v1.tar'

export interface SavedTar {
  tar: Readable
  /** The image id: the config's digest. */
  imageId: string
  /** The uncompressed layers' digests. */
  diffIds: string[]
}

export function savedTar(
  layers: Buffer[],
  config: Record<string, unknown> = {}
): SavedTar {
  const tar = pack()
  const descriptors = layers.map(layer => ({
    mediaType: RAW_LAYER,
    digest: `sha256:${sha(layer)}`,
    size: layer.length
  }))
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      ...config,
      rootfs: { type: 'layers', diff_ids: descriptors.map(d => d.digest) }
    })
  )
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${sha(configBytes)}`,
        size: configBytes.length
      },
      layers: descriptors
    })
  )
  for (const blob of [...layers, configBytes, manifest])
    tar.entry({ name: `blobs/sha256/${sha(blob)}` }, blob)
  tar.entry(
    { name: 'index.json' },
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MANIFEST,
          digest: `sha256:${sha(manifest)}`,
          size: manifest.length
        }
      ]
    })
  )
  tar.entry({ name: 'manifest.json' }, '[]')
  tar.finalize()
  return {
    tar: tar as unknown as Readable,
    imageId: `sha256:${sha(configBytes)}`,
    diffIds: descriptors.map(d => d.digest)
  }
}
