/**
 * `load: true` from the very layout uploaded (the bytes tested are the bytes
 * pushed), as the tar `docker save` writes: index.json naming each reference
 * (containerd store), manifest.json (classic).
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { readLayout, type OciLayout } from './oci-layout.js'
import { imageEntries, parseManifestJson } from '../registry/manifest.js'
import type { DockerRunner } from '../docker/runner.js'
import { engineLoad } from '../docker/engine-api.js'

const ARCHITECTURES: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }

/** A blob's path in the tar, as in the layout. */
const blobPath = (digest: string) => `blobs/sha256/${digest.slice(7)}`

/** index.json with one entry per reference, as containerd's import names images. */
export function namedIndex(layout: OciLayout, refs: string[]) {
  const { mediaType, digest, size } = layout.root
  return {
    schemaVersion: 2,
    manifests: refs.map(ref => ({
      mediaType,
      digest,
      size,
      annotations: {
        'io.containerd.image.name': ref,
        'org.opencontainers.image.ref.name': ref.slice(ref.lastIndexOf(':') + 1)
      }
    }))
  }
}

/**
 * The one image the classic store can hold: the root manifest, else this machine's platform, else
 * the first.
 */
function classicImage(layout: OciLayout, arch: string) {
  // readLayout parsed every manifest it holds: none fails to parse here
  const root = parseManifestJson(layout.root)
  if (root.manifests === undefined) return root
  const images = imageEntries(root)
  const chosen =
    images.find(
      entry => entry.platform?.architecture === (ARCHITECTURES[arch] ?? arch)
    ) ?? images[0]
  const found = layout.manifests.find(m => m.digest === chosen?.digest)
  return found === undefined ? undefined : parseManifestJson(found)
}

/** manifest.json, docker save's list of images, for the classic store's loader. */
export function classicManifest(
  layout: OciLayout,
  refs: string[],
  arch: string = process.arch
): object[] {
  const image = classicImage(layout, arch)
  if (image?.config === undefined) return []
  return [
    {
      Config: blobPath(image.config.digest),
      RepoTags: refs,
      Layers: (image.layers ?? []).map(layer => blobPath(layer.digest))
    }
  ]
}

/** The layout as one tar for the engine's loader, streamed from disk. */
async function layoutTar(layout: OciLayout, refs: string[]): Promise<Readable> {
  // loaded here, as for docker save: only a run with load reads it
  const { default: tarStream } = await import('tar-stream')
  const pack = tarStream.pack()
  const small = (name: string, value: Buffer | string) =>
    new Promise<void>((done, fail) =>
      pack.entry({ name }, value, error => (error ? fail(error) : done()))
    )
  const json = (name: string, value: object) =>
    small(name, JSON.stringify(value))
  const file = (name: string, path: string, size: number) =>
    new Promise<void>((done, fail) => {
      const source = createReadStream(path)
      source.on('error', fail)
      source.pipe(
        pack.entry({ name, size }, error => (error ? fail(error) : done()))
      )
    })
  const write = async () => {
    await json('oci-layout', { imageLayoutVersion: '1.0.0' })
    for (const { digest, body } of [...layout.manifests, layout.root])
      await small(blobPath(digest), Buffer.from(body))
    for (const { digest, path, size } of layout.blobs)
      await file(blobPath(digest), path, size)
    await json('index.json', namedIndex(layout, refs))
    await json('manifest.json', classicManifest(layout, refs))
    pack.finalize()
  }
  write().catch((error: unknown) => pack.destroy(error as Error))
  // tar-stream's streams are streamx's, which pipe as node's do
  return pack as unknown as Readable
}

/** Loads `dir` under `refs`: over the engine's socket, else `docker load` of `tarPath`. */
export async function loadLayout(
  docker: DockerRunner,
  dir: string,
  refs: string[],
  tarPath: string,
  engineSocket?: string
): Promise<void> {
  const layout = await readLayout(dir)
  if (engineSocket !== undefined) {
    const tar = await layoutTar(layout, refs)
    if (await engineLoad(engineSocket, tar)) return
    tar.destroy()
  }
  await pipeline(await layoutTar(layout, refs), createWriteStream(tarPath))
  try {
    await docker.run(['load', '--input', tarPath], { quiet: true })
  } finally {
    await rm(tarPath, { force: true })
  }
}
