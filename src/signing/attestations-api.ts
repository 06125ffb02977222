/**
 * GitHub's attestations API, where a repository keeps its artifact attestations (REST "Create an
 * attestation": POST /repos/{owner}/{repo}/attestations with the Sigstore bundle, answered 201 with
 * its id). Written against http-fetch.ts, as @actions/attest's own store call would load undici
 * and octokit, and wraps the answer's status into a message where a refusal must be told apart.
 */
import type { RetryPolicy } from '../docker/retrying.js'
import { exchange } from './sigstore-client.js'

/** A stored attestation's id, or the API's refusal (403: no permission; 404: none here). */
export type StoreAnswer = { id: string } | { refused: number; message: string }

interface ApiAccess {
  /** GITHUB_API_URL. */
  apiUrl: string
  /** owner/name. */
  repository: string
  /** github-token: it needs attestations: write. */
  token: string
  limits: RetryPolicy & { timeoutMs: number }
}

/** The statuses that say the repository takes no attestation from this job. */
const REFUSALS = [403, 404]

/** An answer's JSON, or the API's refusal (403, 404) with GitHub's message. */
type Answer = Record<string, unknown> & { refused?: number; message?: string }

/** A request to the API (a POST with `body`, else a GET), its answer. */
async function ask(
  path: string,
  body: object | undefined,
  access: ApiAccess
): Promise<Answer> {
  const url = new URL(`${access.apiUrl}${path}`)
  const answer = (await exchange(
    `GitHub's API (${url.href})`,
    url,
    {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${access.token}`,
        'Content-Type': 'application/json',
        'X-GitHub-Api-Version': '2022-11-28'
      },
      ...(body !== undefined && { body: JSON.stringify(body) })
    },
    access.limits,
    {
      statuses: REFUSALS,
      read: async response => {
        const text = await response.text().catch(() => '')
        return { refused: response.status, message: refusalMessage(text) }
      }
    }
  )) as Answer | null
  return answer ?? {}
}

export async function storeAttestation(
  bundle: object,
  access: ApiAccess
): Promise<StoreAnswer> {
  const path = `/repos/${access.repository}/attestations`
  const answer = await ask(path, { bundle }, access)
  if (typeof answer.refused === 'number')
    return { refused: answer.refused, message: answer.message ?? '' }
  const id = answer.id
  if (typeof id !== 'number' && typeof id !== 'string')
    throw new Error(`the attestations API (${path}) answered without an id`)
  return { id: String(id) }
}

/** Where an image is stored: what a storage record names (REST "artifact metadata"). */
export interface StorageRecord {
  /** The image's name, as its attestation's subject names it. */
  name: string
  digest: string
  /** The registry's origin, https://host[:port]. */
  registryUrl: string
}

/**
 * Records where the image is stored, for the organization's linked artifacts (@actions/attest's
 * createStorageRecord: POST /orgs/{owner}/artifacts/metadata/storage-record with name, digest
 * and registry_url, answered with storage_records' ids; it needs artifact-metadata: write).
 */
export async function storeStorageRecord(
  record: StorageRecord,
  access: ApiAccess
): Promise<{ ids: string[] } | { refused: number; message: string }> {
  const [owner] = access.repository.split('/')
  const path = `/orgs/${owner}/artifacts/metadata/storage-record`
  const { name, digest, registryUrl } = record
  const body = { name, digest, registry_url: registryUrl }
  const answer = await ask(path, body, access)
  if (typeof answer.refused === 'number')
    return { refused: answer.refused, message: answer.message ?? '' }
  return { ids: recordsIn(answer).map(r => String(r.id)) }
}

/** An answer's storage_records, as GitHub lists them (id, name, digest, registry_url, …). */
const recordsIn = (answer: Answer) =>
  Array.isArray(answer.storage_records)
    ? (answer.storage_records as Record<string, unknown>[])
    : []

/**
 * Whether the organization holds a storage record of `record` (its name in its registry), as REST
 * "List artifact storage records" (GET /orgs/{org}/artifacts/{subject_digest}/metadata/
 * storage-records) lists them; a refusal (403, 404: GitHub answers 404 for a digest of none) is
 * none found, and the create that follows tells.
 */
export async function holdsStorageRecord(
  record: StorageRecord,
  access: ApiAccess
): Promise<boolean> {
  const [owner] = access.repository.split('/')
  const path = `/orgs/${owner}/artifacts/${record.digest}/metadata/storage-records`
  const answer = await ask(path, undefined, access)
  return recordsIn(answer).some(
    r => r.name === record.name && r.registry_url === record.registryUrl
  )
}

/** GitHub's error body's message (`{"message": …}`), else the start of the text. */
function refusalMessage(text: string): string {
  try {
    const { message } = JSON.parse(text) as { message?: unknown }
    if (typeof message === 'string') return message
  } catch {
    // not JSON: its text
  }
  return text.slice(0, 200)
}

/** Where a person sees an attestation: its page in the repository. */
export const attestationUrl = (
  serverUrl: string,
  repository: string,
  id: string
) => `${serverUrl}/${repository}/attestations/${id}`
