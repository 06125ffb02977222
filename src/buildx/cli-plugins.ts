/**
 * docker's buildx plugin where docker finds it, started directly (`docker buildx` costs 60-80 ms).
 */
import { delimiter, join } from 'node:path'
import type { DockerConfigFile } from '../docker/config-file.js'
import { findExecutable } from '../docker/process.js'

/** docker's own plugin folders after the config folder's (Linux and macOS). */
const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins'
]

/** Every folder docker looks in for a plugin: the config's, its extra ones, docker's own. */
function pluginFolders(
  configDir: string,
  config: DockerConfigFile,
  systemDirs: string[] = SYSTEM_PLUGIN_DIRS
): string[] {
  const extra = config.cliPluginsExtraDirs
  return [
    join(configDir, 'cli-plugins'),
    ...(Array.isArray(extra) ? extra.filter(d => typeof d === 'string') : []),
    ...systemDirs
  ]
}

/**
 * The folders docker searches for a plugin, in order; undefined with extra folders or on Windows.
 */
export function pluginDirs(
  configDir: string,
  config: DockerConfigFile,
  platform: NodeJS.Platform = process.platform
): string[] | undefined {
  const extra = config.cliPluginsExtraDirs
  if (platform === 'win32' || (Array.isArray(extra) && extra.length > 0))
    return undefined
  return pluginFolders(configDir, config)
}

/** The `docker-buildx` executable docker would run, if it can be told here. */
export function findBuildxPlugin(
  configDir: string,
  config: DockerConfigFile
): string | undefined {
  const dirs = pluginDirs(configDir, config)
  return dirs && findExecutable('docker-buildx', dirs.join(delimiter))
}

/** Whether docker finds a buildx plugin it can run in any of its folders (their order aside). */
export function hasBuildxPlugin(
  configDir: string,
  config: DockerConfigFile,
  systemDirs?: string[]
): boolean {
  const dirs = pluginFolders(configDir, config, systemDirs)
  return findExecutable('docker-buildx', dirs.join(delimiter)) !== undefined
}
