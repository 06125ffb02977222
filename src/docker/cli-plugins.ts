/**
 * docker's buildx plugin on disk, found where docker finds it, so a run can
 * start it directly: `docker buildx …` starts docker, which starts the
 * plugin once for its metadata and once more for the command. Started in
 * buildx's standalone mode (`docker-buildx build …`), which skips the
 * plugin-mode set-up docker's own start needs (60–80 ms here); the file
 * started is the one docker would start.
 */
import { delimiter, join } from 'node:path'
import type { DockerConfigFile } from './config-file.js'
import { findExecutable } from './process.js'

/** docker's own plugin folders after the config folder's (Linux and macOS). */
export const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins'
]

/**
 * The folders docker searches for a plugin, in its order; undefined where
 * the order is docker's to decide: extra folders in the config (docker
 * versions order them differently) and Windows (its folders follow the
 * environment).
 */
export function pluginDirs(
  configDir: string,
  config: DockerConfigFile,
  platform: NodeJS.Platform = process.platform
): string[] | undefined {
  const extra = config.cliPluginsExtraDirs
  if (platform === 'win32' || (Array.isArray(extra) && extra.length > 0))
    return undefined
  return [join(configDir, 'cli-plugins'), ...SYSTEM_PLUGIN_DIRS]
}

/** The `docker-buildx` executable docker would run, if it can be told here. */
export function findBuildxPlugin(
  configDir: string,
  config: DockerConfigFile
): string | undefined {
  const dirs = pluginDirs(configDir, config)
  return dirs === undefined
    ? undefined
    : findExecutable('docker-buildx', dirs.join(delimiter))
}
