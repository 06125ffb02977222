/**
 * The pipeline a run follows, assembled for the run and the dry run alike. Apart from the real
 * run's start (run-setup.ts), which a dry run never loads: its builder, relays and files.
 */
import type { Settings } from '../settings/settings.js'
import { builderFor } from '../buildx/builder-choice.js'
import { userConfigDir } from '../docker/config.js'
import type { Surroundings } from '../docker/local-inputs.js'
import { createDockerRunner, DockerMissingError } from '../docker/runner.js'
import type { Builder } from '../plan/builder.js'
import { pipelineFor, type PipelineInput } from '../plan/pipeline.js'
import type { Publication } from '../plan/publication.js'
import type { Pipeline } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import { splitSecret } from '../settings/secret-lines.js'
import { readCacheFacts } from './cache-sources.js'
import type { Log } from './log.js'

/**
 * The one assembly of the pipeline's input, for the run and the dry run alike: the cache decided
 * by what `registry` holds (none: the image's tags are not read).
 */
export async function assemblePipeline(
  input: Omit<PipelineInput, 'userConfig' | 'cache'>,
  registry: RegistryClient | undefined,
  log: Log,
  env: NodeJS.ProcessEnv
): Promise<Pipeline> {
  const full = { ...input, userConfig: userConfigDir(env) }
  const cache = await readCacheFacts(full, registry, log, env)
  return pipelineFor({ ...full, cache })
}

/**
 * The steps of a real run of these settings (`docker buildx inspect` is read-only); `readable`:
 * there are credentials for the first image's registry, so its tags are read for the cache.
 */
export async function dryRunPipeline(
  settings: Settings,
  publication: Publication,
  readable: boolean,
  { log, env }: Surroundings & { log: Log }
): Promise<Pipeline> {
  const builder = await builderFor(
    settings,
    createDockerRunner('docker', {}, undefined, env),
    log,
    env
  ).catch((error: unknown): Builder => {
    if (!(error instanceof DockerMissingError)) throw error
    log.warning(
      `${error.message}; the steps shown are those of buildx's docker driver`
    )
    return { name: 'default', driver: 'docker', store: 'containerd' }
  })
  const files = {
    metadata: '<metadata-file>',
    iid: '<iid-file>',
    layout: '<layout-dir>',
    secretSpecs: settings.build.secrets.map(
      (line, index) => `id=${splitSecret(line, index).id},src=<file>`
    )
  }
  // a dry run without credentials never loads the registry client
  const clients = readable ? await import('./registry-clients.js') : undefined
  const registry = clients?.createCacheRegistry(settings, log, env)
  const input = { settings, publication, builder, files }
  return assemblePipeline(input, registry, log, env)
}
