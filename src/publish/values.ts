/** What a run learns as its steps go: digests, and what placeholders stand for. */
import type { BuildMetadata } from '../docker/metadata.js'
import type { Image } from '../reference/images.js'
import { DIGEST, IMAGE_ID, SOURCE_DIGEST } from '../plan/steps.js'

export class RunValues {
  private readonly digests = new Map<string, string>()
  private readonly staged = new Map<string, string>()
  /** promote: the image copied, and its digest once read. */
  source: { image: Image; digest: string } | undefined
  build: BuildMetadata = { digest: '', imageId: '', raw: {} }
  /** Images this run's layout went up to, in order (later ones mount from them). */
  readonly uploaded: Image[] = []
  /** mode digest: the handover index each image's leg put under its tag. */
  readonly handovers = new Map<string, string>()

  setDigest(image: string, digest: string): void {
    this.digests.set(image, digest)
  }

  /** The digest this run publishes to an image ('' until a step has learnt it). */
  digestOf(image: string): string {
    return this.digests.get(image) ?? ''
  }

  setStaged(image: string, placeholder: string, digest: string): void {
    this.staged.set(`${image} ${placeholder}`, digest)
  }

  /** A step's text with what its placeholders stand for. */
  resolve(text: string, image: Image | undefined): string {
    let resolved = text
      .replaceAll(SOURCE_DIGEST, this.source?.digest ?? SOURCE_DIGEST)
      .replaceAll(IMAGE_ID, this.build.imageId || IMAGE_ID)
    if (image === undefined) return resolved
    for (const [key, digest] of this.staged)
      if (key.startsWith(`${image.name} `))
        resolved = resolved.replaceAll(key.slice(image.name.length + 1), digest)
    const digest = this.digestOf(image.name)
    return digest === '' ? resolved : resolved.replaceAll(DIGEST, digest)
  }
}
