/**
 * A registry's credentials and docker's encoding of them, apart from the login inputs
 * (logins.ts): the engine's early /info reads docker's config with only this.
 */

/** A registry's credentials, from the inputs, docker's config or a credential helper. */
export interface Credentials {
  username: string
  password: string
  /** An OAuth2 refresh token (docker's identitytoken) instead of a password. */
  identityToken?: string
}

/** docker's form of credentials (config.json's `auth`, Basic's): base64 of `user:password`. */
export function encodedCredentials({
  username,
  password
}: Credentials): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64')
}
