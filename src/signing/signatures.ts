/**
 * Signatures (by a key or keyless) and attestations in the registry, in cosign's tag scheme
 * (cosign.ts, sigstore.ts).
 */
import type { Image } from '../reference/images.js'
import type {
  Manifest,
  OciDescriptor as Descriptor
} from '../registry/manifest.js'
import {
  TAG_ROUNDS,
  updateTag,
  type RegistryClient
} from '../registry/client.js'
import {
  ARTIFACT_SUFFIXES,
  artifactConfig,
  artifactLayers,
  artifactManifest,
  artifactTag,
  descriptor,
  newLayers,
  payloadDigest,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING,
  simpleSigningPayload
} from './cosign.js'
import { verifies, type Signer } from './signing-key.js'
import type { KeylessSigner } from './sigstore-client.js'

/** The layers an artifact tag holds now ([] when it has none). */
export async function layersAt(
  client: RegistryClient,
  image: Image,
  tag: string
): Promise<Descriptor[]> {
  return artifactLayers(await client.getManifest(image, tag))
}

/**
 * Puts the artifact tag with `layers` added to what it holds; their blobs must be there. Two runs
 * signing one digest at once both keep theirs.
 */
function addLayers(
  client: RegistryClient,
  image: Image,
  tag: string,
  layers: Descriptor[]
): Promise<boolean> {
  const next = async (held: Manifest | undefined) => {
    const heldLayers = artifactLayers(held)
    const added = newLayers(heldLayers, layers)
    if (added.length === 0) return undefined
    const all = [...heldLayers, ...added]
    const config = artifactConfig(all)
    await client.putBlob(image, config)
    return artifactManifest(config, all)
  }
  const raced = () =>
    new Error(
      `${image.name}:${tag} kept changing under ${TAG_ROUNDS} writes: another run signs the ` +
        `same digest at the same time`
    )
  return updateTag(client, image, tag, next, raced)
}

/** How many signatures on `digest` in `image` verify with the PEM public key. */
export async function countValidSignatures(
  client: RegistryClient,
  image: Image,
  digest: string,
  publicKey: string
): Promise<number> {
  const layers = await layersAt(client, image, artifactTag(digest, 'sig'))
  const checked = await Promise.all(
    layers.map(async layer => {
      const signature = layer.annotations?.[SIGNATURE_ANNOTATION]
      if (layer.mediaType !== SIMPLE_SIGNING || signature === undefined)
        return false
      const payload = await client.getBlob(image, layer.digest)
      return (
        payload !== undefined &&
        payloadDigest(payload) === digest &&
        verifies(publicKey, payload, signature)
      )
    })
  )
  return checked.filter(Boolean).length
}

/**
 * Signs `digest` in `image`: one more layer on its `.sig` tag, unless a
 * signature by this key is already there (a re-run writes nothing).
 * Returns the tag, and whether it was written.
 */
export async function writeSignature(
  client: RegistryClient,
  image: Image,
  digest: string,
  signer: Signer
) {
  if ((await countValidSignatures(client, image, digest, signer.publicKey)) > 0)
    return { tag: artifactTag(digest, 'sig'), written: false }
  return addSignature(client, image, digest, {
    annotate: payload =>
      Promise.resolve({ [SIGNATURE_ANNOTATION]: signer.sign(payload) })
  })
}

/**
 * One more layer on the `.sig` tag of `digest`, with the annotations the
 * signer makes (keyless: the certificate and Rekor's bundle; it adds its
 * own on every run, a fresh key and log entry, as `cosign sign` does).
 */
export async function addSignature(
  client: RegistryClient,
  image: Image,
  digest: string,
  signer: Pick<KeylessSigner, 'annotate'>
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

/**
 * Copies the signatures and attestations of `digest` from one repository
 * to another (any registry: the blobs are small, read and uploaded), adding
 * to what the target holds. Returns the artifact tags written.
 */
export async function copyArtifacts(
  client: RegistryClient,
  fromImage: Image,
  digest: string,
  toImage: Image
): Promise<string[]> {
  const written: string[] = []
  for (const suffix of ARTIFACT_SUFFIXES) {
    const tag = artifactTag(digest, suffix)
    const layers = await layersAt(client, fromImage, tag)
    const missing = newLayers(await layersAt(client, toImage, tag), layers)
    for (const layer of missing) {
      const bytes = await client.getBlob(fromImage, layer.digest)
      if (bytes === undefined)
        throw new Error(
          `${fromImage.name}:${tag} lists ${suffix} blob ${layer.digest}, which the registry lacks`
        )
      await client.putBlob(toImage, bytes)
    }
    if (await addLayers(client, toImage, tag, missing)) written.push(tag)
  }
  return written
}
