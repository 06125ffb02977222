/** Signatures and attestations in the registry, in cosign's tag scheme (cosign.ts). */
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import {
  ARTIFACT_SUFFIXES,
  artifactConfig,
  artifactManifest,
  artifactTag,
  descriptor,
  newLayers,
  parseArtifact,
  payloadDigest,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING,
  simpleSigningPayload,
  type ArtifactSuffix,
  type Descriptor
} from './cosign.js'
import { verifies, type Signer } from './signing-key.js'

/** The layers an artifact tag holds now ([] when it has none). */
async function layersAt(
  client: RegistryClient,
  image: Image,
  tag: string
): Promise<Descriptor[]> {
  const manifest = await client.getManifest(image, tag)
  return manifest === undefined ? [] : parseArtifact(manifest).layers
}

/** Writes (and read-back checks) an artifact tag before giving up on a racing writer. */
const TAG_ROUNDS = 5

/**
 * Puts the artifact tag with `layers` added to what it holds; their blobs
 * must be there. Read, add, put with If-Match, and read again until the
 * layers are there: two runs signing one digest at once both keep theirs.
 */
export async function addLayers(
  client: RegistryClient,
  image: Image,
  tag: string,
  layers: Descriptor[]
): Promise<boolean> {
  let written = false
  for (let round = 0; round < TAG_ROUNDS; round++) {
    const held = await client.getManifest(image, tag)
    const heldLayers = held === undefined ? [] : parseArtifact(held).layers
    const added = newLayers(heldLayers, layers)
    if (added.length === 0) return written
    const all = [...heldLayers, ...added]
    const config = artifactConfig(all)
    await client.putBlob(image, config)
    const put = await client.pushManifest(
      image,
      tag,
      artifactManifest(config, all),
      held?.etag
    )
    written ||= !put.conflict
  }
  throw new Error(
    `${image.name}:${tag} kept changing under ${TAG_ROUNDS} writes: another run signs the same digest at the same time`
  )
}

/** Signatures among `layers` that vouch for `digest` and verify with the key. */
async function validSignatures(
  client: RegistryClient,
  image: Image,
  digest: string,
  layers: Descriptor[],
  publicKey: string
): Promise<Descriptor[]> {
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
  return layers.filter((_, index) => checked[index])
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
): Promise<{ tag: string; written: boolean }> {
  const tag = artifactTag(digest, 'sig')
  const held = await layersAt(client, image, tag)
  const valid = await validSignatures(
    client,
    image,
    digest,
    held,
    signer.publicKey
  )
  if (valid.length > 0) return { tag, written: false }
  const payload = simpleSigningPayload(image, digest)
  await client.putBlob(image, payload)
  const layer = descriptor(SIMPLE_SIGNING, payload, {
    [SIGNATURE_ANNOTATION]: signer.sign(payload)
  })
  return { tag, written: await addLayers(client, image, tag, [layer]) }
}

/** How many signatures on `digest` in `image` verify with the PEM public key. */
export async function countValidSignatures(
  client: RegistryClient,
  image: Image,
  digest: string,
  publicKey: string
): Promise<number> {
  const held = await layersAt(client, image, artifactTag(digest, 'sig'))
  return (await validSignatures(client, image, digest, held, publicKey)).length
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
    if (await copyArtifact(client, fromImage, tag, toImage, suffix))
      written.push(tag)
  }
  return written
}

async function copyArtifact(
  client: RegistryClient,
  fromImage: Image,
  tag: string,
  toImage: Image,
  suffix: ArtifactSuffix
): Promise<boolean> {
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
  return addLayers(client, toImage, tag, missing)
}
