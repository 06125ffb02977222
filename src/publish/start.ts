/** Sets a real run up: its own docker config, the builder, the steps, the adapters. */
import { join } from 'node:path'
import { callUnsupported, needsCallFlag } from '../docker/argv/call.js'
import { InputError } from '../errors.js'
import type { Settings } from '../settings/settings.js'
import { detectBuilder } from '../docker/builder.js'
import { createRunConfig, userConfigDir } from '../docker/config.js'
import type { DockerRunner } from '../docker/runner.js'
import { writeSecretFiles } from '../docker/secret-files.js'
import type { Log } from './log.js'
import type { PublishPlan } from '../plan/plan.js'
import { CLASSIC, describeBuilder, type Builder } from '../plan/builder.js'
import type { BuildFiles } from '../plan/build-steps.js'
import {
  buildsAsAsked,
  needsBuilder,
  needsImageStore,
  pipelineFor
} from '../plan/pipeline.js'
import type { Pipeline } from '../plan/steps.js'
import type { PublishEnv } from './context.js'
import { createPublishEnv } from './env.js'

/**
 * A `call` other than build needs buildx's `--call` (buildx >= 0.15.0): the
 * buildx version is asked (read-only) only then, and an older or missing
 * buildx fails here, before any command that changes anything.
 */
async function requireCallSupport(
  call: string,
  builder: Builder,
  docker: DockerRunner,
  log: Log
): Promise<void> {
  if (!needsCallFlag(call)) return
  const version =
    builder.driver === 'classic'
      ? null
      : (await docker.run(['buildx', 'version'], { quiet: true })).stdout.trim()
  log.debug?.(`buildx version: ${version ?? 'not installed'}`)
  const why = callUnsupported(call, version)
  if (why !== undefined) throw new InputError('call', call, why)
}

/** The builder that will run, logged (modes that do not build need none). */
export async function builderFor(
  settings: Settings,
  docker: DockerRunner,
  log: Log
): Promise<Builder> {
  if (!needsBuilder(settings)) return CLASSIC
  if (buildsAsAsked(settings))
    log.notice(
      'outputs or call is set: the build goes where they say, so no tag is pushed or checked by this action'
    )
  const builder = await detectBuilder(
    docker,
    settings.build.builder,
    needsImageStore(settings),
    { configDir: userConfigDir() }
  )
  await requireCallSupport(settings.build.call, builder, docker, log)
  log.info(`Builder: ${describeBuilder(builder)}`)
  log.debug?.(`builder: ${JSON.stringify(builder)}`)
  if (builder.driver === 'classic')
    log.notice(
      'docker buildx is not available: building with the classic `docker build` and pushing with `docker push`'
    )
  return builder
}

export interface StartedRun {
  pipeline: Pipeline
  env: PublishEnv
}

export async function startRun(
  settings: Settings,
  plan: PublishPlan,
  log: Log,
  tempDir: string
): Promise<StartedRun> {
  const userConfig = userConfigDir()
  const dockerConfig = createRunConfig(
    userConfig,
    tempDir,
    settings.logins.map(l => l.registry)
  )
  const env = createPublishEnv(settings, log, tempDir, dockerConfig, log.mask)
  const builder = await builderFor(settings, env.docker, log)
  // written last, just before the pipeline that deletes them after the build
  const files: BuildFiles = {
    metadata: join(tempDir, 'build-metadata.json'),
    iid: join(tempDir, 'iid'),
    layout: join(tempDir, 'layout'),
    secretSpecs: writeSecretFiles(settings.build.secrets, tempDir)
  }
  const pipeline = pipelineFor({ settings, plan, builder, files, userConfig })
  return { pipeline, env }
}
