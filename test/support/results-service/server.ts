/**
 * A stand-in for GitHub's results service: the one origin behind
 * ACTIONS_RESULTS_URL that the runner gives JavaScript actions, where the
 * artifact service (./artifacts.ts) and the cache service v2 (./cache.ts)
 * live, alone or side by side. Each service mounts handlers
 * `(req, res, url) => Promise<boolean>` (true: it answered); the server asks
 * them in turn, else 404. ./twirp.ts is their API, ./azure-blob.ts the blob
 * storage their signed URLs point to (README.md: what each rule rests on).
 *
 * The runtime token, as @actions/artifact reads it (lib/internal/shared/util.js,
 * getBackendIdsFromToken): a JWT whose `scp` claim holds
 * `Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>`. The run's
 * backend id is the same in every attempt of a run (as the artifacts of earlier
 * attempts listed to a re-run show, PocketShell-io/pocketshell#1809); each job
 * of each attempt gets a job backend id of its own. The token says nothing of
 * the attempt: the backend knows which attempt a job belongs to, and so does
 * this stand-in (registered in `env`); the job itself reads GITHUB_RUN_ATTEMPT.
 *
 * The same token carries the job's cache scopes in its `ac` claim, a JSON list
 * of `{"Scope": <ref>, "Permission": <1 read | 2 write>}` (a real token's
 * `"[{\"Scope\":\"refs/heads/master\",\"Permission\":3}]"`, and a pull request's
 * "write access to its own scope but readonly access to the target branch
 * scope": tonistiigi/go-actions-cache api.md). BuildKit's gha cache reads it
 * (go-actions-cache cache.go New: `ac`, `exp` and `nbf` required) to name the
 * index it writes (the scope it may write) and the ones it reads (every scope).
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startServer, type TestServer } from '../http-server.js'

/** One service under the results origin: true when it answered the request. */
export type ServiceHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL
) => Promise<boolean>

/** go-actions-cache's Permission bits of a cache scope. */
export const READ = 1
export const WRITE = 2

/** One entry of the token's `ac` claim: a ref the job's caches may be read (or written) under. */
interface CacheScope {
  ref: string
  permission: number
}

/** The run, job and attempt a runtime token stands for, and its cache scopes. */
export interface Scope {
  run: string
  job: string
  attempt: number
  /** In the order the cache service searches them: the job's ref first. */
  cache: CacheScope[]
}

/**
 * Where a job's caches live (GitHub's docs, dependency caching, "Restrictions
 * for accessing a cache"): it writes under its own ref and reads that, its pull
 * request's base branch and the default branch.
 */
export interface CacheRefs {
  /**
   * GITHUB_REF: refs/heads/<branch>, refs/tags/<tag>, refs/pull/<n>/merge;
   * the default branch unless told.
   */
  ref?: string
  /** A pull request's base branch, refs/heads/<base>. */
  baseRef?: string
  /** The repository's default branch; refs/heads/main unless told. */
  defaultRef?: string
}

/**
 * A fault put on a method (a twirp method name, or `<blob label> PUT|GET|HEAD`
 * as ./azure-blob.ts names them): answer `status` (with `retryAfter` seconds in
 * Retry-After), never answer (`hang`), answer after `delayMs`, or send a
 * blob's bytes `trickle.bytes` at a time every `trickle.everyMs`; for the next
 * `times` requests (every one when left out), once `after` requests have passed.
 */
export interface Fault {
  status?: number
  after?: number
  retryAfter?: number
  hang?: boolean
  delayMs?: number
  trickle?: { bytes: number; everyMs: number }
  times?: number
}

