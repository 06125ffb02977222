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

export async function storeAttestation(
  bundle: object,
  access: ApiAccess
): Promise<StoreAnswer> {
  const url = new URL(
    `${access.apiUrl}/repos/${access.repository}/attestations`
  )
  const answer = (await exchange(
    `the attestations API (${url.href})`,
    url,
    {
      method: 'POST',
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${access.token}`,
        'Content-Type': 'application/json',
        'X-GitHub-Api-Version': '2022-11-28'
      },
      body: JSON.stringify({ bundle })
    },
    access.limits,
    {
      statuses: REFUSALS,
      read: async response => {
        const text = await response.text().catch(() => '')
        return { refused: response.status, message: refusalMessage(text) }
      }
    }
  )) as { id?: unknown; refused?: number; message?: string } | null
  if (typeof answer?.refused === 'number')
    return { refused: answer.refused, message: answer.message ?? '' }
  const id = answer?.id
  if (typeof id !== 'number' && typeof id !== 'string')
    throw new Error(`the attestations API (${url.href}) answered without an id`)
  return { id: String(id) }
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
