/**
 * A stand-in of GitHub's REST API for container packages, over the stack's ghcr.io registry
 * storage (./storage.ts). Each rule says what it rests on: [docs] GitHub's REST reference
 * (packages: "List package versions for a package owned by an organization / a user / the
 * authenticated user", "Delete package version …", "Get a package …"; users: "Get a user");
 * [observed] what reports of real answers show; [client] what clients of the API rely on.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { RegistryStorage, type StoredVersion } from './storage.js'

export interface PackagesConfig {
  /** Token to its user and whether it may delete versions (admin on every package). */
  tokens: Record<string, { login: string; delete: boolean }>
  /** Account name to its type; [docs] GET /users/{name} tells `type`. */
  owners: Record<string, 'User' | 'Organization'>
  /** The registry's storage folder and the file that keeps ids and first-push times. */
  storage: string
  state: string
}

const DOCS = 'https://docs.github.com/rest/packages/packages'
// [observed] kairos-io/kairos#4723 (400, this text), posit-dev/positron#15764
const LAST_TAGGED =
  'You cannot delete the last tagged version of a package. You must delete the package instead.'
// [observed] actions/delete-package-versions#231, SmartsquareGmbH/delete-old-packages#33
const LAST_VERSION =
  'You cannot delete the last version of a package. You must delete the package instead.'

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

/** [docs] timestamps in ISO 8601 without fractions: 2011-04-10T20:09:31Z. */
const stamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')

interface Route {
  /** The owner's path prefix: `/orgs/o`, `/users/u`, `/user`. */
  prefix: string
  owner: string
  pkg: string
  versionId?: number
  /** `/versions` asked (else the package itself). */
  versions: boolean
}

// [docs] /orgs/{org}/…, /users/{username}/…, /user/…; package_name URL-encoded (`app%2Fsub`)
const PACKAGE_PATH =
  /^(\/orgs\/[^/]+|\/users\/[^/]+|\/user)\/packages\/container\/([^/]+)(\/versions(?:\/(\d+))?)?$/

class PackagesApi {
  private readonly storage: RegistryStorage

  constructor(private readonly config: PackagesConfig) {
    this.storage = new RegistryStorage(config.storage, config.state)
  }

  /** [docs] Authorization: Bearer or token; [observed] 401 "Bad credentials" / "Requires authentication". */
  private user(request: IncomingMessage) {
    const header = request.headers.authorization ?? ''
    const match = /^(?:Bearer|token) (.+)$/i.exec(header)
    if (match === null) throw new ApiError(401, 'Requires authentication')
    const user = this.config.tokens[match[1]]
    if (user === undefined) throw new ApiError(401, 'Bad credentials')
    return user
  }

  /**
   * The route's owner must be of the path's kind: [observed] /orgs/{user} answers 404, as a
   * package GitHub does not find ("Package not found.", vlaurin/action-ghcr-prune#8).
   */
  private route(path: string, login: string): Route | undefined {
    const match = PACKAGE_PATH.exec(path)
    if (match === null) return undefined
    const [, prefix, pkg, versions, id] = match
    const owner =
      prefix === '/user' ? login : decodeURIComponent(prefix.split('/')[2])
    const kind = prefix.startsWith('/orgs/') ? 'Organization' : 'User'
    const name = decodeURIComponent(pkg)
    if (
      this.config.owners[owner] !== kind ||
      !this.storage.exists(`${owner}/${name}`)
    )
      throw new ApiError(404, 'Package not found.')
    return {
      prefix,
      owner,
      pkg: name,
      versions: versions !== undefined,
      ...(id !== undefined && { versionId: Number(id) })
    }
  }

  private version(base: string, route: Route, v: StoredVersion) {
    const encoded = encodeURIComponent(route.pkg)
    const kind =
      this.config.owners[route.owner] === 'Organization' ? 'orgs' : 'users'
    const web = `https://github.com/${kind}/${route.owner}/packages/container`
    return {
      id: v.id,
      name: v.digest,
      url: `${base}/${kind}/${route.owner}/packages/container/${encoded}/versions/${v.id}`,
      package_html_url: `${web}/package/${encoded}`,
      created_at: stamp(v.created),
      updated_at: stamp(v.updated),
      html_url: `${web}/${encoded}/${v.id}`,
      metadata: { package_type: 'container', container: { tags: v.tags } }
    }
  }

