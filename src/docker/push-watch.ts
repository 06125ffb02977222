/**
 * Bounds docker's writes to a registry by registry-timeout (docker has none).
 * Silence alone cannot tell a hung registry from a big upload: after each
 * registry-timeout of it the registry is asked on its upload endpoint, and the
 * push stopped when it does not answer, or after SILENT_WINDOWS regardless (a
 * hung request of docker's leaves the registry answering the rest).
 */
import type { Stopped, StallWatch } from './process.js'
import type { Image } from '../reference/images.js'
import type { CommandStep } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import { RegistryError } from '../registry/registry-error.js'
import { seconds, SILENT_WINDOWS, type RunBounds } from '../settings/bounds.js'

/** Steps whose whole run is a transfer with a registry: an index written, a cache image pulled. */
const TRANSFERS = new Set(['index', 'cache'])

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

/**
 * The watch for a step that writes to a registry (undefined for the others): its stop is told, and
 * the step's retry runs it again; `runs`: how many times the command ran, as its failure says.
 */
export function pushWatch(
  step: CommandStep,
  images: Image[],
  // the registry to ask, and registry-timeout
  {
    registry,
    bounds
  }: {
    registry: Pick<RegistryClient, 'pingUploads'>
    bounds: Pick<RunBounds, 'registryMs' | 'pushLimitMs'>
  },
  runs = () => 1
): StallWatch | undefined {
  const asked = targets(step, images)
  if (asked.length === 0) return undefined
  const answers = (image: Image) =>
    registry.pingUploads(image).then(
      () => true,
      // an HTTP answer, even a refusal, is an answer
      (error: unknown) => error instanceof RegistryError
    )
  // the registries that did not answer the last time they were asked
  let unanswered: string[] = []
  const failure = (stopped: Stopped) => {
    const tried = `(${runs()} ${runs() === 1 ? 'attempt' : 'attempts'})`
    const silent = seconds(stopped.silentMs)
    return new Error(
      unanswered.length === 0
        ? `${step.step}: docker sent no push progress to registry ${step.registries.join(', ')} ` +
            `for ${silent} (${SILENT_WINDOWS} × registry-timeout) while the registry still ` +
            `answered: one of docker's requests got no answer, so the push was stopped ${tried}`
        : `${step.step}: docker stopped sending push progress to registry ` +
            `${unanswered.join(', ')} for ${silent}, and the registry did not answer on its ` +
            `upload endpoint within the registry-timeout (${seconds(bounds.registryMs)}): the ` +
            `registry stopped answering ${tried}`,
      { cause: stopped }
    )
  }
  return {
    name: 'push',
    ms: bounds.registryMs,
    limitMs: bounds.pushLimitMs,
    // buildx's push phase (`#12 pushing layers`): the build before it may be silent
    startsAt:
      step.step === 'build' ? event => event.kind === 'push' : undefined,
    stillAnswering: async () => {
      const answered = await Promise.all(asked.map(answers))
      unanswered = asked
        .filter((_, at) => !answered[at])
        .map(image => image.registry)
      return unanswered.length === 0
    },
    recovery: () => 'run again',
    failure
  }
}
