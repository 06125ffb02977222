import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BuildSettings } from '../action/settings.js'
import { formatKeyValues } from '../labels.js'
import type { Log } from '../log.js'
import { buildxBuildArgs, type BuildRequest } from './buildx-args.js'
import { diagnose } from './diagnose.js'
import { parseBuildMetadata, type BuildMetadata } from './metadata.js'
import { DockerCommandError, type DockerRunner } from './runner.js'
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

/** buildx's plugin is missing: the docker CLI says so instead of building. */
export class BuildxMissingError extends Error {
  constructor() {
    super(
      'docker buildx is not available: install the buildx plugin (promote and multi-platform builds need it)'
    )
    this.name = 'BuildxMissingError'
  }
}

const BUILDX_MISSING =
  /'buildx' is not a docker command|unknown command:? "?buildx/i

/** Whether a failed `docker buildx …` failed only because buildx is not installed. */
export function isBuildxMissing(error: unknown): boolean {
  return (
    error instanceof DockerCommandError && BUILDX_MISSING.test(error.output)
  )
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
export async function classicBuild(
  docker: DockerRunner,
  job: BuildJob,
  log: Log
): Promise<BuildMetadata> {
  const { build } = job
  if (build.platforms.length > 1)
    throw new Error(
      `input "platforms": building ${build.platforms.join(', ')} needs buildx, which this docker lacks`
    )
  log.notice(
    'docker buildx is not available: building with the classic `docker build` and pushing each tag with `docker push`'
  )
  const iidFile = join(job.tempDir, 'iid')
  const args = [
    'build',
    ...(build.file ? ['--file', build.file] : []),
    ...(build.target ? ['--target', build.target] : []),
    ...(build.platforms.length ? ['--platform', build.platforms[0]] : []),
    ...job.refs.flatMap(ref => ['--tag', ref]),
    ...formatKeyValues(job.labels).flatMap(l => ['--label', l]),
    ...build.buildArgs.flatMap(a => ['--build-arg', a]),
    ...(build.pull ? ['--pull'] : []),
    ...(build.noCache ? ['--no-cache'] : []),
    '--iidfile',
    iidFile,
    build.context
  ]
  try {
    await docker.run(args)
  } catch (error) {
    throw buildFailure(error, job.registries)
  }
  const imageId = readFileSync(iidFile, 'utf8').trim()
  let digest = ''
  if (build.push)
    for (const ref of job.refs) {
      const { stdout } = await docker
        .run(['push', ref])
        .catch((error: unknown) => {
          throw diagnose(error, job.registries)
        })
      digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1] ?? digest
    }
  return {
    digest,
    imageId,
    raw: {
      'containerimage.config.digest': imageId,
      'containerimage.digest': digest
    }
  }
}
