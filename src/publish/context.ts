import type { PublishResult } from '../action/outputs.js'
import type { RetryPolicy } from '../docker/retrying.js'
import type { DockerRunner } from '../docker/runner.js'
import type { Log } from '../log.js'
import type { RegistryClient } from '../registry/client.js'
import type { Progress } from './tagging.js'

export interface PublishEnv {
  docker: DockerRunner
  registry: RegistryClient
  log: Log
  retry: RetryPolicy
  /** A folder of ours for this run's files; the post step removes it. */
  tempDir: string
  /** Called after each successful login, so cleanup knows what to undo. */
  onLoggedIn: (registry: string) => void
  /** Filled as tags land, so a failure can still say what was pushed. */
  progress: Progress
}

/** The result in the plan's order (tags are pointed in parallel). */
export function finalResult(
  refs: string[],
  progress: Progress,
  build: { digest: string; imageId: string; metadata: Record<string, unknown> }
): PublishResult {
  const order = (ref: string) => refs.indexOf(ref)
  return {
    digest: build.digest,
    imageid: build.imageId,
    metadata: build.metadata,
    pushed: [...progress.pushed].sort((a, b) => order(a.ref) - order(b.ref)),
    skipped: progress.skipped
  }
}
