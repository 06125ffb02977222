/**
 * The run's bounded waits, each in ms, worked out here alone from registry-timeout and retries:
 * every watch, client and relay takes its bound by name from this.
 */
import type { Settings } from './settings.js'

export interface RunBounds {
  /** registry-timeout: a registry's answer, and a push's silence before the registry is asked. */
  registryMs: number
  /** A push's silence that stops it even while the registry answers (README). */
  pushLimitMs: number
  /**
   * A build's silence on a read of its own (the cache's, a layer's, a base image's) and the time
   * a build run again has to start: two registry-timeouts, never under 20 s.
   */
  readMs: number
  /** The cache read's own client: one try of 5 s at most (it only warms the build). */
  cacheClientMs: number
  /** A registry relay's client, for an answer's headers: a backstop behind `registryMs`. */
  relayClientMs: number
  /** A call to the run's artifact service: registry-timeout × (retries + 1). */
  artifactMs: number
  /** How long `buildx inspect` may take to answer before the builder counts as gone. */
  builderAskMs: number
}

/** registry-timeouts of silence that stop a push even while the registry answers. */
export const SILENT_WINDOWS = 10

/** A build's read of its own: two registry-timeouts (in ms), never under 20 s. */
export const readBoundMs = (registryMs: number): number =>
  Math.max(2 * registryMs, 20_000)

export function runBounds({
  registryTimeout,
  retries
}: Pick<Settings, 'registryTimeout' | 'retries'>): RunBounds {
  const registryMs = registryTimeout * 1000
  return {
    registryMs,
    pushLimitMs: SILENT_WINDOWS * registryMs,
    readMs: readBoundMs(registryMs),
    cacheClientMs: Math.min(5000, registryMs),
    relayClientMs: 10 * registryMs,
    artifactMs: registryMs * (retries + 1),
    builderAskMs: 10_000
  }
}
