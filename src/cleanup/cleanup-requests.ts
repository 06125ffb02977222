/**
 * mode cleanup's steps made, each as its request: the delete probe's, a tombstone's, a manifest's
 * DELETE through the image's store. A tombstone is a tiny manifest no image shares (it names its
 * image, tag and time), pushed by the registry API and deleted right after.
 */
import type { RegistryClient } from '../registry/client.js'
import {
  jsonManifest,
  OCI_MANIFEST,
  type Manifest
} from '../registry/manifest.js'
import { EMPTY_CONFIG, EMPTY_CONFIG_BYTES } from '../registry/referrer-index.js'
import type { Image } from '../reference/images.js'
import { errorMessage } from '../errors/input-error.js'
import type { CleanupStore, RepositoryState } from './cleanup-plan.js'
import {
  ABSENT_DIGEST,
  type CleanupStep,
  type PlannedRemoval
} from './cleanup-steps.js'

const TOMBSTONE_TYPE = 'application/vnd.docker-publish-action.tombstone.v1'

/** The probe's tombstone stands for no tag. */
const PROBE = 'a probe of deletes'

function tombstone(image: Image, tag: string, now: Date): Manifest {
  return jsonManifest(OCI_MANIFEST, {
    artifactType: TOMBSTONE_TYPE,
    config: EMPTY_CONFIG,
    layers: [EMPTY_CONFIG],
    annotations: {
      'org.opencontainers.image.description': `removes ${image.name}:${tag}`,
      'org.opencontainers.image.created': now.toISOString()
    }
  })
}

/** A removal with its image's store. */
interface StoredRemoval extends PlannedRemoval {
  store: CleanupStore
}

/**
 * A request of the delete probe: its failure fails the run before any image is touched, naming
 * what the probe wrote that stays (`left`).
 */
async function probeRequest(
  image: Image,
  what: string,
  request: () => Promise<unknown>,
  left = ''
): Promise<void> {
  try {
    await request()
  } catch (error) {
    throw new Error(
      `cleanup: ${image.registry} refuses to delete (nothing was deleted): the delete ` +
        `probe's ${what} failed: ${errorMessage(error)}${left}`,
      { cause: error }
    )
  }
}

/**
 * Makes one step; a reread answers with what the image's store reads now. The probe (on a
 * registry that deletes by the registry API): a DELETE of a digest no image has, which a registry
 * that refuses deletes refuses before it writes anything (405); then a tombstone pushed by digest
 * and deleted, since a registry may answer that first DELETE 404 before it checks whether it
 * deletes at all. A tombstone whose delete fails gives the tag back to its digest.
 */
export async function takeStep(
  step: CleanupStep<StoredRemoval>,
  client: RegistryClient,
  now: Date
): Promise<RepositoryState | void> {
  const { image, store, removal } = step.of
  const probe = tombstone(image, PROBE, now)
  switch (step.action) {
    case 'probe absent':
      return probeRequest(image, `DELETE of ${ABSENT_DIGEST}`, () =>
        store.deleteManifest(image, ABSENT_DIGEST)
      )
    case 'probe config':
      return probeRequest(image, "upload of its tombstone's config", () =>
        client.putBlob(image, EMPTY_CONFIG_BYTES)
      )
    case 'probe put':
      return probeRequest(image, 'PUT of its tombstone', () =>
        client.putManifest(image, probe.digest, probe)
      )
    case 'probe delete':
      // a registry that answered the first DELETE 404 and refuses this one keeps the tombstone
      return probeRequest(
        image,
        'DELETE of its tombstone',
        () => store.deleteManifest(image, probe.digest),
        `; the tombstone ${probe.digest} stays, untagged`
      )
    case 'reread':
      return store.read(image)
    case 'delete':
      return store.deleteManifest(image, removal.digest)
    case 'tombstone config':
      await client.putBlob(image, EMPTY_CONFIG_BYTES)
      return
    case 'tombstone put':
      await client.putManifest(image, step.tag, tombstone(image, step.tag, now))
      return
    case 'tombstone delete':
      try {
        await store.deleteManifest(
          image,
          tombstone(image, step.tag, now).digest
        )
      } catch (error) {
        throw await givenBack(client, image, step.tag, removal.digest, error)
      }
  }
}

/**
 * A tombstone's delete failed: its tag given back to its digest, and the delete's error to throw;
 * where the give-back fails too, an error that keeps the delete's and says where the tag is left.
 */
async function givenBack(
  client: RegistryClient,
  image: Image,
  tag: string,
  digest: string,
  failure: unknown
): Promise<unknown> {
  try {
    const held = await client.getManifest(image, digest)
    if (held === undefined) throw new Error(`the registry has no ${digest}`)
    await client.putManifest(image, tag, held)
    return failure
  } catch (error) {
    return new Error(
      `${errorMessage(failure)}; ${image.name}:${tag} is left on its tombstone: giving it ` +
        `back to ${digest} failed: ${errorMessage(error)}`,
      { cause: failure }
    )
  }
}
