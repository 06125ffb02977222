/**
 * The results service stand-in shared by every test process on the machine
 * (./daemon.ts runs it in the stack): a control API that makes tenants, each
 * a results service of its own (./runner-services.ts: the artifact service and
 * the cache service v2, its own store, tokens and faults) on a loopback port
 * of its own. A port per tenant, not a path: @actions/artifact and
 * @actions/cache read only ACTIONS_RESULTS_URL's origin (`new URL(url).origin`,
 * `new URL('/twirp/…', url)`), so a tenant's URL can hold no prefix.
 *
 * A tenant lives as long as its lease, a GET its owner holds open: a test
 * process that ends, however it ends, takes its tenant with it, and with it the
 * requests hanging on a fault (a builder waiting on one is freed, as when the
 * service ran in the test's own process). A tenant asked for by name (the
 * demo's, which a second run finds warm) is kept until it is deleted.
 *
 * The control API (JSON in and out; README.md beside this file):
 *   GET    /health                         200
 *   POST   /tenants {nameRule?, name?}     {id, url}; with a name, that tenant, made once
 *   GET    /tenants/<id>/lease             held open; when it ends, so does the tenant
 *   POST   /tenants/<id>/env {run, job, attempt?, refs?}   a job's env
 *   POST   /tenants/<id>/fault {method, fault}
 *   POST   /tenants/<id>/clear-faults
 *   POST   /tenants/<id>/requests/take     the requests since the last take
 *   GET    /tenants/<id>/artifacts?run=<run backend id>
 *   POST   /tenants/<id>/plant {run, artifact: {name, content (base64), contentType}, attempt?}
 *   GET    /tenants/<id>/entries[?scope=<ref>]
 *   PUT    /tenants/<id>/name-rule {nameRule}
 *   GET    /tenants/<id>/cache-quota       {perMinute, readOnly, throttled, refused}
 *   PUT    /tenants/<id>/cache-quota {perMinute?, readOnly?}
 *   DELETE /tenants/<id>
 */
import { randomUUID } from 'node:crypto'
import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import type { NameRule } from './artifacts.js'
import { startRunnerServices } from './runner-services.js'
import { readBody, type CacheRefs, type Fault } from './server.js'

type RunnerServices = Awaited<ReturnType<typeof startRunnerServices>>
type StoredArtifact = ReturnType<RunnerServices['artifacts']>[number]
type CacheEntry = ReturnType<RunnerServices['entries']>[number]

/** An artifact as the control API lists it: its bytes in base64. */
export interface ListedArtifact {
  id: number
  runBackendId: string
  jobBackendId: string
  attempt: number
  name: string
  finalized: boolean
  createdAt: string
  size: number
  contentType: string
  /** base64 */
  content: string
}

/** A cache entry as the control API lists it: no bytes, their count. */
export interface ListedEntry {
  id: number
  scope: string
  key: string
  version: string
  createdAt: string
  finalized: boolean
  sizeBytes: number
  /** The bytes its blob holds. */
  blobBytes: number
}

/** What a job's env is asked with. */
export interface EnvRequest {
  run: string
  job: string
  attempt?: number
  refs?: CacheRefs
}

/** An artifact to plant, its bytes in base64. */
export interface PlantRequest {
  run: string
  artifact: { name: string; content: string; contentType: string }
  attempt?: number
}

interface Tenant {
  services: RunnerServices
  /** Made by name: kept until deleted, whatever its leases do. */
  kept: boolean
}

/** A tenant's name: its id in the control API's paths. */
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

function listedArtifact(a: StoredArtifact): ListedArtifact {
  return {
    id: a.id,
    runBackendId: a.runBackendId,
    jobBackendId: a.jobBackendId,
    attempt: a.attempt,
    name: a.name,
    finalized: a.finalized,
    createdAt: a.createdAt.toISOString(),
    size: a.size,
    contentType: a.contentType,
    content: a.content.toString('base64')
  }
}

function listedEntry(e: CacheEntry): ListedEntry {
  return {
    id: e.id,
    scope: e.scope,
    key: e.key,
    version: e.version,
    createdAt: e.createdAt.toISOString(),
    finalized: e.finalized,
    sizeBytes: e.sizeBytes,
    blobBytes: e.content.length
  }
}

function nameRuleOf(value: unknown): NameRule {
  if (value === undefined || value === 'per-run') return 'per-run'
  if (value === 'per-attempt') return value
  throw new ControlError(
    400,
    `nameRule ${JSON.stringify(value)}: per-run or per-attempt`
  )
}

/** The quota a test sets: the budget a minute, the read-only mode. */
export interface QuotaRequest {
  perMinute?: number
  readOnly?: boolean
}

function quotaOf({ perMinute, readOnly }: QuotaRequest): QuotaRequest {
  if (
    perMinute !== undefined &&
    (!Number.isInteger(perMinute) || perMinute < 1)
  )
    throw new ControlError(
      400,
      `perMinute ${JSON.stringify(perMinute)}: a whole number >= 1`
    )
  if (readOnly !== undefined && typeof readOnly !== 'boolean')
    throw new ControlError(
      400,
      `readOnly ${JSON.stringify(readOnly)}: true or false`
    )
  return { perMinute, readOnly }
}

async function jsonBody<T>(req: IncomingMessage): Promise<T> {
  const text = (await readBody(req)).toString()
  try {
    return JSON.parse(text || '{}') as T
  } catch {
    throw new ControlError(400, 'the body is not JSON')
  }
}

