/**
 * `buildx version`, started as the step starts where the builder's detection will ask it (the
 * runner offers the cache service v2, which an older buildx drops): its process runs while node
 * loads the action, not after (0.1-0.2 s before BuildKit starts). A query that changes nothing,
 * asked even where the run then needs no builder (promote, an endpoint).
 */
import { execFile } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { readableDockerConfig, userConfigDir } from '../docker/config.js'
import { runnerCache } from '../plan/runner-cache.js'
import { findBuildxPlugin } from './cli-plugins.js'

/**
 * Past this the plugin is killed and its output closed (execFile's timeout), so a plugin, or a
 * child of its holding the output open, does not hold the run.
 */
const TIMEOUT_MS = 10_000

/** The plugin asked early (its real path) and its answer, undefined where it failed. */
let early: { plugin: string; answer: Promise<string | undefined> } | undefined

/** Starts `<plugin> version` where the run will want it; never fails. */
export function askBuildxVersionEarly(
  env: NodeJS.ProcessEnv,
  boundMs = TIMEOUT_MS
): void {
  early = undefined
  try {
    if (runnerCache(env).v2 !== true) return
    const configDir = userConfigDir(env)
    const plugin = findBuildxPlugin(
      configDir,
      readableDockerConfig(configDir) ?? {}
    )
    if (plugin === undefined) return
    const real = realpathSync(plugin)
    // execFile, not the runner's runProcess: one short answer under a hard bound, no log line
    const answer = new Promise<string | undefined>(resolve => {
      execFile(
        plugin,
        ['version'],
        { env, timeout: boundMs, killSignal: 'SIGKILL' },
        (error, out) => resolve(error === null ? out.trim() : undefined)
      )
    })
    early = { plugin: real, answer }
  } catch {
    // asked later, as without this
  }
}

/**
 * The early answer where `plugin` is the file asked (the run's docker config links the user's
 * plugins), else undefined: the caller asks.
 */
export async function earlyBuildxVersion(
  plugin: string | undefined
): Promise<string | undefined> {
  if (early === undefined || plugin === undefined) return undefined
  try {
    return realpathSync(plugin) === early.plugin
      ? await early.answer
      : undefined
  } catch {
    return undefined
  }
}
