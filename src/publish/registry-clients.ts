/**
 * The run's registry clients, which ask docker/credentials.ts for each registry's credentials. A
 * module of its own: a dry run without credentials never loads the registry client.
 */
import { credentialsLookup } from '../docker/credentials.js'
import {
  createRegistryClient,
  type RegistryClient
} from '../registry/client.js'
import { runBounds } from '../settings/bounds.js'
import type { Settings } from '../settings/settings.js'

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
