/** Which builder will run a build: from buildx's own files, else `docker buildx inspect`. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../errors/input-error.js'
import { CLASSIC, type Builder } from '../plan/builder.js'
import type { BuilderNode } from '../plan/emulation.js'
import type { DockerConfigFile } from '../docker/config-file.js'
import { buildxStateDir, readCurrentBuilder } from '../docker/buildx-files.js'
import { readableDockerConfig } from '../docker/config.js'
import { hasBuildxPlugin } from './cli-plugins.js'
import { engineInfo, engineSocket } from '../docker/engine-info.js'
import {
  DockerCommandError,
  isBuildxMissing,
  type DockerRunner
} from '../docker/runner.js'

export function inspectArgs(builder: string): string[] {
  return ['buildx', 'inspect', ...(builder === '' ? [] : [builder])]
}

/** What `buildx inspect` says of the builder's nodes (a `Name:` each), after its own fields. */
const nodesPart = (stdout: string): string | undefined =>
  stdout.split(/^Nodes:/m)[1]

/**
 * The builder's name and driver from `buildx inspect`'s first lines, and its nodes (a `Name:`
 * each).
 */
export function parseInspect(stdout: string): Builder {
  const field = (name: string) =>
    new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(stdout)?.[1] ?? ''
  const nodes = nodesPart(stdout)?.match(/^Name:/gm)?.length ?? 1
  const driver = field('Driver')
  return {
    name: field('Name'),
    driver,
    ...several(nodes),
    ...containerNode(driver, firstNodeName(stdout))
  }
}

/** A docker-container builder's first node, which names its container. */
const containerNode = (driver: string, node: unknown) =>
  driver === 'docker-container' && typeof node === 'string' && node !== ''
    ? { node }
    : {}

/** The first node's name in `buildx inspect`'s output (a docker-container's runs it). */
export function firstNodeName(stdout: string): string | undefined {
  return /^Name:\s+(\S+)/m.exec(nodesPart(stdout) ?? '')?.[1]
}

/** A builder of one node says nothing of its nodes. */
const several = (nodes: number) => (nodes > 1 ? { nodes } : {})

/** Every node `buildx inspect` lists: its endpoint and platforms (`*`: set on the node). */
export function parseBuilderNodes(stdout: string): BuilderNode[] {
  return (nodesPart(stdout) ?? '')
    .split(/^(?=Name:)/m)
    .filter(node => node.startsWith('Name:'))
    .map(node => ({
      endpoint: /^Endpoint:\s*(\S+)/m.exec(node)?.[1] ?? '',
      platforms: (/^Platforms:(.*)$/m.exec(node)?.[1] ?? '')
        .split(',')
        .map(p => p.trim().replace(/\*$/, ''))
        .filter(p => p !== '')
    }))
}

/** The nodes of a builder, started if stopped (`--bootstrap`) so that they report platforms. */
export async function builderNodes(
  docker: DockerRunner,
  name: string
): Promise<BuilderNode[]> {
  const argv = [...inspectArgs(name), '--bootstrap']
  return parseBuilderNodes((await docker.run(argv, { quiet: true })).stdout)
}

const NO_SUCH_BUILDER = /no builder .* found/i
const DEFAULT_BUILDER: Builder = { name: 'default', driver: 'docker' }

/** What picks buildx's builder besides the input: its config folder and BUILDX_BUILDER. */
interface BuildxChoice {
  /** The docker config folder whose buildx/current names the current builder. */
  configDir?: string
  env: NodeJS.ProcessEnv
  /** The system folders the docker CLI looks for plugins in (docker's own by default). */
  systemPluginDirs?: string[]
}

/**
 * buildx's rule for a builder's name; its file is named in lower case, its Name kept as created.
 */
const BUILDER_NAME = /^[a-zA-Z][a-zA-Z0-9._-]*$/

/** Drivers of the builders `buildx create` stores (docker/setup-buildx-action's among them). */
const CREATED_DRIVERS = new Set(['docker-container', 'remote', 'kubernetes'])

/**
 * A builder `buildx create` made, as its instances/<name> file records it (buildx looks there
 * first).
 */
