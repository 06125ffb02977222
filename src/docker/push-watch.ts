/**
 * Bounds docker's writes to a registry by registry-timeout (docker has none).
 * Silence alone cannot tell a hung registry from a big upload: after each
 * registry-timeout of it the registry is asked on its upload endpoint, and the
 * push stopped when it does not answer, or after SILENT_WINDOWS regardless (a
 * hung request of docker's leaves the registry answering the rest).
 */
import { DockerStalledError } from './runner.js'
import type { StallWatch } from './process.js'
import type { Image } from '../reference/images.js'
import type { CommandStep } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import { RegistryError } from '../registry/registry-error.js'

/** What bounds a push: the registry to ask, and registry-timeout. */
interface PushBounds {
  registry: Pick<RegistryClient, 'pingUploads'>
  registryTimeoutMs: number
}

/** Registry-timeouts of silence that stop a push even while the registry answers (README). */
const SILENT_WINDOWS = 10

const PUSH_WATCH = 'push'

/** Whether the push watch stopped the command (not another watch of the step's). */
export const isPushStall = (error: unknown): error is DockerStalledError =>
  error instanceof DockerStalledError && error.watch === PUSH_WATCH

/** Steps whose whole run is a transfer with a registry: an index written, a cache image pulled. */
const TRANSFERS = new Set(['index', 'cache'])

interface PushWatch {
  stall: StallWatch
  /** The registries that did not answer the last time they were asked. */
  unanswered: string[]
}

/** The images a step writes to, one per registry. */
function targets(step: CommandStep, images: Image[]): Image[] {
  const written =
    step.step === 'build'
      ? images.filter(image => step.registries.includes(image.registry))
      : TRANSFERS.has(step.step) && step.image !== undefined
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
      name: PUSH_WATCH,
      ms: bounds.registryTimeoutMs,
      limitMs: bounds.registryTimeoutMs * SILENT_WINDOWS,
      // buildx's push phase (`#12 pushing layers`): the build before it may be silent
      startsAt:
        step.step === 'build' ? event => event.kind === 'push' : undefined,
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

/** What a user reads when the watch stopped the step after `runs` runs of its command. */
export function stalledError(
  error: DockerStalledError,
  step: CommandStep,
  watch: PushWatch,
  bounds: PushBounds,
  runs: number
): Error {
  const hosts = watch.unanswered.length > 0 ? watch.unanswered : step.registries
  const tried = `${runs} ${runs === 1 ? 'attempt' : 'attempts'}`
  if (watch.unanswered.length === 0)
    return new Error(
      `${step.step}: docker sent no push progress to registry ${hosts.join(', ')} for ` +
        `${seconds(error.silentMs)} (${SILENT_WINDOWS} × registry-timeout) while the registry ` +
        `still answered: one of docker's requests got no answer, so the push was stopped ` +
        `(${tried})`,
      { cause: error }
    )
  return new Error(
    `${step.step}: docker stopped sending push progress to registry ${hosts.join(', ')} for ` +
      `${seconds(error.silentMs)}, and the registry did not answer on its upload endpoint ` +
      `within the registry-timeout (${seconds(bounds.registryTimeoutMs)}): the registry stopped ` +
      `answering (${tried})`,
    { cause: error }
  )
}
