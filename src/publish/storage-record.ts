/**
 * Storage records: where an attested image is kept, for the organization's linked artifacts
 * (actions/attest makes one per image it pushes to). Asked by the build's and the merge's `record`
 * steps (provenance-phase.ts) and by promote's (sign-phase.ts); a refusal is one warning, never the
 * release's failure.
 */
import { errorMessage } from '../errors/input-error.js'
import type { Image } from '../reference/images.js'
import {
  ATTESTATIONS_INPUT,
  type GithubAttestations
} from '../settings/github-attestations.js'
import {
  holdsStorageRecord,
  storeStorageRecord,
  type StorageRecord
} from '../signing/attestations-api.js'
import type { PublishEnv, RunContext } from './run-context.js'

/** What a storage record is asked with: the run's attestations API and its token. */
export interface RecordAccess {
  attestations: GithubAttestations
  token: string
}

/** Where the run records its images: with github-attestations, for an organization. */
export function recordAccess(run: RunContext): RecordAccess | undefined {
  const { attestations } = run.publication
  if (!attestations?.organization) return undefined
  return { attestations, token: run.settings.cleanup.githubToken }
}

/**
 * The record of the image's digest; its registry named as https://host[:port] (actions/attest reads
 * a name with a port as a URL scheme and skips).
 */
const recordOf = (image: Image, digest: string): StorageRecord => ({
  name: image.name,
  digest,
  registryUrl: `https://${image.registry}`
})

/** The API's access with the run's bounds: its 5xx and 429 tried again, as the registry's. */
const apiAccess = (access: RecordAccess, env: PublishEnv) => ({
  ...access.attestations,
  token: access.token,
  limits: { timeoutMs: env.bounds.registryMs, ...env.retry }
})

/**
 * Whether the organization holds the image's storage record already (a re-run of a release whose
 * first run's record was refused holds none); a fault reads as none, and the create tells.
 */
export async function recordedAlready(
  access: RecordAccess,
  image: Image,
  digest: string,
  env: PublishEnv
): Promise<boolean> {
  const held = await holdsStorageRecord(
    recordOf(image, digest),
    apiAccess(access, env)
  ).catch(() => false)
  if (held)
    env.log.info(`  ${image.name}@${digest}: storage record held already`)
  return held
}

/**
 * A storage record of the image's digest; false when refused (no artifact-metadata: write, GHES)
 * or still failing after the retries: one warning, never the release's failure, and the caller
 * asks for no other.
 */
export async function recordStorage(
  access: RecordAccess,
  image: Image,
  digest: string,
  env: PublishEnv
): Promise<boolean> {
  const answer = await storeStorageRecord(
    recordOf(image, digest),
    apiAccess(access, env)
  ).catch((error: unknown) => ({ refused: 0, message: errorMessage(error) }))
  if ('ids' in answer) {
    env.log.info(
      `  ${image.name}@${digest}: storage record ${answer.ids.join(', ')}`
    )
    return true
  }
  const status = answer.refused === 0 ? '' : `HTTP ${answer.refused}: `
  env.log.warning(
    `${ATTESTATIONS_INPUT}: no storage record of ${image.name}@${digest} (${status}` +
      `${answer.message}): give the job "permissions: artifact-metadata: write"; the ` +
      'attestations stand, the release goes on'
  )
  return false
}
