/** An in-memory registry behind the RegistryClient interface, for executor tests. */
import { sha256Digest } from '../../src/reference/grammar.js'
import { readFileSync, writeFileSync } from 'node:fs'
import type {
  BlobFile,
  BlobUploadResult,
  UploadBlobOptions
} from '../../src/registry/blob-upload.js'
import type {
  PushedManifest,
  RegistryClient
} from '../../src/registry/client.js'
import type { Manifest } from '../../src/registry/manifest.js'
import type { Image } from '../../src/reference/images.js'

interface Repository {
  tags: Map<string, string>
  manifests: Map<string, Manifest>
  blobs: Map<string, Uint8Array>
}

const isDigest = (reference: string) => reference.startsWith('sha256:')

export class MemoryRegistry implements RegistryClient {
  readonly repositories = new Map<string, Repository>()
  /** Every call, as `METHOD image reference`. */
  readonly calls: string[] = []
  /** Runs after each manifest PUT (what another run does meanwhile). */
  afterPut: (image: string, tag: string) => void = () => undefined
  /** Runs before each HEAD of a manifest is answered (another run's write lands first). */
  beforeHead: (image: string, reference: string) => void = () => undefined
  /** As a registry that opens an upload instead of mounting a blob. */
  refusesMounts = false

  private repo(image: string): Repository {
    let repo = this.repositories.get(image)
    if (repo === undefined) {
      repo = { tags: new Map(), manifests: new Map(), blobs: new Map() }
      this.repositories.set(image, repo)
    }
    return repo
  }

