/**
 * A stand-in of GitHub's attestations API, as GITHUB_API_URL names it, each rule from:
 * - @actions/attest 3.2.0's client (lib/store.js): `POST /repos/{owner}/{repo}/attestations` with
 *   `{bundle}`, the Sigstore bundle as JSON; it reads `id` from the answer.
 * - GitHub's REST docs, "Create an attestation" (docs.github.com/rest/repos/attestations): the
 *   request needs a token (Authorization: Bearer), the bundle an object with mediaType,
 *   verificationMaterial and dsseEnvelope; 201 `{"id": …}`; 403 Forbidden where the token may not
 *   write attestations (the job lacks `attestations: write`) and 404 where the repository has none
 *   (a private repository on a plan without them); 422 a body it cannot take.
 * - "List attestations" (GET /repos/{owner}/{repo}/attestations/{subject_digest}): what the
 *   repository holds for a subject digest, `{attestations: [{bundle, repository_id}]}`, the
 *   digest read from the in-toto statement's subjects.
 * - Storage records, "artifact metadata" (@actions/attest 3.2.0's lib/artifactMetadata.js, and
 *   actions/attest's src/attest.ts, which calls it): `POST /orgs/{owner}/artifacts/metadata/
 *   storage-record` with `name`, `digest`, `registry_url` (an https origin: actions/attest refuses
 *   another protocol), answered with `{storage_records: [{id}]}`; for an organization only
 *   (actions/attest asks first whether the owner is one, and skips otherwise).
 * - "List artifact storage records" (docs.github.com/rest/orgs/artifact-metadata, GET
 *   /orgs/{org}/artifacts/{subject_digest}/metadata/storage-records): 200 with `total_count` and
 *   `storage_records`, each with `name`, `digest` and `registry_url` (go-github's
 *   ArtifactStorageRecord); the organization's records of that digest.
 * `refuse` answers every create with that status, as GitHub does without the permission;
 * `refuseRecords` (settable, for a re-run with the permission), the storage records alone.
 */
import type { ServerResponse } from 'node:http'
import { startServer } from './http-server.js'
import { readBody } from './sigstore-standins.js'

interface HeldAttestation {
  id: number
  repository: string
  /** The digests its statement names, `sha256:<hex>`. */
  subjects: string[]
  bundle: { mediaType?: string; dsseEnvelope?: { payload: string } }
}

/** A storage record: where an attested image is kept. */
interface HeldRecord {
  id: number
  owner: string
  name: string
  digest: string
  registryUrl: string
}

export interface AttestationsApi {
  /** GITHUB_API_URL. */
  url: string
  held: HeldAttestation[]
  records: HeldRecord[]
  /** The create requests answered, refused ones too. */
  creates: number
  /** Storage records answered 403 (the job lacks artifact-metadata: write). */
  refuseRecords: boolean
  close(): Promise<void>
}

const CREATE = /^\/repos\/([^/]+\/[^/]+)\/attestations$/
const LIST = /^\/repos\/([^/]+\/[^/]+)\/attestations\/([^/]+)$/
const RECORD = /^\/orgs\/([^/]+)\/artifacts\/metadata\/storage-record$/
const RECORDS =
  /^\/orgs\/([^/]+)\/artifacts\/([^/]+)\/metadata\/storage-records$/

function send(answer: ServerResponse, status: number, body: object): void {
  answer.writeHead(status, { 'Content-Type': 'application/json' })
  answer.end(JSON.stringify(body))
}

/** The subject digests of a bundle's in-toto statement. */
function subjectsOf(bundle: HeldAttestation['bundle']): string[] {
  const payload = bundle.dsseEnvelope?.payload ?? ''
  const statement = JSON.parse(
    Buffer.from(payload, 'base64').toString('utf8')
  ) as { subject?: { digest?: Record<string, string> }[] }
  return (statement.subject ?? []).flatMap(s =>
    Object.entries(s.digest ?? {}).map(
      ([algorithm, hex]) => `${algorithm}:${hex}`
    )
  )
}

/** `refuseRecords`: storage records alone answered 403 (the job lacks artifact-metadata: write). */
export async function startAttestationsApi(
  refuse?: 403 | 404,
  refuseRecords = false
): Promise<AttestationsApi> {
  const held: HeldAttestation[] = []
  const records: HeldRecord[] = []
  const api = { creates: 0, refuseRecords }
  const server = await startServer((request, answer) => {
    void readBody(request).then(text => {
      const path = new URL(request.url ?? '/', 'http://api').pathname
      const listed = LIST.exec(path)
      if (request.method === 'GET' && listed)
        return send(answer, 200, {
          attestations: held
            .filter(
              a => a.repository === listed[1] && a.subjects.includes(listed[2])
            )
            .map(a => ({ bundle: a.bundle, repository_id: 700123 }))
        })
      const listedRecords = RECORDS.exec(path)
      if (request.method === 'GET' && listedRecords) {
        const [, owner, digest] = listedRecords
        const found = records
          .filter(r => r.owner === owner && r.digest === digest)
          .map(({ id, name, registryUrl }) => ({
            id,
            name,
            digest,
            registry_url: registryUrl
          }))
        return send(answer, 200, {
          total_count: found.length,
          storage_records: found
        })
      }
      const record = RECORD.exec(path)
      if (request.method === 'POST' && record) {
        if (refuse !== undefined || api.refuseRecords)
          return send(answer, refuse ?? 403, {
            message: 'Resource not accessible by integration'
          })
        const { name, digest, registry_url } = JSON.parse(text) as Record<
          string,
          unknown
        >
        if (
          typeof name !== 'string' ||
          typeof digest !== 'string' ||
          typeof registry_url !== 'string' ||
          !registry_url.startsWith('https://')
        )
          return send(answer, 422, { message: 'Validation Failed' })
        const id = records.length + 1
        records.push({
          id,
          owner: record[1],
          name,
          digest,
          registryUrl: registry_url
        })
        return send(answer, 200, { storage_records: [{ id }] })
      }
      const created = CREATE.exec(path)
      if (request.method !== 'POST' || !created)
        return send(answer, 404, { message: 'Not Found' })
      api.creates++
      if (!/^Bearer \S+/.test(request.headers.authorization ?? ''))
        return send(answer, 401, { message: 'Requires authentication' })
      if (refuse === 403)
        return send(answer, 403, {
          message: 'Resource not accessible by integration'
        })
      if (refuse === 404) return send(answer, 404, { message: 'Not Found' })
      const { bundle } = JSON.parse(text) as {
        bundle?: HeldAttestation['bundle']
      }
      if (
        typeof bundle !== 'object' ||
        !bundle.mediaType?.startsWith('application/vnd.dev.sigstore.bundle') ||
        bundle.dsseEnvelope === undefined
      )
        return send(answer, 422, { message: 'Validation Failed' })
      const id = held.length + 1
      held.push({
        id,
        repository: created[1],
        subjects: subjectsOf(bundle),
        bundle
      })
      return send(answer, 201, { id })
    })
  })
  return {
    url: `http://${server.host}`,
    held,
    records,
    get creates() {
      return api.creates
    },
    get refuseRecords() {
      return api.refuseRecords
    },
    set refuseRecords(refusing: boolean) {
      api.refuseRecords = refusing
    },
    close: () => server.close()
  }
}
