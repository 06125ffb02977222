import type { Settings } from '../action/settings.js'
import { createDockerRunner } from '../docker/runner.js'
import type { Log } from '../log.js'
import {
  createRegistryClient,
  type RegistryClient
} from '../registry/client.js'
import type { PublishEnv } from './context.js'

/** A registry client with the run's credentials and retries. */
export function createRegistry(settings: Settings): RegistryClient {
  const credentials = new Map(settings.logins.map(l => [l.registry, l]))
  return createRegistryClient({
    credentials: registry => credentials.get(registry),
    retries: settings.retries,
    requestTimeoutMs: settings.registryTimeout * 1000
  })
}

/** The real docker runner and registry client, with the run's credentials and retries. */
export function createPublishEnv(
  settings: Settings,
  log: Log,
  tempDir: string,
  onLoggedIn: (registry: string) => void
): PublishEnv {
  return {
    docker: createDockerRunner(),
    registry: createRegistry(settings),
    log,
    retry: { retries: settings.retries },
    tempDir,
    onLoggedIn,
    progress: { pushed: [], skipped: [] }
  }
}