function createdBuilder(buildxDir: string, name: string): Builder | undefined {
  if (!BUILDER_NAME.test(name)) return undefined
  const fileName = name.toLowerCase()
  try {
    const group = JSON.parse(
      readFileSync(join(buildxDir, 'instances', fileName), 'utf8')
    ) as { Name?: unknown; Driver?: unknown; Nodes?: unknown }
    if (
      typeof group.Name !== 'string' ||
      group.Name.toLowerCase() !== fileName ||
      typeof group.Driver !== 'string'
    )
      return undefined
    const nodes = Array.isArray(group.Nodes) ? (group.Nodes as unknown[]) : []
    const first = nodes[0] as { Name?: unknown } | null | undefined
    return CREATED_DRIVERS.has(group.Driver)
      ? {
          name: group.Name,
          driver: group.Driver,
          ...several(nodes.length),
          ...containerNode(group.Driver, first?.Name)
        }
      : undefined
  } catch {
    return undefined
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

/** The docker config, when docker would use the default context with it (readable). */
function defaultContextConfig(
  configDir: string,
  env: NodeJS.ProcessEnv
): DockerConfigFile | undefined {
  const config = readableDockerConfig(configDir)
  const context = env.DOCKER_CONTEXT || config?.currentContext || 'default'
  return context === 'default' ? config : undefined
}

/** The key buildx files its `current` choice under: the default context's docker host. */
function endpointKey(
  configDir: string,
  env: NodeJS.ProcessEnv
): string | undefined {
  if (defaultContextConfig(configDir, env) === undefined) return undefined
  if (env.DOCKER_HOST) return env.DOCKER_HOST
  // with TLS asked for, docker's default host is tcp://localhost:2376
  if (env.DOCKER_TLS_VERIFY || env.DOCKER_TLS) return undefined
  return process.platform === 'linux'
    ? 'unix:///var/run/docker.sock'
    : undefined
}

/** Whether buildx builds with the default context's own builder (the docker driver). */
function contextBuilderIsDefault(
  configDir: string,
  env: NodeJS.ProcessEnv,
  systemDirs: string[] | undefined
): boolean {
  // elsewhere the plugin's folders and file name differ: ask buildx
  if (process.platform !== 'linux' && systemDirs === undefined) return false
  const config = defaultContextConfig(configDir, env)
  if (config === undefined) return false
  return hasBuildxPlugin(configDir, config, systemDirs)
}

/**
 * The builder buildx would use, from its own files; undefined where only `buildx inspect` can tell.
 */
export function knownBuilder(
  name: string,
  { configDir, env, systemPluginDirs }: BuildxChoice
): Builder | undefined {
  if (configDir === undefined) return undefined
  const buildxDir = buildxStateDir(env, configDir)
  const named = name || env.BUILDX_BUILDER || ''
  if (named !== '') return createdBuilder(buildxDir, named)
  if (existsSync(join(buildxDir, 'current'))) {
    const current = readCurrentBuilder(buildxDir)
    if (typeof current?.Name !== 'string') return undefined
    if (current.Name !== '') {
      const key = endpointKey(configDir, env)
      const chosenHere =
        current.Global === true || (key !== undefined && current.Key === key)
      return chosenHere ? createdBuilder(buildxDir, current.Name) : undefined
    }
  }
  if (hasContextDefaults(buildxDir)) return undefined
  if (!contextBuilderIsDefault(configDir, env, systemPluginDirs))
    return undefined
  // buildx looks for a created builder of the context's name first (filed as "default")
  return existsSync(join(buildxDir, 'instances', DEFAULT_BUILDER.name))
    ? createdBuilder(buildxDir, DEFAULT_BUILDER.name)
    : DEFAULT_BUILDER
}

const CONTAINERD_STORE = /io\.containerd\.snapshotter/

/** The daemon's image store: asked over its local socket, else of `docker info`. */
async function imageStore(
  docker: DockerRunner,
  { configDir, env }: BuildxChoice
): Promise<'containerd' | 'classic'> {
  const socket = engineSocket(env, readableDockerConfig(configDir))
  const status =
    (socket === undefined
      ? undefined
      : (await engineInfo(socket))?.driverStatus) ??
    (
      await docker.run(['info', '--format', '{{json .DriverStatus}}'], {
        quiet: true
      })
    ).stdout
  return CONTAINERD_STORE.test(status) ? 'containerd' : 'classic'
}

/**
 * The builder named, or buildx's current one (classic without buildx), with its store when
 * `needsStore`.
 */
export async function detectBuilder(
  docker: DockerRunner,
  name: string,
  needsStore: boolean,
  buildxChoice: BuildxChoice
): Promise<Builder> {
  try {
    const builder =
      knownBuilder(name, buildxChoice) ??
      parseInspect(
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
        'no such builder: `docker buildx ls` lists them (docker/setup-buildx-action outputs its ' +
          'name)'
      )
    // loaded on a failure only
    const { diagnose } = await import('../docker/diagnose.js')
    throw diagnose(error)
  }
}
