/**
 * Where a registry's credentials come from (SPEC §9): the inputs' logins, else the user's docker
 * config.
 */
import type { CredentialsLookup } from '../registry/auth.js'
import type { Login } from '../settings/logins.js'
import { registryKey } from './config-file.js'
import { dockerCredentials, readDockerConfig, userConfigDir } from './config.js'
import { askCredentialHelper } from './credential-helper.js'

/** The inputs' login for a registry, its name compared as docker compares them. */
export function loginFor(logins: Login[], registry: string): Login | undefined {
  const key = registryKey(registry)
  return logins.find(login => registryKey(login.registry) === key)
}

/**
 * The one credentials lookup (SPEC §9): the inputs, else the docker config; a helper's secrets
 * masked at once.
 */
export function credentialsLookup(
  logins: Login[],
  mask: (secret: string) => void,
  env: NodeJS.ProcessEnv
): CredentialsLookup {
  return async registry => {
    const login = loginFor(logins, registry)
    if (login !== undefined) return login
    const found = await dockerCredentials(
      readDockerConfig(userConfigDir(env)),
      registry,
      (helper, server) => askCredentialHelper(helper, server, env)
    )
    if (found !== undefined) mask(found.identityToken ?? found.password)
    return found
  }
}
