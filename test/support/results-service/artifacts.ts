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
 *   block, then PUT ?comp=blocklist; or one PUT of the whole blob);
 * - the download GET of the signed URL GetSignedArtifactURL hands out.
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
import { randomBytes, randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  readBody,
  ServiceError,
  startResultsService,
  type ResultsContext,
  type ResultsService,
  type Scope,
  type ServiceHandler
} from './server.js'

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/'
const BLOBS = '/devstoreaccount1/artifacts/'

/** How the service judges an artifact name already used (see above). */
export type NameRule = 'per-run' | 'per-attempt'

interface StoredArtifact {
  id: number
  runBackendId: string
  jobBackendId: string
  attempt: number
  name: string
  finalized: boolean
  createdAt: Date
  blob: string
  size: number
  contentType: string
  content: Buffer
  hash?: string
}

export interface ArtifactService extends ResultsService {
  /** The name rule in force; may be switched between jobs. */
  nameRule: NameRule
  /** The run's artifacts, finalized or not. */
  artifacts(runBackendId: string): StoredArtifact[]
  /** An artifact put into a run as a job of attempt `attempt` would (a newer one of its name). */
  plant(
    runBackendId: string,
    artifact: Pick<StoredArtifact, 'name' | 'content' | 'contentType'>,
    attempt?: number
  ): StoredArtifact
}

function text(body: Record<string, unknown>, key: string): string {
  const value = body[key]
  return typeof value === 'string' ? value : ''
}

/** A wrapper (StringValue, Int64Value) in proto JSON: the bare value. */
function wrapped(
  body: Record<string, unknown>,
  key: string
): string | undefined {
  const value = body[key]
  if (typeof value === 'string' || typeof value === 'number')
    return String(value)
  return undefined
}

const conflict = () =>
  new ServiceError(
    409,
    'already_exists',
    'an artifact with this name already exists on the workflow run'
  )

type Twirp = (scope: Scope, body: Record<string, unknown>) => unknown

