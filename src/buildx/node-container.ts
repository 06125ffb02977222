/**
 * A docker-container builder's node as this engine runs it: its container, and its BuildKit
 * restarted where a request that never ends holds it.
 */
import type { DockerRunner } from '../docker/runner.js'
import { errorMessage } from '../errors/input-error.js'
import { nodeContainerName, type Builder } from '../plan/builder.js'
import { firstNodeName, inspectArgs } from './builder-detection.js'

/** A docker-container builder of the user's with one node: its container is the one BuildKit. */
export const isUserContainerNode = (builder: Builder): boolean =>
  builder.driver === 'docker-container' &&
  builder.own === undefined &&
  (builder.nodes ?? 1) === 1

/**
 * The container of `builder`'s first node (started first with `bootstrap`, as its build would
 * start it), or undefined where buildx names none.
 */
export async function nodeContainer(
  docker: DockerRunner,
  builder: string,
  { bootstrap = false } = {}
): Promise<string | undefined> {
  const argv = [...inspectArgs(builder), ...(bootstrap ? ['--bootstrap'] : [])]
  const node = firstNodeName((await docker.run(argv, { quiet: true })).stdout)
  return node === undefined ? undefined : nodeContainerName(node)
}

/** Seconds BuildKit is given to stop: a hung request keeps it from stopping gracefully. */
const STOP_SECONDS = '2'

/**
 * A user's one-node docker-container builder with a fresh BuildKit: its container stopped and
 * started again as buildx starts a stopped one (`buildx inspect --bootstrap`, which waits until
 * BuildKit answers); its state (the build cache) is kept.
 */
export async function restartNode(
  docker: DockerRunner,
  builder: string
): Promise<void> {
  try {
    const container = await nodeContainer(docker, builder)
    if (container === undefined) throw new Error('buildx inspect names no node')
    await docker.run(['container', 'stop', '-t', STOP_SECONDS, container], {
      quiet: true
    })
    await nodeContainer(docker, builder, { bootstrap: true })
  } catch (error) {
    throw new Error(
      `the builder ${builder} held by a read that does not end could not be restarted ` +
        `(${errorMessage(error).trim().split('\n').at(-1) ?? ''}); run the job again`,
      { cause: error }
    )
  }
}