  /**
   * What a builder's push leaves: an image config with these labels (`body`
   * makes the image unique), its manifest by digest, and a tag if given.
   */
  push(
    image: string,
    body: string,
    tag?: string,
    labels: Record<string, string> = {}
  ): Manifest {
    const encode = (value: unknown) =>
      new TextEncoder().encode(JSON.stringify(value))
    const config = encode({ config: { Labels: labels }, build: body })
    const configDigest = sha256Digest(config)
    this.repo(image).blobs.set(configDigest, config)
    const bytes = encode({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { digest: configDigest },
      layers: []
    })
    const manifest = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256Digest(bytes),
      body: bytes
    }
    this.repo(image).manifests.set(manifest.digest, manifest)
    if (tag !== undefined) this.repo(image).tags.set(tag, manifest.digest)
    return manifest
  }

  /** Another run's write: a tag pointed at a manifest already here. */
  retag(image: string, tag: string, digest: string): void {
    this.repo(image).tags.set(tag, digest)
  }

  tagsOf(image: string): Record<string, string> {
    return Object.fromEntries(this.repo(image).tags)
  }

  ping(): Promise<void> {
    return Promise.resolve()
  }

  checkCredentials(_registry?: string): Promise<void> {
    return Promise.resolve()
  }

  /** A registry that takes Basic: no token. */
  pullToken(): Promise<string | undefined> {
    return Promise.resolve(undefined)
  }

  listTags({ name: image }: Image): Promise<string[]> {
    this.calls.push(`GET ${image} tags`)
    return Promise.resolve([...this.repo(image).tags.keys()])
  }

  getDigest(
    { name: image }: Image,
    reference: string
  ): Promise<string | undefined> {
    this.calls.push(`HEAD ${image} ${reference}`)
    this.beforeHead(image, reference)
    const repo = this.repo(image)
    const digest = isDigest(reference) ? reference : repo.tags.get(reference)
    return Promise.resolve(
      digest !== undefined && repo.manifests.has(digest) ? digest : undefined
    )
  }

  async getManifest(
    { name: image }: Image,
    reference: string
  ): Promise<Manifest | undefined> {
    this.calls.push(`GET ${image} ${reference}`)
    const digest = isDigest(reference)
      ? reference
      : this.repo(image).tags.get(reference)
    return Promise.resolve(
      digest === undefined ? undefined : this.repo(image).manifests.get(digest)
    )
  }

  putManifest(
    { name: image }: Image,
    tag: string,
    manifest: Manifest
  ): Promise<string> {
    this.calls.push(`PUT ${image} ${tag}`)
    const repo = this.repo(image)
    repo.manifests.set(manifest.digest, manifest)
    if (!isDigest(tag)) repo.tags.set(tag, manifest.digest)
    this.afterPut(image, tag)
    return Promise.resolve(manifest.digest)
  }

  /** Like distribution 2.8: no OCI-Subject answer, no If-Match. */
  async pushManifest(
    image: Image,
    reference: string,
    manifest: Manifest
  ): Promise<PushedManifest> {
    const digest = await this.putManifest(image, reference, manifest)
    return { digest, subject: undefined, conflict: false }
  }

  /** Like distribution 2.8: no referrers API. */
  getReferrers({ name: image }: Image, digest: string): Promise<undefined> {
    this.calls.push(`GET ${image} referrers ${digest}`)
    return Promise.resolve(undefined)
  }

  getBlob(
    { name: image }: Image,
    digest: string
  ): Promise<Uint8Array | undefined> {
    this.calls.push(`GET ${image} blob ${digest}`)
    return Promise.resolve(this.repo(image).blobs.get(digest))
  }

  downloadBlob(image: Image, digest: string, path: string): Promise<boolean> {
    const bytes = this.repo(image.name).blobs.get(digest)
    this.calls.push(`GET ${image.name} blob ${digest} into a file`)
    if (bytes !== undefined) writeFileSync(path, bytes)
    return Promise.resolve(bytes !== undefined)
  }

  async uploadBlob(
    { name: image }: Image,
    blob: BlobFile,
    options: UploadBlobOptions = {}
  ): Promise<BlobUploadResult> {
    this.calls.push(`POST ${image} blob ${blob.digest}`)
    const blobs = this.repo(image).blobs
    if (blobs.has(blob.digest)) return { outcome: 'present', bytesSent: 0 }
    const from = options.mountFrom?.find(
      other =>
        !this.refusesMounts &&
        this.repositories.get(other.name)?.blobs.get(blob.digest)
    )
    const mounted = from && this.repo(from.name).blobs.get(blob.digest)
    if (mounted !== undefined) {
      blobs.set(blob.digest, mounted)
      return { outcome: 'mounted', bytesSent: 0 }
    }
    await blob.available?.(blob.size - 1)
    const bytes = new Uint8Array(readFileSync(blob.path))
    blobs.set(blob.digest, bytes)
    return { outcome: 'uploaded', bytesSent: bytes.length }
  }

  deleteManifest({ name: image }: Image, digest: string): Promise<void> {
    this.calls.push(`DELETE ${image} ${digest}`)
    const repo = this.repo(image)
    repo.manifests.delete(digest)
    for (const [tag, target] of repo.tags)
      if (target === digest) repo.tags.delete(tag)
    return Promise.resolve()
  }

  putBlob({ name: image }: Image, bytes: Uint8Array): Promise<string> {
    const digest = sha256Digest(bytes)
    this.calls.push(`PUT ${image} blob ${digest}`)
    this.repo(image).blobs.set(digest, bytes)
    return Promise.resolve(digest)
  }

  mountBlob(
    { name: image }: Image,
    digest: string,
    { name: fromImage }: Image
  ): Promise<void> {
    this.calls.push(`POST ${image} mount ${digest} from ${fromImage}`)
    return Promise.resolve()
  }

  /** BuildKit's reads are relayed from a registry on the wire (test/unit/buildx/registry-relay). */
  relayRead(): Promise<never> {
    return Promise.reject(new Error('the memory registry relays no reads'))
  }

  pingUploads({ name: image }: Image): Promise<void> {
    this.calls.push(`GET ${image} uploads`)
    return Promise.resolve()
  }
}