  /** [docs] per_page default 30, at most 100; page from 1; Link rel="next"/"last" (and prev/first). */
  private page(url: URL, all: unknown[], response: ServerResponse): unknown[] {
    const perPage = Math.min(
      100,
      Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30)
    )
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
    const last = Math.max(1, Math.ceil(all.length / perPage))
    const link = (n: number, rel: string) => {
      const target = new URL(url)
      target.searchParams.set('per_page', String(perPage))
      target.searchParams.set('page', String(n))
      return `<${target.href}>; rel="${rel}"`
    }
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev')] : []),
      ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
      ...(page > 1 ? [link(1, 'first')] : [])
    ]
    if (links.length > 0) response.setHeader('Link', links.join(', '))
    return all.slice((page - 1) * perPage, page * perPage)
  }

  /**
   * [docs] DELETE answers 204; a token needs delete rights and [docs] admin on the package (a
   * workflow's GITHUB_TOKEN: `packages: write` and the repository's Admin role in the package's
   * Actions access); [observed] without them GitHub answers 404 "Package not found." (vlaurin/
   * action-ghcr-prune#4 and #64, SmartsquareGmbH/delete-old-packages#27, bots-house/
   * ghcr-delete-image-action#105), not 403.
   */
  private remove(route: Route, canDelete: boolean): void {
    const versions = this.storage.versions(`${route.owner}/${route.pkg}`)
    const version = versions.find(v => v.id === route.versionId)
    if (!canDelete || version === undefined)
      throw new ApiError(404, 'Package not found.')
    // [observed] a single-version container package answers the tagged rule (kairos#4723)
    const tagged = versions.filter(v => v.tags.length > 0)
    if (version.tags.length > 0 && tagged.length === 1)
      throw new ApiError(400, LAST_TAGGED)
    if (versions.length === 1) throw new ApiError(400, LAST_VERSION)
    this.storage.deleteVersion(`${route.owner}/${route.pkg}`, version.digest)
  }

  private answer(request: IncomingMessage, response: ServerResponse): unknown {
    const base = `http://${request.headers.host ?? '127.0.0.1'}`
    const url = new URL(request.url ?? '/', base)
    if (url.pathname === '/health') return { ok: true }
    // [docs] a user's public profile needs no token
    const account = /^\/users\/([^/]+)$/.exec(url.pathname)
    if (account !== null && request.method === 'GET') {
      const type = this.config.owners[decodeURIComponent(account[1])]
      if (type === undefined) throw new ApiError(404, 'Not Found')
      return { login: decodeURIComponent(account[1]), id: 1, type }
    }
    const user = this.user(request)
    const route = this.route(url.pathname, user.login)
    if (route === undefined) throw new ApiError(404, 'Not Found')
    const repository = `${route.owner}/${route.pkg}`
    if (request.method === 'DELETE' && route.versionId !== undefined) {
      this.remove(route, user.delete)
      response.statusCode = 204
      return undefined
    }
    if (request.method !== 'GET') throw new ApiError(404, 'Not Found')
    const versions = this.storage.versions(repository)
    if (route.versionId !== undefined) {
      const version = versions.find(v => v.id === route.versionId)
      if (version === undefined) throw new ApiError(404, 'Package not found.')
      return this.version(base, route, version)
    }
    if (route.versions) {
      // [docs] state=active (the default) or deleted; nothing deleted is kept here
      if (url.searchParams.get('state') === 'deleted')
        return this.page(url, [], response)
      const all = versions.map(v => this.version(base, route, v))
      return this.page(url, all, response)
    }
    return {
      name: route.pkg,
      package_type: 'container',
      owner: { login: route.owner, type: this.config.owners[route.owner] },
      version_count: versions.length,
      visibility: 'private'
    }
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    let body: unknown
    try {
      body = this.answer(request, response)
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 500
      response.statusCode = status
      body = {
        message: (error as Error).message,
        documentation_url: DOCS,
        status: String(status)
      }
    }
    request.resume()
    if (response.statusCode === 204) {
      response.end()
      return
    }
    response.setHeader('Content-Type', 'application/json; charset=utf-8')
    response.end(JSON.stringify(body))
  }
}

export async function startPackagesApi(
  config: PackagesConfig,
  host: string,
  port: number
): Promise<{ server: Server; url: string }> {
  const api = new PackagesApi(config)
  const server = createServer((request, response) =>
    api.handle(request, response)
  )
  await new Promise<void>(resolve => server.listen(port, host, resolve))
  const address = server.address() as AddressInfo
  return { server, url: `http://${host}:${address.port}` }
}
