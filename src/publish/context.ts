import type { Pushed } from './result.js'
import type { RetryPolicy } from '../docker/retrying.js'
import type { DockerRunner } from '../docker/runner.js'
import type { Log } from './log.js'
import type { RegistryClient } from '../registry/client.js'
import type { Progress } from './tagging.js'

export interface PublishEnv {
  docker: DockerRunner
  registry: RegistryClient
  log: Log
  retry: RetryPolicy
  /**
   * registry-timeout in ms: bounds the action's registry requests, and how
   * long docker's push may print nothing before the registry is asked
   * whether it still answers.
   */
  registryTimeoutMs: number
  /** A folder of ours for this run's files; the post step removes it. */
  tempDir: string
  /** The password of each registry the inputs log in to (sent on stdin only). */
  passwords: Map<string, string>
  /** Registries whose login was skipped for an empty password. */
  emptyPasswords?: string[]
  /** Filled as tags land, so a failure can still say what was pushed. */
  progress: Progress
  /** The Dockerfile as the workspace names it, for build check annotations. */
  dockerfile?: string
}

/** Pushed references in the plan's order (tags are pointed in parallel). */
export function inPlanOrder(refs: string[], pushed: Pushed[]): Pushed[] {
  const order = (ref: string) => refs.indexOf(ref)
  return [...pushed].sort((a, b) => order(a.ref) - order(b.ref))
}
