/**
 * A stand-in for the GitHub runner's artifact service, speaking exactly
 * what @actions/artifact (v6) sends, read from its source:
 * - twirp JSON under ACTIONS_RESULTS_URL's origin,
 *   POST /twirp/github.actions.results.api.v1.ArtifactService/<method>
 *   (CreateArtifact, FinalizeArtifact, ListArtifacts, GetSignedArtifactURL,
 *   DeleteArtifact), fields in their proto names, int64 as strings,
 *   timestamps as RFC 3339, with `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>`;
 * - the Azure blob upload to the signed URL CreateArtifact hands out
 *   (@azure/storage-blob's uploadStream: PUT ?comp=block&blockid= per
 *   block, then PUT ?comp=blocklist; or one PUT of the whole blob);
 * - the download GET of the signed URL GetSignedArtifactURL hands out.
 * ACTIONS_RUNTIME_TOKEN is a JWT (HS256, signed by this service) whose
 * `scp` claim carries `Actions.Results:<runBackendId>:<jobBackendId>`,
 * which @actions/artifact parses for the ids it sends. As GitHub does, the
 * service scopes artifacts to the workflow run's backend id: a token of
 * one run neither lists nor reads another's. A name is unique within a job
 * (a re-run is a new job, so its artifact of the same name is a newer one).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startServer, type TestServer } from './http-server.js'

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/'
const BLOBS = '/devstoreaccount1/artifacts/'

interface StoredArtifact {
  id: number
  runBackendId: string
  jobBackendId: string
  name: string
  finalized: boolean
  createdAt: Date
  blob: string
  size: number
  contentType: string
  content: Buffer
  hash?: string
}

export interface ArtifactService {
  /** ACTIONS_RESULTS_URL */
  url: string
  /** The env a job of `runBackendId` gets: ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL. */
  env(runBackendId: string, jobBackendId: string): Record<string, string>
  /** The run's artifacts, finalized or not. */
  artifacts(runBackendId: string): StoredArtifact[]
  /** An artifact put into a run as a job of it would (a newer one of its name). */
  plant(
    runBackendId: string,
    artifact: Pick<StoredArtifact, 'name' | 'content' | 'contentType'>
  ): StoredArtifact
  /**
   * Every request: `POST <twirp method>`, or `<METHOD> blob` with its
   * `comp=` (block, blocklist), if any (the signature is left out).
   */
  readonly requests: string[]
  close(): Promise<void>
}

