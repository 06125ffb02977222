/** A keyless signature written in cosign's `.sig` scheme (cosign.ts, sigstore.ts). */
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import {
  artifactTag,
  descriptor,
  SIMPLE_SIGNING,
  simpleSigningPayload
} from './cosign.js'
import type { KeylessSigner } from './keyless-signer.js'
import { addLayers } from './signatures.js'

/**
 * Signs `digest` in `image`: one more layer on its `.sig` tag, with the
 * certificate and Rekor's bundle. Every run adds its own (a fresh key, a new
 * log entry), as `cosign sign` does.
 */
export async function writeKeylessSignature(
  client: RegistryClient,
  image: Image,
  digest: string,
  signer: KeylessSigner
): Promise<{ tag: string; written: boolean }> {
  const tag = artifactTag(digest, 'sig')
  const payload = simpleSigningPayload(image, digest)
  await client.putBlob(image, payload)
  const layer = descriptor(
    SIMPLE_SIGNING,
    payload,
    await signer.annotate(payload)
  )
  return { tag, written: await addLayers(client, image, tag, [layer]) }
}
