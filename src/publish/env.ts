import type { Settings } from '../action/settings.js'
import { createDockerRunner } from '../docker/runner.js'
import type { Log } from '../log.js'
import { createRegistryClient } from '../registry/client.js'
import type { PublishEnv } from './context.js'

/** The real docker runner and registry client, with the run's credentials and retries. */
export function createPublishEnv(
  settings: Settings,
  log: Log,
  tempDir: string,
  onLoggedIn: (registry: string) => void
): PublishEnv {
  const credentials = new Map(settings.logins.map(l => [l.registry, l]))
  return {
    docker: createDockerRunner(),
    registry: createRegistryClient({
      credentials: registry => credentials.get(registry),
      retries: settings.retries
    }),
    log,
    retry: { retries: settings.retries },
    tempDir,
    onLoggedIn,
    progress: { pushed: [], skipped: [] }
  }
}
