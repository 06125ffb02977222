/**
 * A stand-in for GitHub's results service: the one origin behind
 * ACTIONS_RESULTS_URL that the runner gives JavaScript actions, where the
 * artifact service (./artifacts.ts) lives and the cache service v2 can be
 * mounted beside it. Each service is a handler `(req, res, url) => Promise<boolean>`
 * (true: it answered); the server asks them in turn, else 404.
 *
 * The runtime token, as @actions/artifact reads it (lib/internal/shared/util.js,
 * getBackendIdsFromToken): a JWT whose `scp` claim holds
 * `Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>`. The run's
 * backend id is the same in every attempt of a run (as the artifacts of earlier
 * attempts listed to a re-run show, PocketShell-io/pocketshell#1809); each job
 * of each attempt gets a job backend id of its own. The token says nothing of
 * the attempt: the backend knows which attempt a job belongs to, and so does
 * this stand-in (registered in `env`); the job itself reads GITHUB_RUN_ATTEMPT.
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

/** The run, job and attempt a runtime token stands for. */
export interface Scope {
  run: string
  job: string
  attempt: number
}

/**
 * A fault put on a method (a twirp method name, or `blob PUT` / `blob GET`):
 * answer `status`, never answer (`hang`), or answer after `delayMs`; for the
 * next `times` requests (every one when left out).
 */
interface Fault {
  status?: number
  hang?: boolean
  delayMs?: number
  times?: number
}

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
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
   * promise that never settles (the connection is dropped at close).
   */
  faultOn(method: string): Promise<Fault | undefined>
}

export interface ResultsService {
  /** ACTIONS_RESULTS_URL */
  url: string
  /**
   * What the runner gives a job (`job`: its backend id, new in every job of
   * every attempt) of attempt `attempt` of `run`: ACTIONS_RUNTIME_TOKEN,
   * ACTIONS_RESULTS_URL and GITHUB_RUN_ATTEMPT.
   */
  env(run: string, job: string, attempt?: number): Record<string, string>
  /** Puts a fault on `method` (replacing one there). */
  fault(method: string, fault: Fault): void
  clearFaults(): void
  /** Every request: `POST <twirp method>`, or `<METHOD> blob [comp=…]`. */
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

/**
 * Starts the results service with the services `mount` makes; `requestName`
 * names a request for `requests` and for faults.
 */
export async function startResultsService(
  mount: (context: ResultsContext) => {
    handlers: ServiceHandler[]
    requestName: (req: IncomingMessage, url: URL) => string
  }
): Promise<ResultsService> {
  const secret = randomBytes(32)
  const attempts = new Map<string, number>()
  const faults = new Map<string, Fault>()
  const requests: string[] = []
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

  function scopeOf(req: IncomingMessage): Scope {
    const auth = req.headers.authorization ?? ''
    const [header, payload, signature] = auth.replace(/^Bearer /, '').split('.')
    if (!payload || sign(`${header}.${payload}`) !== signature)
      throw new ServiceError(401, 'unauthenticated', 'invalid runtime token')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      scp?: string
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
      attempt: attempts.get(scope[2]) ?? 1
    }
  }

  async function faultOn(method: string): Promise<Fault | undefined> {
    const fault = faults.get(method)
    if (fault === undefined) return undefined
    if (fault.times !== undefined && --fault.times <= 0) faults.delete(method)
    if (fault.hang) await new Promise<never>(() => undefined)
    if (fault.delayMs !== undefined)
      await new Promise(resolve => setTimeout(resolve, fault.delayMs))
    return fault
  }

  const { handlers, requestName } = mount({ origin, sign, scopeOf, faultOn })
  const server: TestServer = await startServer((req, res) => {
    const url = new URL(req.url ?? '', origin())
    requests.push(requestName(req, url))
    const answer = async () => {
      for (const handler of handlers) if (await handler(req, res, url)) return
      res.writeHead(404)
      res.end()
    }
    answer().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    })
  })
  host = server.host

  return {
    url: `${origin()}/`,
    env(run, job, attempt = 1) {
      attempts.set(job, attempt)
      return {
        ACTIONS_RUNTIME_TOKEN: token(run, job),
        ACTIONS_RESULTS_URL: `${origin()}/`,
        GITHUB_RUN_ATTEMPT: String(attempt)
      }
    },
    fault: (method, fault) => faults.set(method, { ...fault }),
    clearFaults: () => faults.clear(),
    requests,
    close: () => server.close()
  }
}
