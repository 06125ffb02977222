/**
 * GitHub's packages REST API for GHCR's container packages, where mode cleanup deletes (GHCR
 * refuses the registry API's DELETE): a package's versions with their tags, and a version's
 * delete. A version is one manifest of the package (an index, each of its platform manifests,
 * attestations and signatures), named by its digest. Written against node:http(s) (http-fetch.ts)
 * rather than @octokit/request, which would load undici's fetch for a handful of GETs.
 */
import type { Image } from '../reference/images.js'
import { errorMessage } from '../errors/input-error.js'
import {
  httpFetch,
  type RegistryFetch,
  type RegistryResponse
} from '../registry/http-fetch.js'
import {
  classifyNetworkError,
  githubWaitMs,
  rateLimited
} from '../registry/registry-error.js'
import { MAX_PAGES, parseNextLink } from '../registry/origin.js'
import { TransientError, withRetry } from '../registry/retry.js'

/** A container package: `ghcr.io/OWNER/NAME…` is OWNER's package NAME… (slashes and all). */
export interface GhcrPackage {
  owner: string
  name: string
  /** The image name, for messages. */
  image: string
}

export interface PackageVersion {
  id: number
  digest: string
  tags: string[]
  created: Date
  updated: Date
}

export interface GithubPackagesOptions {
  /** GITHUB_API_URL as the runner gives it: https://api.github.com, or a GHES's /api/v3. */
  apiUrl: string
  /** github-token. */
  token: string
  fetch?: RegistryFetch
  /** One answer's bound: the run's registry-timeout (settings/bounds.ts); 30 s if not given. */
  requestTimeoutMs?: number
  retries?: number
  sleep?: (ms: number) => Promise<void>
}

const GHCR = 'ghcr.io'
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
const WRITE_RIGHTS =
  'give the job `permissions: packages: write` and this repository the Admin role in the ' +
  "package's settings (Manage Actions access), or a token of a package admin with delete:packages"

/** The package of an image on ghcr.io (any port: the stack's stand-in); undefined elsewhere. */
export function ghcrPackage(image: Image): GhcrPackage | undefined {
  if (image.registry.replace(/:\d+$/, '').toLowerCase() !== GHCR)
    return undefined
  const [owner = '', ...rest] = image.repository.split('/')
  if (rest.length === 0)
    throw new Error(
      `cleanup: ${image.name} names no package: GHCR's images are ghcr.io/OWNER/NAME`
    )
  return { owner, name: rest.join('/'), image: image.name }
}

/** The package's path in the API: an organization's, or a user's. */
export function packagePath(pkg: GhcrPackage, organization: boolean): string {
  const owner = `${organization ? 'orgs' : 'users'}/${encodeURIComponent(pkg.owner)}`
  return `/${owner}/packages/container/${encodeURIComponent(pkg.name)}`
}

interface VersionJson {
  id?: unknown
  name?: unknown
  created_at?: unknown
  updated_at?: unknown
  metadata?: { container?: { tags?: unknown } }
}

/** A page of versions as the API answers it; what is not a container version is left out. */
export function parseVersions(body: unknown): PackageVersion[] {
  if (!Array.isArray(body)) throw new Error('not a list of package versions')
  return (body as VersionJson[]).flatMap(v => {
    const tags = v.metadata?.container?.tags ?? []
    if (
      typeof v.id !== 'number' ||
      typeof v.name !== 'string' ||
      !Array.isArray(tags)
    )
      return []
    const created = new Date(String(v.created_at))
    const updated = new Date(String(v.updated_at ?? v.created_at))
    return [
      { id: v.id, digest: v.name, tags: tags.map(String), created, updated }
    ]
  })
}

/** GitHub's error JSON's message, or the status text. */
async function apiMessage(response: RegistryResponse): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message
    if (typeof message === 'string') return message
  } catch {
    // not JSON: the status line says it
  }
  return response.statusText
}

/** One line for a refusal of the API: what is missing, and the package. */
export function refusal(
  what: 'list' | 'delete' | 'owner',
  pkg: GhcrPackage,
  status: number,
  message: string
): string {
  const answer = `(HTTP ${status} ${JSON.stringify(message)})`
  if (status === 401)
    return `GitHub's API refused github-token ${answer}: give the step a valid token`
  if (what === 'owner')
    return `GitHub has no user or organization "${pkg.owner}" (${pkg.image}) ${answer}`
  if (what === 'list')
    return (
      `GitHub has no container package "${pkg.name}" of ${pkg.owner} that github-token ` +
      `may read ${answer}: give the job \`permissions: packages: read\` and this repository ` +
      `access to the package`
    )
  return `github-token may not delete versions of ${pkg.image} ${answer}: ${WRITE_RIGHTS}`
}