/** One tenant's control call: `what` after /tenants/<id>/. */
async function tenantCall(
  services: RunnerServices,
  req: IncomingMessage,
  what: string,
  url: URL
): Promise<unknown> {
  const call = `${req.method ?? ''} ${what}`
  switch (call) {
    case 'POST env': {
      const { run, job, attempt, refs } = await jsonBody<EnvRequest>(req)
      return services.env(run, job, attempt, refs)
    }
    case 'POST fault': {
      const { method, fault } = await jsonBody<{
        method: string
        fault: Fault
      }>(req)
      services.fault(method, fault)
      return {}
    }
    case 'POST clear-faults':
      services.clearFaults()
      return {}
    case 'POST requests/take':
      return services.requests.splice(0)
    case 'GET artifacts':
      return services
        .artifacts(url.searchParams.get('run') ?? '')
        .map(listedArtifact)
    case 'POST plant': {
      const { run, artifact, attempt } = await jsonBody<PlantRequest>(req)
      const content = Buffer.from(artifact.content, 'base64')
      return listedArtifact(
        services.plant(run, { ...artifact, content }, attempt)
      )
    }
    case 'GET entries':
      return services
        .entries(url.searchParams.get('scope') ?? undefined)
        .map(listedEntry)
    case 'GET cache-quota':
      return services.quota()
    case 'PUT cache-quota':
      services.setQuota(quotaOf(await jsonBody<QuotaRequest>(req)))
      return services.quota()
    case 'PUT name-rule':
      services.nameRule = nameRuleOf(
        (await jsonBody<{ nameRule?: unknown }>(req)).nameRule
      )
      return {}
    default:
      throw new ControlError(404, `no control call ${call}`)
  }
}

/** The tenants, by id: made (or found by name), looked up, ended. */
function tenantStore() {
  const tenants = new Map<string, Tenant>()
  return {
    async create(req: IncomingMessage) {
      const body = await jsonBody<{ nameRule?: unknown; name?: unknown }>(req)
      const nameRule = nameRuleOf(body.nameRule)
      const name = body.name
      if (name !== undefined && (typeof name !== 'string' || !NAME.test(name)))
        throw new ControlError(
          400,
          `name ${JSON.stringify(name)}: not ${String(NAME)}`
        )
      const id = name ?? randomUUID()
      let tenant = tenants.get(id)
      if (tenant === undefined) {
        const services = await startRunnerServices(nameRule)
        tenant = { services, kept: name !== undefined }
        tenants.set(id, tenant)
      }
      return { id, url: tenant.services.url }
    },
    get(id: string): Tenant {
      const tenant = tenants.get(id)
      if (tenant === undefined)
        throw new ControlError(
          404,
          `no tenant ${id} (closed, or the daemon restarted)`
        )
      return tenant
    },
    /** Ends tenant `id`, if `only` (when given) is still it. */
    async end(id: string, only?: Tenant): Promise<void> {
      const tenant = tenants.get(id)
      if (tenant === undefined || (only !== undefined && tenant !== only))
        return
      tenants.delete(id)
      await tenant.services.close()
    },
    async endAll(): Promise<void> {
      await Promise.all([...tenants.keys()].map(id => this.end(id)))
    }
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

export interface TenantServer {
  /** The control API's origin, e.g. http://127.0.0.1:5007 */
  url: string
  close(): Promise<void>
}

/** Starts the control API on `host`:`port` (0: any free port). */
export async function startTenantServer(
  host: string,
  port: number
): Promise<TenantServer> {
  const tenants = tenantStore()

  async function control(req: IncomingMessage, url: URL): Promise<unknown> {
    const [root, id, ...what] = url.pathname.split('/').filter(Boolean)
    if (root !== 'tenants') throw new ControlError(404, `no ${url.pathname}`)
    if (id === undefined && req.method === 'POST') return tenants.create(req)
    const tenant = tenants.get(id ?? '')
    if (what.length === 0 && req.method === 'DELETE')
      return tenants.end(id ?? '').then(() => ({}))
    return tenantCall(tenant.services, req, what.join('/'), url)
  }

  /** A tenant's lease: answered at once and never ended; when it ends, the tenant ends. */
  function lease(res: ServerResponse, id: string): void {
    const tenant = tenants.get(id)
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('leased\n')
    res.on('close', () => {
      if (!tenant.kept) void tenants.end(id, tenant)
    })
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control')
    const leased = /^\/tenants\/([^/]+)\/lease$/.exec(url.pathname)
    const fail = (error: unknown) =>
      error instanceof ControlError
        ? answer(res, error.status, { error: error.message })
        : answer(res, 500, { error: String(error) })
    try {
      if (url.pathname === '/health') answer(res, 200, { ok: true })
      else if (leased !== null && req.method === 'GET') lease(res, leased[1])
      else control(req, url).then(body => answer(res, 200, body), fail)
    } catch (error) {
      fail(error)
    }
  })
  // Idle connections are closed by the clients only: a test process that blocks its event loop
  // (an execFileSync) past the server's 5 s idle close sent its next call on the closed socket
  // (fetch's "other side closed"; the soak, seed 41, once in 900 schedules).
  server.keepAliveTimeout = 0
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })

  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    async close() {
      await tenants.endAll()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
