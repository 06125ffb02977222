/** One run as its steps see it: its surroundings (`PublishEnv`) and the whole (`RunContext`). */
import type { RegistryRelays } from '../buildx/registry-relay.js'
import type { CacheRelay } from '../buildx/cache-relay.js'
import type { DockerRunner } from '../docker/runner.js'
import type { RetryPolicy } from '../docker/retrying.js'
import type { LegRun } from '../plan/leg-handover.js'
import type { Publication } from '../plan/publication.js'
import type { Pipeline } from '../plan/steps.js'
import type { RegistryClient } from '../registry/client.js'
import type { Login } from '../settings/logins.js'
import type { RunBounds } from '../settings/bounds.js'
import type { Settings } from '../settings/settings.js'
import type { Log } from './log.js'
import type { PublishResult, RunValues } from './outcome.js'

/** A run's surroundings: log, private folder, docker config, docker runner, registry client. */
export interface PublishEnv {
  docker: DockerRunner
  registry: RegistryClient
  log: Log
  retry: RetryPolicy
  /** The run's bounded waits, from registry-timeout and retries (settings/bounds.ts). */
  bounds: RunBounds
  /** A folder of ours for this run's files; removed when the run ends. */
  tempDir: string
  /** The run's own docker config folder (inside tempDir): the logins go in its config.json. */
  dockerConfig: string
  /** The inputs' credentials, one per registry they log in to (passwords sent on stdin only). */
  logins: Login[]
  /** Registries whose login was skipped for an empty password. */
  emptyPasswords: string[]
  /** The run's result, filled as tags land, so a failure can still say what was pushed. */
  result: PublishResult
  /** The Dockerfile as the workspace names it, for build check annotations. */
  dockerfile?: string
  /** The engine's unix socket, where docker talks to a local one (the save asks it). */
  engineSocket?: string
  /** The remote BuildKit's address (endpoint input), for the builder's errors. */
  endpoint?: string
  /** The run's environment variables, as the adapter read them. */
  vars: NodeJS.ProcessEnv
  /** The wall clock (rollback's withdrawn mark is stamped from it). */
  clock: () => Date
  /**
   * The builder given a fresh BuildKit where a hung read holds it (buildx/own-builder.ts,
   * buildx/node-container.ts), and the words that tell how.
   */
  renewBuilder?: { renew: () => Promise<void>; told: string }
  /** GitHub's cache service relayed with a deadline (buildx/cache-relay.ts); closed at the end. */
  cacheRelay?: CacheRelay
  /** The registry reads of dockerd's BuildKit on the containerd store, relayed with a deadline. */
  registryRelays?: RegistryRelays
  /** digest and merge on a runner with an artifact service: the run the legs belong to. */
  legs?: LegRun
  /** The cache decision's registry client (a short bound, no retry), the held steps' too. */
  cacheRegistry: RegistryClient
}

/**
 * One run as its phases see it: what it publishes, its steps, its surroundings and what it learns.
 */
export interface RunContext {
  settings: Settings
  publication: Publication
  pipeline: Pipeline
  env: PublishEnv
  values: RunValues
}
