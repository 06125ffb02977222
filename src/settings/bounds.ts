/**
 * The run's bounded waits, each in ms, worked out here alone from registry-timeout and retries:
 * every watch, client and relay takes its bound by name from this.
 */
import type { Settings } from './settings.js'

/** registry-timeouts of silence that stop a push even while the registry answers (README). */
export const SILENT_WINDOWS = 10

/** A build's read of its own: two registry-timeouts (in ms), never under 20 s. */
export const readBoundMs = (registryMs: number): number =>
  Math.max(2 * registryMs, 20_000)

/** A bound or a silence as messages tell it: whole seconds. */
export const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`

export type RunBounds = ReturnType<typeof runBounds>

export function runBounds({
  registryTimeout,
  retries
}: Pick<Settings, 'registryTimeout' | 'retries'>) {
  const registryMs = registryTimeout * 1000
  return {
    // a registry's answer, and a push's silence before the registry is asked
    registryMs,
    // a push's silence that stops it even while the registry answers
    pushLimitMs: SILENT_WINDOWS * registryMs,
    // a build's silence on a read of its own (the cache's, a layer's, a base image's), and the
    // time a build run again has to start
    readMs: readBoundMs(registryMs),
    // the cache read's own client: one try, as it only warms the build
    cacheClientMs: Math.min(5000, registryMs),
    // a registry relay's client, for an answer's headers: a backstop behind registryMs
    relayClientMs: 10 * registryMs,
    // a call to the run's artifact service
    artifactMs: registryMs * (retries + 1),
    // `buildx inspect`'s answer, before the builder counts as gone
    builderAskMs: 10_000
  }
}
