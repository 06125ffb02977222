/**
 * Bounds docker's own writes to a registry (the build's push, `docker push`,
 * `imagetools create`) by the registry-timeout input: docker has no timeout
 * of its own, so a registry that stops answering mid-push held the run.
 *
 * Docker says nothing new while it uploads: buildx 0.13 prints `#5 pushing
 * layers` and, only when every layer is up, `#5 pushing layers 12.3s done`;
 * `docker push` prints `Preparing`, then `Pushed` when the layer is up (on
 * the containerd image store, `Waiting` again every second, hung or not). So
 * silence alone cannot tell a hung registry from a big upload. After each
 * registry-timeout of silence the registry is asked on its upload endpoint;
 * the command is stopped when that goes unanswered too (the client's own
 * timeout and retries), or, answered or not, once docker has printed nothing
 * new for SILENT_WINDOWS registry-timeouts: a request of docker's that never
 * gets an answer leaves the registry answering everything else. The stop is
 * retried like any other fault.
 */
import { DockerStalledError, type StallWatch } from './runner.js'
import type { Image } from '../reference/images.js'
import type { CommandStep } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import { RegistryError } from '../registry/registry-error.js'

/** What bounds a push: the registry to ask, registry-timeout, and the retries. */
export interface PushBounds {
  registry: Pick<RegistryClient, 'pingUploads'>
  registryTimeoutMs: number
  retry: { retries: number }
}

/**
 * buildx 0.13's push phase in plain progress: `#12 pushing layers`,
 * `#12 pushing manifest for …`, `#13 pushing <ref> with docker`,
 * `#13 pushing layer <id>`. A build before it may compile in silence.
 */
const BUILDX_PUSHING = /^#\d+ pushing /

/**
 * Registry-timeouts of silence after which docker's push is stopped even
 * while the registry answers (30 × 10 = 300 s at the default): the README's
 * bound for one attempt of a push.
 */
export const SILENT_WINDOWS = 10

/** Steps whose whole run is a write to a registry. */
const PUSHES = new Set(['index'])

export interface PushWatch {
  stall: StallWatch
  /** The registries that did not answer the last time they were asked. */
  unanswered: string[]
}

/** The images a step writes to, one per registry. */
function targets(step: CommandStep, images: Image[]): Image[] {
  const written =
    step.step === 'build'
      ? images.filter(image => step.registries.includes(image.registry))
      : PUSHES.has(step.step) && step.image !== undefined
        ? [step.image]
        : []
  return [...new Map(written.map(image => [image.registry, image])).values()]
}

/** The watch for a step that writes to a registry; undefined for the others. */
export function pushWatch(
  step: CommandStep,
  images: Image[],
  bounds: PushBounds
): PushWatch | undefined {
  const asked = targets(step, images)
  if (asked.length === 0) return undefined
  const answers = (image: Image) =>
    bounds.registry.pingUploads(image).then(
      () => true,
      // an HTTP answer, even a refusal, is an answer
      (error: unknown) => error instanceof RegistryError
    )
  const watch: PushWatch = {
    unanswered: [],
    stall: {
      ms: bounds.registryTimeoutMs,
      limitMs: bounds.registryTimeoutMs * SILENT_WINDOWS,
      startsAt:
        step.step === 'build' ? line => BUILDX_PUSHING.test(line) : undefined,
      stillAnswering: async () => {
        const answered = await Promise.all(asked.map(answers))
        watch.unanswered = asked
          .filter((_, at) => !answered[at])
          .map(image => image.registry)
        return watch.unanswered.length === 0
      }
    }
  }
  return watch
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`

/** What a user reads when the watch stopped the step on its last attempt. */
export function stalledError(
  error: DockerStalledError,
  step: CommandStep,
  watch: PushWatch,
  bounds: PushBounds
): Error {
  const hosts = watch.unanswered.length > 0 ? watch.unanswered : step.registries
  const attempts = bounds.retry.retries + 1
  const tried = `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`
  if (watch.unanswered.length === 0)
    return new Error(
      `${step.step}: docker sent no push progress to registry ${hosts.join(', ')} for ${seconds(error.silentMs)} (${SILENT_WINDOWS} × registry-timeout) while the registry still answered: one of docker's requests got no answer, so the push was stopped (${tried})`,
      { cause: error }
    )
  return new Error(
    `${step.step}: docker stopped sending push progress to registry ${hosts.join(', ')} for ${seconds(error.silentMs)}, and the registry did not answer on its upload endpoint within the registry-timeout (${seconds(bounds.registryTimeoutMs)}): the registry stopped answering (${tried})`,
    { cause: error }
  )
}
