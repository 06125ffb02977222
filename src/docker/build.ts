import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BuildSettings } from '../action/settings.js'
import type { Log } from '../log.js'
import {
  buildxBuildArgs,
  classicBuildArgs,
  type BuildRequest
} from './buildx-args.js'
import { diagnose } from './diagnose.js'
import { parseBuildMetadata, type BuildMetadata } from './metadata.js'
import {
  BuildxMissingError,
  DockerCommandError,
  isBuildxMissing,
  type DockerRunner
} from './runner.js'
import { writeSecretFiles } from './secret-files.js'

export interface BuildJob {
  build: BuildSettings
  refs: string[]
  labels: Record<string, string>
  annotations: Record<string, string>
  /** A folder of ours for the metadata file and secret files (removed by the post step). */
  tempDir: string
  /** Registries the refs live on, to name the one that failed. */
  registries: string[]
  pushByDigestTo?: string
}

function buildFailure(error: unknown, registries: string[]): unknown {
  const diagnosed = diagnose(error, registries)
  if (diagnosed !== error || !(error instanceof DockerCommandError))
    return diagnosed
  return new Error(
    `the build failed:\n${error.output.trim().split('\n').slice(-15).join('\n')}`,
    {
      cause: error
    }
  )
}

export async function buildxBuild(
  docker: DockerRunner,
  job: BuildJob
): Promise<BuildMetadata> {
  const request: BuildRequest = {
    ...job,
    metadataFile: join(job.tempDir, 'build-metadata.json'),
    secretSpecs: writeSecretFiles(job.build.secrets, job.tempDir)
  }
  try {
    await docker.run(buildxBuildArgs(request))
  } catch (error) {
    if (isBuildxMissing(error)) throw new BuildxMissingError()
    throw buildFailure(error, job.registries)
  }
  return parseBuildMetadata(readFileSync(request.metadataFile, 'utf8'))
}

/** `docker build` + `docker push` per tag, for engines without buildx. */
/**
 * `docker build` into the local image store, for engines without buildx; the
 * publish flow pushes it (its digest is known only once pushed).
 */
export async function classicBuild(
  docker: DockerRunner,
  job: BuildJob,
  log: Log
): Promise<BuildMetadata> {
  const { platforms } = job.build
  if (platforms.length > 1)
    throw new Error(
      `input "platforms": building ${platforms.join(', ')} needs buildx, which this docker lacks`
    )
  log.notice(
    'docker buildx is not available: building with the classic `docker build` and pushing with `docker push`'
  )
  const iidFile = join(job.tempDir, 'iid')
  try {
    await docker.run(classicBuildArgs(job, iidFile))
  } catch (error) {
    throw buildFailure(error, job.registries)
  }
  const imageId = readFileSync(iidFile, 'utf8').trim()
  return {
    digest: '',
    imageId,
    raw: { 'containerimage.config.digest': imageId }
  }
}
