/**
 * The results origin as a job on GitHub's runners sees it: the artifact service
 * and the cache service v2 behind one ACTIONS_RESULTS_URL and one runtime token.
 */
import {
  artifactService,
  type ArtifactService,
  type NameRule
} from './artifacts.js'
import { cacheService, type CacheService } from './cache.js'
import { startResultsService } from './server.js'

/** Both services, artifact names under `nameRule` (per-run unless told). */
export async function startRunnerServices(
  nameRule: NameRule = 'per-run'
): Promise<ArtifactService & CacheService> {
  const artifacts = artifactService(() => services.nameRule)
  const cache = cacheService()
  const results = await startResultsService(artifacts.mount, cache.mount)
  const services = { ...results, ...artifacts.reads, ...cache.reads, nameRule }
  return services
}
