/** Which builder will run a build: `docker buildx inspect` (read-only). */
import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync
} from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../shared/input-error.js'
import { CLASSIC, type Builder } from '../plan/builder.js'
import type { DockerConfigFile } from './config-file.js'
import { readableDockerConfig } from './config.js'
import { SYSTEM_PLUGIN_DIRS } from './cli-plugins.js'
import { diagnose } from './diagnose.js'
import { engineDriverStatus, userEngineSocket } from './engine-info.js'
import {
  DockerCommandError,
  isBuildxMissing,
  type DockerRunner
} from './runner.js'

export function inspectArgs(builder: string): string[] {
  return ['buildx', 'inspect', ...(builder === '' ? [] : [builder])]
}

/** The builder's name and driver from `buildx inspect`'s first lines. */
export function parseInspect(stdout: string): Builder {
  const field = (name: string) =>
    new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(stdout)?.[1] ?? ''
  return { name: field('Name'), driver: field('Driver') }
}

const NO_SUCH_BUILDER = /no builder .* found/i
const DEFAULT_BUILDER: Builder = { name: 'default', driver: 'docker' }

/** What picks buildx's builder besides the input: its config folder and BUILDX_BUILDER. */
export interface BuildxChoice {
  /** The docker config folder whose buildx/current names the current builder. */
  configDir?: string
  env?: NodeJS.ProcessEnv
  /** The system folders the docker CLI looks for plugins in (docker's own by default). */
  systemPluginDirs?: string[]
}

/** The name in buildx's `current` file (undefined when it cannot be read). */
function currentBuilderName(file: string): unknown {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { Name?: unknown }).Name
  } catch {
    return undefined
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Whether `buildx use --default` chose a builder for some context. */
function hasContextDefaults(buildxDir: string): boolean {
  try {
    return readdirSync(join(buildxDir, 'defaults')).length > 0
  } catch {
    return false
  }
}

function pluginDirsOf(
  configDir: string,
  config: DockerConfigFile,
  systemDirs: string[]
): string[] {
  const extra = config.cliPluginsExtraDirs
  return [
    join(configDir, 'cli-plugins'),
    ...(Array.isArray(extra) ? extra.filter(d => typeof d === 'string') : []),
    ...systemDirs
  ]
}

/**
 * With no buildx/current, buildx builds with the docker context's own
 * builder (the docker driver), provided the plugin is installed and the
 * context is the default one (another context's builder is named after it).
 */
function contextBuilderIsDefault(
  configDir: string,
  env: NodeJS.ProcessEnv,
  systemDirs: string[] | undefined
): boolean {
  // elsewhere the plugin's folders and file name differ: ask buildx
  if (process.platform !== 'linux' && systemDirs === undefined) return false
  // docker reports its own unreadable config.json
  const config = readableDockerConfig(configDir)
  if (config === undefined) return false
  const context = env.DOCKER_CONTEXT || config.currentContext || 'default'
  if (context !== 'default') return false
  return pluginDirsOf(configDir, config, systemDirs ?? SYSTEM_PLUGIN_DIRS).some(
    dir => isExecutable(join(dir, 'docker-buildx'))
  )
}

/**
 * Whether buildx would use the context's default builder (the docker
 * driver): no builder named by the input or BUILDX_BUILDER, and buildx's
 * own buildx/current names the default (setup-buildx-action writes its
 * builder's name there) or, with no such file, the plugin is installed and
 * the context is the default; and no `buildx use --default` choice anywhere.
 * Known without starting buildx; anything else is asked of `buildx inspect`.
 */
export function usesDefaultBuilder(
  name: string,
  { configDir, env = process.env, systemPluginDirs }: BuildxChoice
): boolean {
  if (name !== '' || configDir === undefined || env.BUILDX_BUILDER) return false
  // buildx keeps its state in BUILDX_CONFIG when set, else in <config>/buildx
  const buildxDir = env.BUILDX_CONFIG || join(configDir, 'buildx')
  if (hasContextDefaults(buildxDir)) return false
  const file = join(buildxDir, 'current')
  if (!existsSync(file))
    return contextBuilderIsDefault(configDir, env, systemPluginDirs)
  return currentBuilderName(file) === ''
}
const CONTAINERD_STORE = /io\.containerd\.snapshotter/

/**
 * Which image store the daemon uses (read-only): asked over the engine's
 * local socket where docker uses one, else of `docker info`.
 */
async function imageStore(
  docker: DockerRunner,
  { configDir, env = process.env }: BuildxChoice
): Promise<'containerd' | 'classic'> {
  const socket = userEngineSocket(env, configDir)
  const status =
    (socket === undefined ? undefined : await engineDriverStatus(socket)) ??
    (
      await docker.run(['info', '--format', '{{json .DriverStatus}}'], {
        quiet: true
      })
    ).stdout
  return CONTAINERD_STORE.test(status) ? 'containerd' : 'classic'
}

/**
 * The builder the `builder` input names, or buildx's current one (what
 * docker/setup-buildx-action made the default); the classic build when
 * buildx is missing; on the docker driver, its image store too when
 * `needsStore` (several platforms need containerd's; an image that goes to a
 * registry is exported as a layout there, saved from the classic store).
 */
export async function detectBuilder(
  docker: DockerRunner,
  name: string,
  needsStore = false,
  buildxChoice: BuildxChoice = {}
): Promise<Builder> {
  try {
    const builder = usesDefaultBuilder(name, buildxChoice)
      ? DEFAULT_BUILDER
      : parseInspect(
          (await docker.run(inspectArgs(name), { quiet: true })).stdout
        )
    if (needsStore && builder.driver === 'docker')
      return { ...builder, store: await imageStore(docker, buildxChoice) }
    return builder
  } catch (error) {
    if (isBuildxMissing(error)) return CLASSIC
    if (
      error instanceof DockerCommandError &&
      NO_SUCH_BUILDER.test(error.output)
    )
      throw new InputError(
        'builder',
        name,
        'no such builder: `docker buildx ls` lists them (docker/setup-buildx-action outputs its name)'
      )
    throw diagnose(error)
  }
}
