/**
 * Registry authentication: answers 401 challenges (Basic, or a Bearer token
 * from the realm), remembering the scheme per registry to authenticate up
 * front, and tokens per registry and scope.
 */
import type { RegistryFetch, RegistryResponse } from './http-fetch.js'
import { type Challenge, pickChallenge } from './challenge.js'
import { authFailed, RegistryError, responseFailure } from './registry-error.js'
import { answeredByEndpoint, realmUrl } from './origin.js'
import type { RegistryEndpoint } from '../reference/repository.js'
import { encodedCredentials, type Credentials } from '../settings/logins.js'

/** The credentials for a registry, if any: the inputs', or docker's own (a helper may run). */
export type CredentialsLookup = (
  registry: string
) => Credentials | undefined | Promise<Credentials | undefined>

export interface Authorization {
  header: string
  /** True for a cached token: a 401 may only mean it expired. */
  reused: boolean
}

type Bearer = { kind: 'bearer'; realm: string; service?: string }
type Scheme = { kind: 'basic' } | Bearer

const basicAuthorization = (credentials: Credentials): string =>
  `Basic ${encodedCredentials(credentials)}`

export class RegistryAuth {
  private readonly schemes = new Map<string, Scheme>()
  private readonly tokens = new Map<string, Promise<string>>()
  private readonly found = new Map<string, Promise<Credentials | undefined>>()
  private readonly usernames = new Map<string, string | undefined>()

  constructor(
    private readonly credentials: CredentialsLookup,
    /** A request to the token server (timeouts applied by the caller). */
    private readonly fetchToken: RegistryFetch
  ) {}

  /** The username used so far for this registry (for error messages). */
  username(registry: string): string | undefined {
    return this.usernames.get(registry)
  }

  /** Looks the credentials up once per registry (a credential helper is a process). */
  private credentialsFor(registry: string): Promise<Credentials | undefined> {
    const found =
      this.found.get(registry) ??
      Promise.resolve(this.credentials(registry)).then(credentials => {
        this.usernames.set(registry, credentials?.username)
        return credentials
      })
    this.found.set(registry, found)
    return found
  }

  /** The header to send before any challenge, when the scheme is known. */
  async upFront(
    registry: string,
    scope: string | undefined
  ): Promise<Authorization | undefined> {
    const scheme = this.schemes.get(registry)
    if (scheme === undefined) return undefined
    return this.authorize(registry, scheme, scope)
  }

  /**
   * Learns the scheme from a 401 and returns the header to retry with (a token another request is
   * already fetching for this scope is shared).
   */
  async answer(
    endpoint: RegistryEndpoint,
    response: RegistryResponse,
    scope: string | undefined
  ): Promise<Authorization> {
    const { registry } = endpoint
    const challenge = pickChallenge(response.headers.get('www-authenticate'))
    const scheme = this.learn(endpoint, response, challenge)
    const authorization = await this.authorize(
      registry,
      scheme,
      challenge?.params.scope ?? scope,
      scope
    )
    if (authorization === undefined)
      throw authFailed(registry, response, undefined)
    return authorization
  }

  /**
   * Learns the scheme from an unauthenticated 401 (the /v2/ probe), so the requests after it
   * authenticate up front instead of each meeting a 401.
   */
  notice(endpoint: RegistryEndpoint, response: RegistryResponse): void {
    if (response.status !== 401 || this.schemes.has(endpoint.registry)) return
    if (!answeredByEndpoint(endpoint, response.url)) return
    const challenge = pickChallenge(response.headers.get('www-authenticate'))
    try {
      this.learn(endpoint, response, challenge)
    } catch {
      // none, or a bad one: reported by the first request that must answer it
    }
  }

  /**
   * A token for `scope` asked afresh of the token server and kept nowhere (not one a request
   * shares, which may hold more), where the registry's scheme is known to be Bearer.
   */
  async freshToken(
    registry: string,
    scope: string
  ): Promise<string | undefined> {
    const scheme = this.schemes.get(registry)
    if (scheme?.kind !== 'bearer') return undefined
    const credentials = await this.credentialsFor(registry)
    return this.requestToken(registry, scheme, scope, credentials)
  }

