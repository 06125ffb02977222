/**
 * A tenant of the stack's results service stand-in (./tenants.ts, run by
 * `stack.sh up` on DPA_RESULTS_SERVICE): the artifact service and the cache
 * service v2 at an ACTIONS_RESULTS_URL of their own, which no other test
 * process sees, with the hooks tests had of the in-process service, async as
 * they cross to the daemon. The tenant lives as long as this process holds
 * its lease (or until `close`).
 */
import { get, type ClientRequest } from 'node:http'
import type { NameRule } from './artifacts.js'
import type { CacheRefs, Fault } from './server.js'
import type { CacheQuota } from './cache.js'
import type {
  EnvRequest,
  ListedArtifact,
  ListedEntry,
  PlantRequest,
  QuotaRequest
} from './tenants.js'
import { stackEnv } from '../stack-env.js'

/** An artifact of a run, its bytes read back. */
interface Artifact extends Omit<ListedArtifact, 'content' | 'createdAt'> {
  content: Buffer
  createdAt: Date
}

export interface StackServices {
  /** ACTIONS_RESULTS_URL of this tenant. */
  url: string
  /**
   * What the runner gives a job (`job`: its backend id, new in every job of
   * every attempt) of attempt `attempt` of `run` on `refs`: ACTIONS_RUNTIME_TOKEN,
   * ACTIONS_RESULTS_URL and GITHUB_RUN_ATTEMPT.
   */
  env(
    run: string,
    job: string,
    attempt?: number,
    refs?: CacheRefs
  ): Promise<Record<string, string>>
  /** Puts a fault on `method`: a twirp method, or `blob GET|PUT`, `cache blob GET|PUT|HEAD`. */
  fault(method: string, fault: Fault): Promise<void>
  /** Clears the faults and ends the requests hanging on one. */
  clearFaults(): Promise<void>
  /** The requests that came in since the last take, as the services name them. */
  takeRequests(): Promise<string[]>
  /** The run's artifacts, finalized or not. */
  artifacts(run: string): Promise<Artifact[]>
  /** An artifact put into a run as a job of attempt `attempt` would (a newer one of its name). */
  plant(
    run: string,
    artifact: Pick<Artifact, 'name' | 'content' | 'contentType'>,
    attempt?: number
  ): Promise<Artifact>
  /** The cache entries under `scope` (a ref), or every entry; oldest first. */
  entries(scope?: string): Promise<ListedEntry[]>
  /** The cache's quota: new entries a minute (200 unless set), read-only, what it refused. */
  cacheQuota(): Promise<CacheQuota>
  /** Sets the cache's budget a minute or its read-only mode. */
  setCacheQuota(quota: QuotaRequest): Promise<CacheQuota>
  /** Switches the artifact name rule (between jobs). */
  setNameRule(rule: NameRule): Promise<void>
  /** Ends the tenant: its port, its store, its hanging requests. */
  close(): Promise<void>
}

async function call<T>(
  url: string,
  method: string,
  body?: unknown
): Promise<T> {
  const response = await fetch(url, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }),
    signal: AbortSignal.timeout(30_000)
  })
  const text = await response.text()
  if (!response.ok)
    throw new Error(
      `the results service stand-in: ${method} ${url}: ${response.status} ${text}`
    )
  return JSON.parse(text) as T
}

function artifactOf(listed: ListedArtifact): Artifact {
  return {
    ...listed,
    content: Buffer.from(listed.content, 'base64'),
    createdAt: new Date(listed.createdAt)
  }
}

/**
 * The tenant's lease held open; the daemon ends the tenant when it ends. Its
 * socket is unref'd once the lease is granted (before, the wait for it must keep
 * the process alive): it keeps no process alive.
 */
function lease(url: string): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = get(url, response => {
      if (response.statusCode !== 200) {
        reject(
          new Error(
            `the results service stand-in: GET ${url}: ${response.statusCode}`
          )
        )
        return
      }
      response.socket.unref()
      resolve(request)
    })
    request.on('error', reject)
  })
}

/**
 * A tenant of the stand-in at `control` (the stack's unless told), artifact
 * names under `nameRule` (per-run unless told).
 */
export async function stackRunnerServices(
  nameRule: NameRule = 'per-run',
  control = stackEnv().resultsService
): Promise<StackServices> {
  const tenant = await call<{ id: string; url: string }>(
    `${control}/tenants`,
    'POST',
    { nameRule }
  )
  const at = (path: string) => `${control}/tenants/${tenant.id}/${path}`
  const held = await lease(at('lease'))
  return {
    url: tenant.url,
    env(run, job, attempt, refs) {
      const request: EnvRequest = { run, job, attempt, refs }
      return call(at('env'), 'POST', request)
    },
    fault: (method, fault) => call(at('fault'), 'POST', { method, fault }),
    clearFaults: () => call(at('clear-faults'), 'POST'),
    takeRequests: () => call(at('requests/take'), 'POST'),
    async artifacts(run) {
      const query = new URLSearchParams({ run })
      const listed = await call<ListedArtifact[]>(
        at(`artifacts?${query}`),
        'GET'
      )
      return listed.map(artifactOf)
    },
    async plant(run, artifact, attempt) {
      const request: PlantRequest = {
        run,
        artifact: {
          name: artifact.name,
          contentType: artifact.contentType,
          content: artifact.content.toString('base64')
        },
        attempt
      }
      return artifactOf(await call(at('plant'), 'POST', request))
    },
    entries(scope) {
      const query =
        scope === undefined ? '' : `?${new URLSearchParams({ scope })}`
      return call(at(`entries${query}`), 'GET')
    },
    cacheQuota: () => call(at('cache-quota'), 'GET'),
    setCacheQuota: quota => call(at('cache-quota'), 'PUT', quota),
    setNameRule: rule => call(at('name-rule'), 'PUT', { nameRule: rule }),
    async close() {
      await call(`${control}/tenants/${tenant.id}`, 'DELETE')
      held.destroy()
    }
  }
}
