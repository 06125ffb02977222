/**
 * Registry authentication: answers 401 challenges (Basic, or Bearer tokens
 * from the realm), remembers the scheme per registry so later requests
 * authenticate up front, and caches tokens per registry and scope.
 */
import { type Challenge, pickChallenge } from './challenge.js'
import { authFailed, RegistryError, responseFailure } from './errors.js'

export interface RegistryCredentials {
  username: string
  password: string
}

export type CredentialsLookup = (
  registry: string
) => RegistryCredentials | undefined

/** GET of a token URL with the given headers (timeouts applied by the caller). */
export type TokenFetch = (
  url: URL,
  headers: Record<string, string>
) => Promise<Response>

export interface Authorization {
  header: string
  /** True for a cached token: a 401 may only mean it expired. */
  reused: boolean
}

type Scheme =
  { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string }

export function basicAuthorization(credentials: RegistryCredentials): string {
  const pair = `${credentials.username}:${credentials.password}`
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`
}

function parseRealm(registry: string, realm: string | undefined): string {
  try {
    const url = new URL(realm ?? '')
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.href
  } catch {
    // reported below
  }
  throw new RegistryError(
    registry,
    `Bearer challenge without a usable realm URL (${JSON.stringify(realm ?? '')})`
  )
}

export class RegistryAuth {
  private readonly schemes = new Map<string, Scheme>()
  private readonly tokens = new Map<string, Promise<string>>()

  constructor(
    private readonly credentials: CredentialsLookup,
    private readonly fetchToken: TokenFetch
  ) {}

  username(registry: string): string | undefined {
    return this.credentials(registry)?.username
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
   * Learns the scheme from a 401 and returns the header to retry with (a
   * token another request is already fetching for this scope is shared).
   */
  async answer(
    registry: string,
    response: Response,
    scope: string | undefined
  ): Promise<Authorization> {
    const challenge = pickChallenge(response.headers.get('www-authenticate'))
    const scheme = this.learn(registry, response, challenge)
    const authorization = await this.authorize(
      registry,
      scheme,
      challenge?.params.scope ?? scope,
      scope
    )
    if (authorization === undefined) {
      throw authFailed(registry, response, undefined)
    }
    return authorization
  }

  /** Drops a cached token that the registry refused. */
  forget(registry: string, scope: string | undefined): void {
    this.tokens.delete(tokenKey(registry, scope))
  }

  private learn(
    registry: string,
    response: Response,
    challenge: Challenge | undefined
  ): Scheme {
    if (challenge?.scheme === 'basic') {
      this.schemes.set(registry, { kind: 'basic' })
    } else if (challenge?.scheme === 'bearer') {
      const { realm, service } = challenge.params
      this.schemes.set(registry, {
        kind: 'bearer',
        realm: parseRealm(registry, realm),
        service
      })
    } else {
      const header = response.headers.get('www-authenticate') ?? '(none)'
      throw new RegistryError(
        registry,
        `401 Unauthorized with an unsupported WWW-Authenticate challenge: ${header}`,
        401
      )
    }
    return this.schemes.get(registry) as Scheme
  }

  private async authorize(
    registry: string,
    scheme: Scheme,
    scope: string | undefined,
    cacheScope = scope
  ): Promise<Authorization | undefined> {
    const credentials = this.credentials(registry)
    if (scheme.kind === 'basic') {
      if (credentials === undefined) return undefined
      return { header: basicAuthorization(credentials), reused: false }
    }
    const key = tokenKey(registry, cacheScope)
    const cached = this.tokens.get(key)
    if (cached !== undefined) {
      return { header: `Bearer ${await cached}`, reused: true }
    }
    const pending = this.requestToken(registry, scheme, scope, credentials)
    this.tokens.set(key, pending)
    pending.catch(() => this.tokens.delete(key))
    return { header: `Bearer ${await pending}`, reused: false }
  }

  private async requestToken(
    registry: string,
    scheme: Extract<Scheme, { kind: 'bearer' }>,
    scope: string | undefined,
    credentials: RegistryCredentials | undefined
  ): Promise<string> {
    const url = new URL(scheme.realm)
    if (scheme.service !== undefined) {
      url.searchParams.set('service', scheme.service)
    }
    if (scope !== undefined) url.searchParams.set('scope', scope)
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (credentials !== undefined) {
      url.searchParams.set('account', credentials.username)
      headers.Authorization = basicAuthorization(credentials)
    }
    const response = await this.fetchToken(url, headers)
    if (!response.ok) {
      throw await responseFailure(response, {
        registry,
        request: `token request to ${url.origin}${url.pathname}`,
        username: credentials?.username
      })
    }
    return readToken(registry, await response.text())
  }
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
  if (typeof token !== 'string' || token === '') {
    throw new RegistryError(
      registry,
      'the token server answered without a "token" or "access_token"'
    )
  }
  return token
}
