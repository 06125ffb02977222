/**
 * A build bounded by its builder's answers. A RUN may be silent for long, so silence alone stops
 * nothing; but a BuildKit that stopped answering (frozen, its host gone while the connection
 * stays open) leaves buildx waiting with no deadline of its own. After each registry-timeout of
 * silence the builder is asked (`buildx inspect`, within its bound); one that does not answer
 * stops the build, which fails.
 */
import type { StallWatch } from '../docker/process.js'
import type { DockerRunner } from '../docker/runner.js'
import { seconds, type RunBounds } from '../settings/bounds.js'

/** The builder's name, its endpoint where it has one, and the bounds of the wait and the ask. */
interface WatchedBuilder {
  name: string
  endpoint?: string
  bounds: Pick<RunBounds, 'registryMs' | 'builderAskMs'>
}

export function builderWatch(
  docker: DockerRunner,
  { name, endpoint, bounds }: WatchedBuilder
): StallWatch {
  const stillAnswering = () =>
    docker
      .run(['buildx', 'inspect', name], {
        quiet: true,
        stalls: [{ name: 'inspect', ms: bounds.builderAskMs }]
      })
      .then(() => true)
  const at = endpoint === undefined ? '' : ` (endpoint ${endpoint})`
  return {
    name: 'builder',
    ms: bounds.registryMs,
    stillAnswering,
    failure: stopped =>
      new Error(
        `the builder ${name}${at} stopped answering during the build: nothing came for ` +
          `${seconds(stopped.silentMs)} and \`docker buildx inspect ${name}\` got ` +
          `no answer within ${seconds(bounds.builderAskMs)}; check that its BuildKit daemon ` +
          'runs and answers, then re-run the job',
        { cause: stopped }
      )
  }
}
