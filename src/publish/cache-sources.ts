/**
 * What the cache decision (plan/cache.ts) needs from outside: the runner's cache, the image's tags.
 */
import { errorMessage } from '../errors/input-error.js'
import { cacheImports, importsImageTags } from '../plan/cache.js'
import { runnerCache } from '../plan/runner-cache.js'
import { cacheUse, type PipelineInput } from '../plan/pipeline.js'
import type { RegistryClient } from '../registry/client.js'
import type { Log } from './log.js'

/**
 * The runner's cache, and the first image's tags where the decision needs them (unreadable: none).
 */
export async function readCacheFacts(
  input: Pick<PipelineInput, 'settings' | 'publication' | 'builder'>,
  registry: RegistryClient | undefined,
  log: Pick<Log, 'info' | 'warning'>,
  env: NodeJS.ProcessEnv
): Promise<NonNullable<PipelineInput['cache']>> {
  const { settings, publication, builder } = input
  const runner = runnerCache(env)
  const sources = publication.cacheSources
  const image = publication.images[0]
  const none = { runner, imports: [] }
  const needed = importsImageTags(
    settings.build,
    builder,
    runner,
    cacheUse(settings)
  )
  if (!needed || sources === undefined || image === undefined) return none
  if (registry === undefined) {
    log.info(
      `Cache: ${image.name}'s tags not read (no credentials for ${image.registry}), so no ` +
        `import is shown, nor the tags whose layers are read`
    )
    return none
  }
  try {
    const tags = await registry.listTags(image)
    return { runner, imports: cacheImports(sources, tags), tagsRead: true }
  } catch (error) {
    log.warning(
      `Cache: ${image.name}'s tags could not be read, so the build imports no cache from them: ` +
        `${errorMessage(error)}`
    )
    return none
  }
}
