/**
 * Small but real image content built in memory (no docker): a gzipped tar
 * layer with one file, an image config whose diff_ids match it, and the
 * manifest / index JSON in docker v2 schema 2 or OCI form.
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'

export type ManifestFormat = 'docker' | 'oci'

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

export interface Blob {
  mediaType: string
  digest: string
  bytes: Uint8Array
}

export interface ImageContent {
  config: Blob
  layer: Blob
  /** The manifest's media type, digest and exact bytes. */
  manifest: Blob
  platform: Platform
}

const MEDIA_TYPES = {
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip'
  },
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip'
  }
} as const

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function blob(mediaType: string, bytes: Uint8Array): Blob {
  return { mediaType, digest: sha256(bytes), bytes }
}

const json = (value: unknown): Uint8Array =>
  new Uint8Array(Buffer.from(JSON.stringify(value), 'utf8'))

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

/** A ustar archive holding one regular file. */
function tarOneFile(name: string, content: Uint8Array): Uint8Array {
  const header = Buffer.alloc(512)
  header.write(name, 0, 100, 'utf8')
  header.write(octal(0o644, 8), 100)
  header.write(octal(0, 8), 108)
  header.write(octal(0, 8), 116)
  header.write(octal(content.length, 12), 124)
  header.write(octal(0, 12), 136)
  header.write('        ', 148)
  header.write('0', 156)
  header.write('ustar\0' + '00', 257)
  let checksum = 0
  for (const byte of header) checksum += byte
  header.write(octal(checksum, 7) + ' ', 148)
  const padding = (512 - (content.length % 512)) % 512
  return new Uint8Array(
    Buffer.concat([header, content, Buffer.alloc(padding), Buffer.alloc(1024)])
  )
}

/**
 * One image: a layer with /seed.txt holding `text` (so content decides the digest); its config's
 * `created` only when given.
 */
export function buildImage(
  text: string,
  platform: Platform = { os: 'linux', architecture: 'amd64' },
  format: ManifestFormat = 'docker',
  created?: string
): ImageContent {
  const types = MEDIA_TYPES[format]
  const tar = tarOneFile('seed.txt', Buffer.from(`${text}\n`, 'utf8'))
  const layer = blob(types.layer, new Uint8Array(gzipSync(tar)))
  const config = blob(
    types.config,
    json({
      ...platform,
      ...(created === undefined ? {} : { created }),
      config: { Env: ['PATH=/bin'], Labels: { 'test.seed': text } },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      history: [{ created_by: 'test/support/image-content.ts' }]
    })
  )
  const descriptor = (b: Blob) => ({
    mediaType: b.mediaType,
    size: b.bytes.length,
    digest: b.digest
  })
  const manifest = blob(
    types.manifest,
    json({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: descriptor(config),
      layers: [descriptor(layer)]
    })
  )
  return { config, layer, manifest, platform }
}
