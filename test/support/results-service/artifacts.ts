/**
 * The artifact service (v4) as @actions/artifact (v6) speaks to it, read from
 * its source (lib/internal/upload/upload-artifact.js, find/list-artifacts.js,
 * download/download-artifact.js, delete/delete-artifact.js):
 * - twirp JSON, POST /twirp/github.actions.results.api.v1.ArtifactService/<method>
 *   (CreateArtifact, FinalizeArtifact, ListArtifacts, GetSignedArtifactURL,
 *   DeleteArtifact), fields in their proto names, int64 as strings,
 *   timestamps as RFC 3339; errors as `{code, msg}` with an HTTP status
 *   (the client retries 429, 500, 502, 503 and 504 five times, 3 s apart
 *   growing by 1.5, and fails at once on any other);
 * - the Azure blob upload to the signed URL CreateArtifact hands out
 *   (@azure/storage-blob's uploadStream: PUT ?comp=block&blockid= per
 *   block, then PUT ?comp=blocklist; or one PUT of the whole blob) and the
 *   download GET of the one GetSignedArtifactURL hands out, both answered by
 *   ./azure-blob.ts.
 *
 * The rules, and what each rests on:
 * - Scope: a run's artifacts are listed and read by tokens of that run only
 *   (GitHub's docs: "artifacts uploaded during the same workflow run").
 * - Listing: every finalized artifact of the run, of every attempt, with the
 *   job backend id it was made in; `@actions/artifact`'s `latest: true` keeps
 *   the highest id of each name on the client (filterLatest), which exists
 *   for re-runs (PocketShell-io/pocketshell#1809: a re-run's artifact of a name
 *   beside the first attempt's).
 * - Names (`nameRule`), as two rules were seen in the field:
 *   `per-run`: unique in the run across attempts, a re-run job's upload of a
 *   name an earlier attempt finalized gets `(409) Conflict: an artifact with
 *   this name already exists on the workflow run` (apache/datafusion-comet#3723,
 *   datahub-project/datahub#17001; upload-artifact's `overwrite: true`, a
 *   delete then the upload, as their fix);
 *   `per-attempt`: unique among the jobs of one attempt; a re-run's artifact
 *   sits beside the earlier attempt's (PocketShell-io/pocketshell#1809).
 * - Under either rule, a job's second CreateArtifact of a name it already
 *   created is refused (409), finalized or not: a failed finalize keeps the
 *   name (QIICR/dcmqi#562, DataDog/dd-trace-js#10228), and the unfinalized
 *   artifact is neither listed nor deletable.
 * - Delete: of the finalized artifact of that name made in the job the request
 *   names (delete-artifact.js lists by name and sends the newest one's job
 *   backend id); it frees the name. (GitHub once answered 409 after such a
 *   delete too, openedx/openedx-platform#34985: not modelled.)
 */
import { randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import {
  blobMount,
  signedBlobUrl,
  type BlobContainer,
  type StoredBlob
} from './azure-blob.js'
import {
  ServiceError,
  type Mount,
  type ResultsContext,
  type ResultsService,
  type Scope
} from './server.js'
import {
  text,
  twirpHandler,
  twirpRequestName,
  wrapped,
  type TwirpMethod
} from './twirp.js'

const SERVICE = 'ArtifactService'

/** How the service judges an artifact name already used (see above). */
export type NameRule = 'per-run' | 'per-attempt'

interface StoredArtifact extends StoredBlob {
  id: number
  runBackendId: string
  jobBackendId: string
  attempt: number
  name: string
  finalized: boolean
  createdAt: Date
  blob: string
  size: number
  hash?: string
}

/** What the artifact service holds: every run's artifacts. */
interface ArtifactStore {
  stored: StoredArtifact[]
  nextId(): number
}

/** What tests read and plant in the artifact service. */
interface ArtifactReads {
  /** The run's artifacts, finalized or not. */
  artifacts(runBackendId: string): StoredArtifact[]
  /** An artifact put into a run as a job of attempt `attempt` would (a newer one of its name). */
  plant(
    runBackendId: string,
    artifact: Pick<StoredArtifact, 'name' | 'content' | 'contentType'>,
    attempt?: number
  ): StoredArtifact
}

export interface ArtifactService extends ResultsService, ArtifactReads {
  /** The name rule in force; may be switched between jobs. */
  nameRule: NameRule
}

const conflict = () =>
  new ServiceError(
    409,
    'already_exists',
    'an artifact with this name already exists on the workflow run'
  )

/** The artifact service's twirp methods over `store`. */
function twirpMethods(
  store: ArtifactStore,
  options: { nameRule: () => NameRule; signedUrl(blob: string): string }
): Record<string, TwirpMethod> {
  const { stored } = store
  const ofRun = (scope: Scope, body: Record<string, unknown>) => {
    if (text(body, 'workflow_run_backend_id') !== scope.run)
      throw new ServiceError(
        403,
        'permission_denied',
        'the token is not for this workflow run'
      )
    return stored.filter(a => a.runBackendId === scope.run)
  }
  return {
    CreateArtifact(scope, body) {
      const name = text(body, 'name')
      const taken = ofRun(scope, body).filter(a => a.name === name)
      if (
        taken.some(a => a.jobBackendId === scope.job) ||
        taken.some(
          a =>
            a.finalized &&
            (options.nameRule() === 'per-run' || a.attempt === scope.attempt)
        )
      )
        throw conflict()
      const blob = `${randomUUID()}/${encodeURIComponent(name)}.zip`
      stored.push({
        id: store.nextId(),
        runBackendId: scope.run,
        jobBackendId: scope.job,
        attempt: scope.attempt,
        name,
        finalized: false,
        createdAt: new Date(),
        blob,
        size: 0,
        contentType: '',
        content: Buffer.alloc(0)
      })
      return { ok: true, signed_upload_url: options.signedUrl(blob) }
    },
    FinalizeArtifact(scope, body) {
      const artifact = ofRun(scope, body).find(
        a =>
          a.jobBackendId === text(body, 'workflow_job_run_backend_id') &&
          a.name === text(body, 'name') &&
          !a.finalized
      )
      if (artifact === undefined)
        throw new ServiceError(404, 'not_found', 'no such artifact to finalize')
      artifact.finalized = true
      artifact.size = Number(text(body, 'size') || artifact.content.length)
      const hash = wrapped(body, 'hash')
      if (hash !== undefined) artifact.hash = hash
      return { ok: true, artifact_id: String(artifact.id) }
    },
    ListArtifacts(scope, body) {
      const name = wrapped(body, 'name_filter')
      const id = wrapped(body, 'id_filter')
      const artifacts = ofRun(scope, body).filter(
        a =>
          a.finalized &&
          (name === undefined || a.name === name) &&
          (id === undefined || String(a.id) === id)
      )
      return { artifacts: artifacts.map(listed) }
    },
    GetSignedArtifactURL(scope, body) {
      const artifact = ofRun(scope, body)
        .filter(
          a =>
            a.finalized &&
            a.name === text(body, 'name') &&
            a.jobBackendId === text(body, 'workflow_job_run_backend_id')
        )
        .sort((a, b) => b.id - a.id)[0]
      if (artifact === undefined)
        throw new ServiceError(404, 'not_found', 'artifact not found')
      return { signed_url: options.signedUrl(artifact.blob) }
    },
    DeleteArtifact(scope, body) {
      const artifact = ofRun(scope, body).find(
        a =>
          a.finalized &&
          a.name === text(body, 'name') &&
          a.jobBackendId === text(body, 'workflow_job_run_backend_id')
      )
      if (artifact === undefined)
        throw new ServiceError(404, 'not_found', 'artifact not found')
      stored.splice(stored.indexOf(artifact), 1)
      return { ok: true, artifact_id: String(artifact.id) }
    }
  }
}

function listed(artifact: StoredArtifact) {
  return {
    workflow_run_backend_id: artifact.runBackendId,
    workflow_job_run_backend_id: artifact.jobBackendId,
    database_id: String(artifact.id),
    name: artifact.name,
    size: String(artifact.size),
    created_at: artifact.createdAt.toISOString(),
    ...(artifact.hash === undefined ? {} : { digest: artifact.hash })
  }
}

/** The artifact service over `store`: its twirp API and the blobs its URLs point to. */
function artifactMount(
  context: ResultsContext,
  store: ArtifactStore,
  nameRule: () => NameRule
): Mount {
  const container: BlobContainer = {
    path: '/devstoreaccount1/artifacts/',
    label: 'blob',
    find: name => store.stored.find(a => a.blob === name)
  }
  const signedUrl = (blob: string) =>
    signedBlobUrl(context, container, blob, 'rcw')
  const blobs = blobMount(context, container)
  return {
    handlers: [
      twirpHandler(
        context,
        SERVICE,
        twirpMethods(store, { nameRule, signedUrl })
      ),
      ...blobs.handlers
    ],
    requestName: (req, url) =>
      twirpRequestName(SERVICE)(req, url) ?? blobs.requestName(req, url)
  }
}

/** An empty artifact service: its store, its mount, and what tests read of it. */
export function artifactService(nameRule: () => NameRule): {
  mount: (context: ResultsContext) => Mount
  reads: ArtifactReads
} {
  let id = 1000
  const store: ArtifactStore = { stored: [], nextId: () => id++ }
  const reads: ArtifactReads = {
    artifacts: run => store.stored.filter(a => a.runBackendId === run),
    plant(run, artifact, attempt = 1) {
      const planted: StoredArtifact = {
        ...artifact,
        id: store.nextId(),
        runBackendId: run,
        jobBackendId: randomUUID(),
        attempt,
        finalized: true,
        createdAt: new Date(),
        committedAt: new Date(),
        blob: `${randomUUID()}/${encodeURIComponent(artifact.name)}.zip`,
        size: artifact.content.length
      }
      store.stored.push(planted)
      return planted
    }
  }
  return { mount: context => artifactMount(context, store, nameRule), reads }
}

/** A zip of one file, stored (as upload-artifact's zip of a small file reads back). */
export function zipOf(name: string, content: Buffer): Buffer {
  const file = Buffer.from(name)
  const crc = crc32(content)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(content.length, 18)
  local.writeUInt32LE(content.length, 22)
  local.writeUInt16LE(file.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(content.length, 20)
  central.writeUInt32LE(content.length, 24)
  central.writeUInt16LE(file.length, 28)
  const entries = Buffer.concat([local, file, content])
  const directory = Buffer.concat([central, file])
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(entries.length, 16)
  return Buffer.concat([entries, directory, end])
}