/** A hung request's end: its handler gives up and its connection is dropped. */
export class HangUp extends Error {}

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers of the answer (a 429's Retry-After). */
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

/** What the services share: the origin, the tokens, the faults. */
export interface ResultsContext {
  origin(): string
  sign(data: string): string
  /** The scope of a request's bearer token; a token not signed here is refused (401). */
  scopeOf(req: IncomingMessage): Scope
  /**
   * The fault on `method` for this request, counted down; with a hang, a
   * promise that settles only when the faults are cleared or the service
   * closes, and then rejects with a HangUp (the connection is dropped).
   */
  faultOn(method: string): Promise<Fault | undefined>
}

/** One service under the results origin, as `mount` makes it from the shared context. */
export interface Mount {
  handlers: ServiceHandler[]
  /** How `requests` and faults name a request; undefined when it is not this service's. */
  requestName(req: IncomingMessage, url: URL): string | undefined
}

export interface ResultsService {
  /** ACTIONS_RESULTS_URL */
  url: string
  /**
   * What the runner gives a job (`job`: its backend id, new in every job of
   * every attempt) of attempt `attempt` of `run` on `refs`: ACTIONS_RUNTIME_TOKEN
   * (its cache scopes those of `refs`), ACTIONS_RESULTS_URL and GITHUB_RUN_ATTEMPT.
   */
  env(
    run: string,
    job: string,
    attempt?: number,
    refs?: CacheRefs
  ): Record<string, string>
  /** Puts a fault on `method` (replacing one there). */
  fault(method: string, fault: Fault): void
  /** Clears the faults and ends the requests hanging on one, dropping their connections. */
  clearFaults(): void
  /** Every request as its service names it: `POST <twirp method>`, `<METHOD> blob [comp=…]`. */
  readonly requests: string[]
  close(): Promise<void>
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The token's `ac` claim for a job on `refs`: its own ref read and write, the others read. */
function cacheScopes(refs: CacheRefs): CacheScope[] {
  const defaultRef = refs.defaultRef ?? 'refs/heads/main'
  const own = refs.ref ?? defaultRef
  const read = [refs.baseRef, defaultRef].filter(
    (ref, i, all): ref is string =>
      ref !== undefined && ref !== own && all.indexOf(ref) === i
  )
  return [
    { ref: own, permission: READ | WRITE },
    ...read.map(ref => ({ ref, permission: READ }))
  ]
}

function claimedCacheScopes(ac: unknown): CacheScope[] {
  const listed = JSON.parse(typeof ac === 'string' ? ac : '[]') as {
    Scope: string
    Permission: number
  }[]
  return listed.map(s => ({ ref: s.Scope, permission: s.Permission }))
}

/** Starts the results service with the services the `mounts` make. */
export async function startResultsService(
  ...mounts: ((context: ResultsContext) => Mount)[]
): Promise<ResultsService> {
  const secret = randomBytes(32)
  const attempts = new Map<string, number>()
  const faults = new Map<string, Fault>()
  const hangs = new Set<() => void>()
  const requests: string[] = []
  let host = ''
  const origin = () => `http://${host}`
  const sign = (data: string) =>
    createHmac('sha256', secret).update(data).digest('base64url')

  function token(run: string, job: string, refs: CacheRefs): string {
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
    const now = Math.floor(Date.now() / 1000)
    const ac = cacheScopes(refs).map(s => ({
      Scope: s.ref,
      Permission: s.permission
    }))
    const payload = base64url(
      JSON.stringify({
        scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${run}:${job}`,
        ac: JSON.stringify(ac),
        nbf: now - 60,
        exp: now + 3600
      })
    )
    return `${header}.${payload}.${sign(`${header}.${payload}`)}`
  }

  function scopeOf(req: IncomingMessage): Scope {
    const auth = req.headers.authorization ?? ''
    const [header, payload, signature] = auth.replace(/^Bearer /, '').split('.')
    if (!payload || sign(`${header}.${payload}`) !== signature)
      throw new ServiceError(401, 'unauthenticated', 'invalid runtime token')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      scp?: string
      ac?: unknown
    }
    const scope = (claims.scp ?? '')
      .split(' ')
      .map(s => s.split(':'))
      .find(parts => parts[0] === 'Actions.Results' && parts.length === 3)
    if (scope === undefined)
      throw new ServiceError(
        403,
        'permission_denied',
        'no Actions.Results scope'
      )
    return {
      run: scope[1],
      job: scope[2],
      attempt: attempts.get(scope[2]) ?? 1,
      cache: claimedCacheScopes(claims.ac)
    }
  }

  async function faultOn(method: string): Promise<Fault | undefined> {
    const fault = faults.get(method)
    if (fault === undefined) return undefined
    if (fault.after !== undefined && fault.after-- > 0) return undefined
    if (fault.times !== undefined && --fault.times <= 0) faults.delete(method)
    if (fault.hang)
      await new Promise<never>((_, reject) =>
        hangs.add(() => reject(new HangUp()))
      )
    if (fault.delayMs !== undefined)
      await new Promise(resolve => setTimeout(resolve, fault.delayMs))
    return fault
  }

  function hangUpAll(): void {
    for (const hangUp of hangs) hangUp()
    hangs.clear()
  }

  const context: ResultsContext = { origin, sign, scopeOf, faultOn }
  const mounted = mounts.map(mount => mount(context))
  const handlers = mounted.flatMap(m => m.handlers)
  const requestName = (req: IncomingMessage, url: URL) =>
    mounted.map(m => m.requestName(req, url)).find(n => n !== undefined) ??
    `${req.method} ${url.pathname}`
  const server: TestServer = await startServer((req, res) => {
    const url = new URL(req.url ?? '', origin())
    requests.push(requestName(req, url))
    const answer = async () => {
      for (const handler of handlers) if (await handler(req, res, url)) return
      res.writeHead(404)
      res.end()
    }
    answer().catch((error: unknown) => {
      if (error instanceof HangUp) {
        req.socket.destroy()
        return
      }
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    })
  })
  host = server.host

  return {
    url: `${origin()}/`,
    env(run, job, attempt = 1, refs = {}) {
      attempts.set(job, attempt)
      return {
        ACTIONS_RUNTIME_TOKEN: token(run, job, refs),
        ACTIONS_RESULTS_URL: `${origin()}/`,
        GITHUB_RUN_ATTEMPT: String(attempt)
      }
    },
    fault: (method, fault) => faults.set(method, { ...fault }),
    clearFaults() {
      faults.clear()
      hangUpAll()
    },
    requests,
    close() {
      hangUpAll()
      return server.close()
    }
  }
}