/** The artifact service's twirp methods over `stored`. */
function twirpMethods(
  stored: StoredArtifact[],
  options: { nameRule: () => NameRule; signedUrl(blob: string): string },
  nextId: () => number
): Record<string, Twirp> {
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
        id: nextId(),
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

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** The twirp endpoint: a fault on the method first, else the method. */
function twirpHandler(
  context: ResultsContext,
  methods: Record<string, Twirp>
): ServiceHandler {
  return async (req, res, url) => {
    if (!url.pathname.startsWith(TWIRP)) return false
    const method = url.pathname.slice(TWIRP.length)
    try {
      const handler = methods[method]
      if (req.method !== 'POST' || handler === undefined)
        throw new ServiceError(404, 'bad_route', `no method ${method}`)
      const scope = context.scopeOf(req)
      const body = JSON.parse(
        (await readBody(req)).toString() || '{}'
      ) as Record<string, unknown>
      const fault = await context.faultOn(method)
      if (fault?.status !== undefined)
        throw new ServiceError(
          fault.status,
          'injected',
          `injected ${method} fault`
        )
      reply(res, 200, handler(scope, body))
    } catch (error) {
      const e =
        error instanceof ServiceError
          ? error
          : new ServiceError(500, 'internal', String(error))
      reply(res, e.status, { code: e.code, msg: e.message })
    }
    return true
  }
}

function blobHeaders() {
  return {
    etag: `"0x${randomBytes(8).toString('hex')}"`,
    'last-modified': new Date().toUTCString(),
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2023-11-03',
    'x-ms-request-server-encrypted': 'true'
  }
}

/** The Azure blob endpoint: block PUTs, the block list, one PUT, the GET. */
function blobHandler(
  context: ResultsContext,
  stored: StoredArtifact[]
): ServiceHandler {
  const blocks = new Map<string, Map<string, Buffer>>()
  return async (req, res, url) => {
    if (!url.pathname.startsWith(BLOBS)) return false
    const blob = url.pathname.slice(BLOBS.length)
    const artifact = stored.find(a => a.blob === blob)
    const body = await readBody(req)
    const fault = await context.faultOn(`blob ${req.method}`)
    if (fault?.status !== undefined) {
      res.writeHead(fault.status, { 'x-ms-error-code': 'InternalError' })
      res.end()
      return true
    }
    if (
      artifact === undefined ||
      url.searchParams.get('sig') !== context.sign(blob)
    ) {
      res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' })
      res.end()
      return true
    }
    const comp = url.searchParams.get('comp')
    if (req.method === 'GET') {
      res.writeHead(200, {
        ...blobHeaders(),
        'content-type': artifact.contentType || 'application/octet-stream',
        'content-length': String(artifact.content.length)
      })
      res.end(artifact.content)
      return true
    }
    if (req.method !== 'PUT') {
      res.writeHead(405)
      res.end()
      return true
    }
    if (comp === 'block') {
      const id = url.searchParams.get('blockid') ?? ''
      const staged = blocks.get(blob) ?? new Map<string, Buffer>()
      staged.set(id, body)
      blocks.set(blob, staged)
    } else if (comp === 'blocklist') {
      const ids = [...body.toString().matchAll(/<Latest>([^<]*)<\/Latest>/g)]
      const staged = blocks.get(blob) ?? new Map<string, Buffer>()
      artifact.content = Buffer.concat(
        ids.map(([, id]) => staged.get(id) ?? Buffer.alloc(0))
      )
      artifact.contentType = String(req.headers['x-ms-blob-content-type'] ?? '')
      blocks.delete(blob)
    } else {
      artifact.content = body
      artifact.contentType = String(
        req.headers['x-ms-blob-content-type'] ??
          req.headers['content-type'] ??
          ''
      )
    }
    res.writeHead(201, blobHeaders())
    res.end()
    return true
  }
}

/** The artifact service's handlers over `stored`, for a results service. */
function artifactHandlers(
  context: ResultsContext,
  stored: StoredArtifact[],
  options: { nameRule: () => NameRule; nextId: () => number }
): ServiceHandler[] {
  const signedUrl = (blob: string) =>
    `${context.origin()}${BLOBS}${blob}?sv=2023-11-03&se=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}&sp=rcw&sig=${context.sign(blob)}`
  const methods = twirpMethods(
    stored,
    { nameRule: options.nameRule, signedUrl },
    options.nextId
  )
  return [twirpHandler(context, methods), blobHandler(context, stored)]
}

/** How `requests` names a request: `POST <method>`, or `<METHOD> blob [comp=…]`. */
function artifactRequestName(req: IncomingMessage, url: URL): string {
  if (url.pathname.startsWith(TWIRP))
    return `${req.method} ${url.pathname.slice(TWIRP.length)}`
  const comp = url.searchParams.get('comp')
  return `${req.method} blob${comp === null ? '' : ` comp=${comp}`}`
}

/** A results service with the artifact service only, under `nameRule` (per-run unless told). */
export async function startArtifactService(
  nameRule: NameRule = 'per-run'
): Promise<ArtifactService> {
  const stored: StoredArtifact[] = []
  let id = 1000
  const nextId = () => id++
  const results = await startResultsService(context => ({
    handlers: artifactHandlers(context, stored, {
      nameRule: () => service.nameRule,
      nextId
    }),
    requestName: artifactRequestName
  }))
  const service: ArtifactService = {
    ...results,
    nameRule,
    artifacts: run => stored.filter(a => a.runBackendId === run),
    plant(run, artifact, attempt = 1) {
      const planted: StoredArtifact = {
        ...artifact,
        id: nextId(),
        runBackendId: run,
        jobBackendId: randomUUID(),
        attempt,
        finalized: true,
        createdAt: new Date(),
        blob: `${randomUUID()}/${encodeURIComponent(artifact.name)}.zip`,
        size: artifact.content.length
      }
      stored.push(planted)
      return planted
    }
  }
  return service
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
