/**
 * A build bounded by its builder's answers. A RUN may be silent for long, so silence alone stops
 * nothing; but a BuildKit that stopped answering (frozen, its host gone while the connection
 * stays open) leaves buildx waiting with no deadline of its own. After each `ms` of silence the
 * builder is asked (`buildx inspect`, within ASK_MS); one that does not answer stops the build.
 */
import type { StallWatch } from '../docker/process.js'
import { DockerStalledError, type DockerRunner } from '../docker/runner.js'

const BUILDER_WATCH = 'builder'

/** How long `buildx inspect` may take to answer before the builder counts as gone. */
const ASK_MS = 10_000

export function builderWatch(
  docker: DockerRunner,
  builder: string,
  ms: number
): StallWatch {
  const stillAnswering = () =>
    docker
      .run(['buildx', 'inspect', builder], {
        quiet: true,
        stalls: [{ name: 'inspect', ms: ASK_MS }]
      })
      .then(() => true)
  return { name: BUILDER_WATCH, ms, stillAnswering }
}

/** What a user reads when the builder stopped answering during the build. */
export function silentBuilderFailure(
  error: unknown,
  builder: string,
  endpoint?: string
): Error | undefined {
  if (!(error instanceof DockerStalledError) || error.watch !== BUILDER_WATCH)
    return undefined
  const at = endpoint === undefined ? '' : ` (endpoint ${endpoint})`
  return new Error(
    `the builder ${builder}${at} stopped answering during the build: nothing came for ` +
      `${error.silentSeconds} s and \`docker buildx inspect ${builder}\` got no ` +
      `answer within ${ASK_MS / 1000} s; check that its BuildKit daemon runs and answers, then ` +
      're-run the job',
    { cause: error }
  )
}