  /** Drops a cached token that the registry refused. */
  forget(registry: string, scope: string | undefined): void {
    this.tokens.delete(tokenKey(registry, scope))
  }

  private learn(
    endpoint: RegistryEndpoint,
    response: RegistryResponse,
    challenge: Challenge | undefined
  ): Scheme {
    if (challenge?.scheme !== 'basic' && challenge?.scheme !== 'bearer') {
      const header = response.headers.get('www-authenticate') ?? '(none)'
      throw new RegistryError(
        endpoint.registry,
        `401 Unauthorized with an unsupported WWW-Authenticate challenge: ${header}`,
        401
      )
    }
    const { realm, service } = challenge.params
    const scheme: Scheme =
      challenge.scheme === 'basic'
        ? { kind: 'basic' }
        : { kind: 'bearer', realm: realmUrl(endpoint, realm), service }
    this.schemes.set(endpoint.registry, scheme)
    return scheme
  }

  private async authorize(
    registry: string,
    scheme: Scheme,
    scope: string | undefined,
    cacheScope = scope
  ): Promise<Authorization | undefined> {
    const credentials = await this.credentialsFor(registry)
    if (scheme.kind === 'basic') {
      if (credentials === undefined) return undefined
      return { header: basicAuthorization(credentials), reused: false }
    }
    const key = tokenKey(registry, cacheScope)
    const cached = this.tokens.get(key)
    if (cached !== undefined)
      return { header: `Bearer ${await cached}`, reused: true }
    const pending = this.requestToken(registry, scheme, scope, credentials)
    this.tokens.set(key, pending)
    pending.catch(() => this.tokens.delete(key))
    return { header: `Bearer ${await pending}`, reused: false }
  }

  private async requestToken(
    registry: string,
    scheme: Bearer,
    scope: string | undefined,
    credentials: Credentials | undefined
  ): Promise<string> {
    const response = await this.fetchToken(
      ...tokenRequest(scheme, scope, credentials)
    )
    if (!response.ok) {
      const url = new URL(scheme.realm)
      throw await responseFailure(response, {
        registry,
        request: `token request to ${url.origin}${url.pathname}`,
        username: credentials?.username
      })
    }
    return readToken(registry, await response.text())
  }
}

/**
 * The token request: docker login's GET with Basic credentials, or for an identity token (OAuth2
 * refresh token) a POST of it, as docker does.
 */
function tokenRequest(
  scheme: Bearer,
  scope: string | undefined,
  credentials: Credentials | undefined
): Parameters<RegistryFetch> {
  const url = new URL(scheme.realm)
  const refresh = credentials?.identityToken
  const params =
    refresh === undefined
      ? url.searchParams
      : new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refresh,
          client_id: 'docker-publish-action'
        })
  if (scheme.service !== undefined) params.set('service', scheme.service)
  if (scope !== undefined) {
    params.delete('scope')
    // several scopes, space-separated: docker's GET sends each as its own parameter, its form one
    for (const one of refresh === undefined ? scope.split(' ') : [scope])
      params.append('scope', one)
  }
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (refresh !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    return [url, { method: 'POST', headers, body: params.toString() }]
  }
  if (credentials !== undefined) {
    url.searchParams.set('account', credentials.username)
    headers.Authorization = basicAuthorization(credentials)
  }
  return [url, { method: 'GET', headers }]
}

function tokenKey(registry: string, scope: string | undefined): string {
  return `${registry} ${scope ?? ''}`
}

function readToken(registry: string, body: string): string {
  let parsed: { token?: unknown; access_token?: unknown } = {}
  try {
    parsed = JSON.parse(body) as typeof parsed
  } catch {
    // reported below
  }
  const token = parsed.token ?? parsed.access_token
  if (typeof token !== 'string' || token === '')
    throw new RegistryError(
      registry,
      'the token server answered without a "token" or "access_token"'
    )
  return token
}
