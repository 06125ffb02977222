import { createHash } from 'node:crypto'
import { diagnose } from './diagnose.js'
import { retryDocker, type RetryPolicy } from './retrying.js'
import {
  BuildxMissingError,
  isBuildxMissing,
  type DockerRunner
} from './runner.js'
import { imagetoolsCreateArgs } from './imagetools-args.js'

function failure(error: unknown, registries: string[]): unknown {
  return isBuildxMissing(error)
    ? new BuildxMissingError()
    : diagnose(error, registries)
}

/**
 * The digest `imagetools create` will give the result, before anything is
 * written: its dry run prints exactly the bytes it would push.
 */
export async function predictDigest(
  docker: DockerRunner,
  target: string,
  sources: string[],
  registries: string[]
): Promise<string> {
  const { stdout } = await docker
    .run(imagetoolsCreateArgs([target], sources, true), { quiet: true })
    .catch((error: unknown) => {
      throw failure(error, registries)
    })
  const bytes = stdout.replace(/\n$/, '')
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

export async function createIndex(
  docker: DockerRunner,
  targets: string[],
  sources: string[],
  retry: RetryPolicy,
  registries: string[]
): Promise<void> {
  await retryDocker(
    () => docker.run(imagetoolsCreateArgs(targets, sources)),
    retry,
    `imagetools create ${targets.join(', ')}`
  ).catch((error: unknown) => {
    throw failure(error, registries)
  })
}
