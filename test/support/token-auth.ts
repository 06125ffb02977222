/**
 * Tokens from the stack's token issuer (registry T), fetched the way
 * `docker login` does (GET, Basic auth), without src/registry: for seeding
 * and checking registry T over plain HTTP.
 */
import type { StackTokenRegistry } from './stack-env.js'

export interface TokenAccount {
  username: string
  password: string
}

/** A token for these scopes ("repository:x:pull,push"); anonymous without an account. */
export async function fetchToken(
  registry: StackTokenRegistry,
  scopes: string[],
  account?: TokenAccount
): Promise<string> {
  const url = new URL(registry.realm)
  url.searchParams.set('service', registry.service)
  for (const scope of scopes) url.searchParams.append('scope', scope)
  const headers: Record<string, string> = {}
  if (account !== undefined) {
    const pair = `${account.username}:${account.password}`
    headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`
  }
  const response = await fetch(url, { headers })
  if (!response.ok) {
    throw new Error(`token for ${scopes.join(' ')}: HTTP ${response.status}`)
  }
  const body = (await response.json()) as { token: string }
  return body.token
}

/** The `access` claim of a token (its payload is not verified here). */
export function tokenAccess(
  token: string
): { type: string; name: string; actions: string[] }[] {
  const payload = token.split('.')[1] ?? ''
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
    access?: { type: string; name: string; actions: string[] }[]
  }
  return claims.access ?? []
}