/** GitHub refused a delete: github-token may not delete the package's versions (`reason`). */
export class DeleteRefused extends Error {
  constructor(readonly reason: string) {
    super(`cleanup: ${reason}`)
  }
}

export class GithubPackages {
  private readonly organizations = new Map<string, boolean>()

  constructor(private readonly options: GithubPackagesOptions) {}

  private url(path: string): URL {
    return new URL(this.options.apiUrl.replace(/\/+$/, '') + path)
  }

  /** One request, 5xx, 429 and network faults tried again; the response whatever its status. */
  private async request(
    method: 'GET' | 'DELETE',
    url: URL
  ): Promise<RegistryResponse> {
    const { fetch = httpFetch, token, retries = 3, sleep } = this.options
    const timeoutMs =
      this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    const headers = {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${token}`,
      'User-Agent': 'docker-publish-action',
      'X-GitHub-Api-Version': '2022-11-28'
    }
    const attempt = async () => {
      const signal = AbortSignal.timeout(timeoutMs)
      const response = await fetch(url, { method, headers, signal }).catch(
        (error: unknown) => {
          throw classifyNetworkError(url.host, error, timeoutMs)
        }
      )
      if (!rateLimited(response) && response.status < 500) return response
      const retryAfterMs = githubWaitMs(response, Date.now())
      const message = await apiMessage(response)
      throw new TransientError(`HTTP ${response.status} ${message}`, {
        retryAfterMs
      })
    }
    const describe = `GitHub's API: ${method} ${url.pathname}`
    return withRetry(attempt, { retries, describe, ...(sleep && { sleep }) })
  }

  /** Whether the owner is an organization (GET /users/{owner}: `type`). */
  private async isOrganization(pkg: GhcrPackage): Promise<boolean> {
    const known = this.organizations.get(pkg.owner)
    if (known !== undefined) return known
    const response = await this.request(
      'GET',
      this.url(`/users/${encodeURIComponent(pkg.owner)}`)
    )
    if (!response.ok)
      throw new Error(
        `cleanup: ${refusal('owner', pkg, response.status, await apiMessage(response))}`
      )
    const { type } = (await response.json()) as { type?: unknown }
    this.organizations.set(pkg.owner, type === 'Organization')
    return type === 'Organization'
  }

  /** The URL of the package's versions (the owner's kind asked once). */
  async versionsUrl(pkg: GhcrPackage): Promise<URL> {
    const path = packagePath(pkg, await this.isOrganization(pkg))
    return this.url(`${path}/versions?per_page=100`)
  }

  /** Every version of the package, all pages (the next page only on the API's own origin). */
  async listVersions(pkg: GhcrPackage): Promise<PackageVersion[]> {
    const versions: PackageVersion[] = []
    let url: URL | undefined = await this.versionsUrl(pkg)
    const origin = url.origin
    for (let page = 1; url !== undefined && page <= MAX_PAGES; page++) {
      const response = await this.request('GET', url)
      if (!response.ok)
        throw new Error(
          `cleanup: ${refusal('list', pkg, response.status, await apiMessage(response))}`
        )
      versions.push(...parseVersions(await response.json()))
      const next = parseNextLink(response.headers.get('link'))
      url = next === undefined ? undefined : new URL(next, url)
      if (url !== undefined && url.origin !== origin)
        throw new Error(
          `cleanup: GitHub's API named a next page on ${url.origin}; not followed`
        )
    }
    return versions
  }

  /**
   * Deletes a version. GitHub answers a token without the right 404 "Package not found." (as for
   * a version already gone): listed again, a version still there is a refusal, one gone is done.
   */
  async deleteVersion(
    pkg: GhcrPackage,
    version: PackageVersion
  ): Promise<void> {
    const url = await this.versionsUrl(pkg)
    url.pathname += `/${version.id}`
    url.search = ''
    const response = await this.request('DELETE', url)
    if (response.ok) return void (await response.body?.cancel())
    const message = await apiMessage(response)
    if (response.status === 404 || response.status === 403) {
      const listed = await this.listVersions(pkg).catch((error: unknown) => {
        throw new Error(
          `cleanup: GitHub answered the DELETE of version ${version.id} (${version.digest}) of ` +
            `${pkg.image} HTTP ${response.status} ${JSON.stringify(message)}, and the versions ` +
            `listed again to tell a refusal from a version gone failed: ${errorMessage(error)}`,
          { cause: error }
        )
      })
      const still = listed.some(v => v.id === version.id)
      if (!still) return
      throw new DeleteRefused(refusal('delete', pkg, response.status, message))
    }
    throw new Error(
      `cleanup: GitHub refused to delete version ${version.id} (${version.digest}) of ` +
        `${pkg.image} (HTTP ${response.status} ${JSON.stringify(message)})`
    )
  }
}
