/**
 * Where a registry's credentials come from (SPEC §9): the inputs' logins, else the user's docker
 * config; and the registry clients that ask for them.
 */
import type { CredentialsLookup } from '../registry/auth.js'
import {
  createRegistryClient,
  type RegistryClient
} from '../registry/client.js'
import type { Login } from '../settings/logins.js'
import type { Settings } from '../settings/settings.js'
import { runBounds } from '../settings/bounds.js'
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

/** Where a registry client tells what it does: masks a helper's secrets, debug lines. */
type ClientLog = {
  mask: (secret: string) => void
  debug?: (message: string) => void
}

/** A registry client with the run's credentials and retries (`bound` narrows them). */
export function createRegistry(
  settings: Settings,
  { mask, debug }: ClientLog,
  env: NodeJS.ProcessEnv,
  bound: { retries?: number; requestTimeoutMs?: number } = {}
): RegistryClient {
  return createRegistryClient({
    credentials: credentialsLookup(settings.logins, mask, env),
    retries: bound.retries ?? settings.retries,
    requestTimeoutMs: bound.requestTimeoutMs ?? runBounds(settings).registryMs,
    debug
  })
}

/**
 * The cache read's own client (the run's meets each registry first at its login): one try, 5 s at
 * most, as a failure only skips imports (it only warms the build, so it never holds it up long).
 */
export function createCacheRegistry(
  settings: Settings,
  log: ClientLog,
  env: NodeJS.ProcessEnv
): RegistryClient {
  return createRegistry(settings, log, env, {
    retries: 0,
    requestTimeoutMs: runBounds(settings).cacheClientMs
  })
}
