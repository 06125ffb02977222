/** The runner's cache service as buildx finds it in the environment; read as the step starts. */
/** What the runner offers: GitHub's cache service to JavaScript actions. */
export interface RunnerCache {
  /**
   * ACTIONS_RUNTIME_TOKEN and ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL, read by buildx's gha cache.
   */
  service: boolean
  /**
   * The service is v2 (ACTIONS_CACHE_SERVICE_V2, or ACTIONS_RESULTS_URL alone): buildx speaks it
   * from 0.21 on, and only with version=2 where that variable is not set.
   */
  v2?: boolean
  /** RUNNER_ARCH (X64, ARM64): names the scope when no platform is given. */
  arch?: string
}

/** buildx's reading of ACTIONS_CACHE_SERVICE_V2 (Go's strconv.ParseBool, and "yes"). */
const SAYS_TRUE = /^(1|t|true|yes)$/i

/** The runner's cache service as buildx's gha cache finds it in the environment. */
export function runnerCache(
  env: Record<string, string | undefined>
): RunnerCache {
  const v1Url = Boolean(env.ACTIONS_CACHE_URL)
  const url = v1Url || Boolean(env.ACTIONS_RESULTS_URL)
  const service = url && Boolean(env.ACTIONS_RUNTIME_TOKEN)
  const v2 =
    service && (SAYS_TRUE.test(env.ACTIONS_CACHE_SERVICE_V2 ?? '') || !v1Url)
  return {
    service,
    ...(v2 && { v2 }),
    ...(env.RUNNER_ARCH && { arch: env.RUNNER_ARCH })
  }
}