interface Scope {
  run: string
  job: string
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
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

export async function startArtifactService(): Promise<ArtifactService> {
  const secret = randomBytes(32)
  const stored: StoredArtifact[] = []
  const blocks = new Map<string, Map<string, Buffer>>()
  const requests: string[] = []
  let nextId = 1000
  // known once the server listens; only requests to it ask
  let host = ''
  const origin = () => `http://${host}`

  const sign = (data: string) =>
    createHmac('sha256', secret).update(data).digest('base64url')

  function token(run: string, job: string): string {
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
    const payload = base64url(
      JSON.stringify({
        scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${run}:${job}`,
        exp: Math.floor(Date.now() / 1000) + 3600
      })
    )
    return `${header}.${payload}.${sign(`${header}.${payload}`)}`
  }

  /** The run and job a request's token is for; a token not signed here is refused. */
  function scopeOf(req: IncomingMessage): Scope {
    const auth = req.headers.authorization ?? ''
    const [header, payload, signature] = auth.replace(/^Bearer /, '').split('.')
    if (!payload || sign(`${header}.${payload}`) !== signature)
      throw new TwirpError(401, 'unauthenticated', 'invalid runtime token')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      scp?: string
    }
    const scope = (claims.scp ?? '')
      .split(' ')
      .map(s => s.split(':'))
      .find(parts => parts[0] === 'Actions.Results' && parts.length === 3)
    if (scope === undefined)
      throw new TwirpError(403, 'permission_denied', 'no Actions.Results scope')
    return { run: scope[1], job: scope[2] }
  }

  function requireScope(scope: Scope, body: Record<string, unknown>): void {
    if (text(body, 'workflow_run_backend_id') !== scope.run)
      throw new TwirpError(
        403,
        'permission_denied',
        'the token is not for this workflow run'
      )
  }

  const signedUrl = (blob: string) =>
    `${origin()}${BLOBS}${blob}?sv=2023-11-03&se=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}&sp=rcw&sig=${sign(blob)}`

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

  const twirp: Record<
    string,
    (scope: Scope, body: Record<string, unknown>) => unknown
  > = {
    CreateArtifact(scope, body) {
      requireScope(scope, body)
      const name = text(body, 'name')
      const job = text(body, 'workflow_job_run_backend_id')
      if (
        stored.some(
          a =>
            a.runBackendId === scope.run &&
            a.jobBackendId === job &&
            a.name === name
        )
      )
        throw new TwirpError(
          409,
          'already_exists',
          'an artifact with this name already exists on the workflow run'
        )
      const blob = `${randomUUID()}/${encodeURIComponent(name)}.zip`
      stored.push({
        id: nextId++,
        runBackendId: scope.run,
        jobBackendId: job,
        name,
        finalized: false,
        createdAt: new Date(),
        blob,
        size: 0,
        contentType: '',
        content: Buffer.alloc(0)
      })
      return { ok: true, signed_upload_url: signedUrl(blob) }
    },
    FinalizeArtifact(scope, body) {
      requireScope(scope, body)
      const artifact = stored.find(
        a =>
          a.runBackendId === scope.run &&
          a.jobBackendId === text(body, 'workflow_job_run_backend_id') &&
          a.name === text(body, 'name') &&
          !a.finalized
      )
      if (artifact === undefined)
        throw new TwirpError(404, 'not_found', 'no such artifact to finalize')
      artifact.finalized = true
      artifact.size = Number(text(body, 'size') || artifact.content.length)
      const hash = wrapped(body, 'hash')
      if (hash !== undefined) artifact.hash = hash
      return { ok: true, artifact_id: String(artifact.id) }
    },
    ListArtifacts(scope, body) {
      requireScope(scope, body)
      const name = wrapped(body, 'name_filter')
      const id = wrapped(body, 'id_filter')
      const artifacts = stored.filter(
        a =>
          a.runBackendId === scope.run &&
          a.finalized &&
          (name === undefined || a.name === name) &&
          (id === undefined || String(a.id) === id)
      )
      return { artifacts: artifacts.map(listed) }
    },
    GetSignedArtifactURL(scope, body) {
      requireScope(scope, body)
      const artifact = stored
        .filter(
          a =>
            a.runBackendId === scope.run &&
            a.finalized &&
            a.name === text(body, 'name') &&
            a.jobBackendId === text(body, 'workflow_job_run_backend_id')
        )
        .sort((a, b) => b.id - a.id)[0]
      if (artifact === undefined)
        throw new TwirpError(404, 'not_found', 'artifact not found')
      return { signed_url: signedUrl(artifact.blob) }
    },
    DeleteArtifact(scope, body) {
      requireScope(scope, body)
      const at = stored.findIndex(
        a => a.runBackendId === scope.run && a.name === text(body, 'name')
      )
      if (at < 0) throw new TwirpError(404, 'not_found', 'artifact not found')
      const [artifact] = stored.splice(at, 1)
      return { ok: true, artifact_id: String(artifact.id) }
    }
  }

  async function onTwirp(req: IncomingMessage, res: ServerResponse) {
    const method = (req.url ?? '').slice(TWIRP.length)
    const handler = twirp[method]
    try {
      if (req.method !== 'POST' || handler === undefined)
        throw new TwirpError(404, 'bad_route', `no method ${method}`)
      const scope = scopeOf(req)
      const body = JSON.parse(
        (await readBody(req)).toString() || '{}'
      ) as Record<string, unknown>
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(handler(scope, body)))
    } catch (error) {
      const e =
        error instanceof TwirpError
          ? error
          : new TwirpError(500, 'internal', String(error))
      res.writeHead(e.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ code: e.code, msg: e.message }))
    }
  }

  /** The Azure blob endpoint: block PUTs, the block list, one PUT, the GET. */
  async function onBlob(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '', origin())
    const blob = url.pathname.slice(BLOBS.length)
    const artifact = stored.find(a => a.blob === blob)
    if (artifact === undefined || url.searchParams.get('sig') !== sign(blob)) {
      res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' })
      res.end()
      return
    }
    const headers = {
      etag: `"0x${randomBytes(8).toString('hex')}"`,
      'last-modified': new Date().toUTCString(),
      'x-ms-request-id': randomUUID(),
      'x-ms-version': '2023-11-03',
      'x-ms-request-server-encrypted': 'true'
    }
    const body = await readBody(req)
    const comp = url.searchParams.get('comp')
    if (req.method === 'GET') {
      res.writeHead(200, {
        ...headers,
        'content-type': artifact.contentType || 'application/octet-stream',
        'content-length': String(artifact.content.length)
      })
      res.end(artifact.content)
      return
    }
    if (req.method !== 'PUT') {
      res.writeHead(405)
      res.end()
      return
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
    res.writeHead(201, headers)
    res.end()
  }

  const server: TestServer = await startServer((req, res) => {
    const url = new URL(req.url ?? '', origin())
    requests.push(
      url.pathname.startsWith(TWIRP)
        ? `${req.method} ${url.pathname.slice(TWIRP.length)}`
        : `${req.method} blob${url.searchParams.has('comp') ? ` comp=${url.searchParams.get('comp')}` : ''}`
    )
    const handle = (req.url ?? '').startsWith(TWIRP) ? onTwirp : onBlob
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500)
      res.end(String(error))
    })
  })
  host = server.host

  return {
    url: `${origin()}/`,
    env: (run, job) => ({
      ACTIONS_RUNTIME_TOKEN: token(run, job),
      ACTIONS_RESULTS_URL: `${origin()}/`
    }),
    artifacts: run => stored.filter(a => a.runBackendId === run),
    plant(run, artifact) {
      const planted: StoredArtifact = {
        ...artifact,
        id: nextId++,
        runBackendId: run,
        jobBackendId: randomUUID(),
        finalized: true,
        createdAt: new Date(),
        blob: `${randomUUID()}/${encodeURIComponent(artifact.name)}.zip`,
        size: artifact.content.length
      }
      stored.push(planted)
      return planted
    },
    requests,
    close: () => server.close()
  }
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
