/**
 * A `docker save` tar (Docker 25+: an OCI layout, blobs first, layers
 * uncompressed) turned into a layout with gzipped layers. The tars are made
 * here with tar-stream as docker lays them out; the stack's e2e test
 * (test/e2e/layout-upload.test.ts) converts a real one and pulls it.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import { writeCompressedLayout } from '../../../src/layout/saved-image.js'
import { savedTar } from '../../support/saved-tar.js'
import { readLayout } from '../../../src/layout/oci-layout.js'

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

const root = mkdtempSync(join(tmpdir(), 'dpa-saved-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A layer as docker saves it: a tar (starts with a file name, never "{"). */
async function layerTar(content: Buffer): Promise<Buffer> {
  const tar = pack()
  tar.entry({ name: 'f' }, content)
  tar.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of tar as unknown as AsyncIterable<Buffer>)
    chunks.push(chunk)
  return Buffer.concat(chunks)
}

describe('writeCompressedLayout', () => {
  it('gzips each layer, keeps the config, and writes a layout the upload reads', async () => {
    const layers = [
      await layerTar(randomBytes(200_000)),
      await layerTar(Buffer.alloc(100_000, 'a'))
    ]
    const { tar, diffIds } = savedTar(layers)
    const dir = join(root, 'one')
    await writeCompressedLayout(tar, dir)
    const layout = await readLayout(dir)
    const manifest = JSON.parse(Buffer.from(layout.root.body).toString()) as {
      config: { digest: string }
      layers: { mediaType: string }[]
    }
    expect(manifest.layers.map(l => l.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.v1.tar+gzip'
    ])
    const [config, ...gzipped] = layout.blobs
    expect(config.digest).toBe(manifest.config.digest)
    expect(
      gzipped.map(blob => `sha256:${sha(gunzipSync(readFileSync(blob.path)))}`)
    ).toEqual(diffIds)
    expect(gzipped[1].size).toBeLessThan(layers[1].length / 10)
  })

  it('writes the same bytes for the same image (a re-run gives the same digest)', async () => {
    const layers = [await layerTar(randomBytes(50_000))]
    const first = join(root, 'first')
    const second = join(root, 'second')
    await writeCompressedLayout(savedTar(layers).tar, first)
    await writeCompressedLayout(savedTar(layers).tar, second)
    const [a, b] = await Promise.all([readLayout(first), readLayout(second)])
    expect(a.root.digest).toBe(b.root.digest)
  })

  it('refuses a tar without index.json (a docker older than 25)', async () => {
    const tar = pack()
    tar.entry({ name: 'manifest.json' }, '[]')
    tar.finalize()
    await expect(
      writeCompressedLayout(tar as unknown as Readable, join(root, 'old'))
    ).rejects.toThrow(
      'docker save wrote no index.json (Docker 25 or later needed)'
    )
  })
})
