/**
 * The stack's builders and engines (scripts/stack/stack.sh), one table: what
 * each is called in a test's title, what it can build, and what a step needs
 * to use it (env for runMain, inputs). A builder whose part of the stack is
 * missing (an engine's socket, the 28.5 CLI, buildx 0.29, a builder in
 * buildx's state) is not skipped: its use() throws, naming what `stack.sh up`
 * did not bring up, so each of its tests fails saying so. (A variable
 * missing from `stack.sh env` fails stackEnv(), so every test.)
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { stackEnv } from './stack-env.js'

/** The default engine's socket (docker 26.1, containerd image store). */
const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'

/** An engine a loaded image lands in. */
export interface Engine {
  /** DOCKER_HOST that reaches it (`docker -H`). */
  host: string
  /** Its image store: containerd (snapshotter on) or classic (graph driver). */
  store: 'containerd' | 'classic'
}

/** What one step needs to run on a builder. */
interface BuilderUse {
  /** Added to the runner env of the step. */
  env: Record<string, string>
  /** Added to the step's inputs. */
  inputs: Record<string, string>
  /** Where `load: true` puts the image. */
  engine: Engine
  /** The builder buildx names in a build's metadata (`buildx.build.ref`). */
  builder: string
}

export interface StackBuilder {
  /** Short, in the test's title. */
  name: string
  /** Builds several platforms in one build (the classic store's docker driver does not). */
  multiPlatform: boolean
  /** A builder of several nodes: the node buildx sends each platform to. */
  nodes?: Record<string, string>
  /**
   * The env and inputs of a step on this builder; `dockerConfig` is the
   * step's own DOCKER_CONFIG (buildx 0.29 goes into its cli-plugins, as
   * setup-buildx-action installs it). Throws when the stack lacks a part.
   */
  use(dockerConfig: string): BuilderUse
}

/** A file or socket the stack should have made, else `stack.sh up did not bring up <what>`. */
function present(path: string, what: string): string {
  if (!existsSync(path))
    throw new Error(`stack.sh up did not bring up ${what}: no ${path}`)
  return path
}

/** A unix DOCKER_HOST whose socket is there. */
function socket(host: string, what: string): string {
  if (host.startsWith('unix://')) present(host.slice('unix://'.length), what)
  return host
}

/** How a step reaches an engine and which docker CLI and buildx it uses. */
interface EngineSetup {
  engine: Engine
  /** DOCKER_HOST for the step: unset on the default engine, as on a runner. */
  env: Record<string, string>
  /** docker 28.5's CLI first on PATH. */
  field: boolean
}

const ENGINES = {
  'docker 26.1 containerd': (): EngineSetup => ({
    engine: {
      host: socket(DEFAULT_DOCKER_HOST, 'the default docker 26.1 engine'),
      store: 'containerd'
    },
    env: {},
    field: false
  }),
  'docker 26.1 classic': (): EngineSetup => {
    const host = socket(
      stackEnv().classicDockerHost,
      'the classic-store docker 26.1 engine'
    )
    return {
      engine: { host, store: 'classic' },
      env: { DOCKER_HOST: host },
      field: false
    }
  },
  'docker 28.5 classic': (): EngineSetup => {
    const what = 'the classic-store docker 28.5 engine'
    const host = socket(stackEnv().field.classicDockerHost, what)
    return {
      engine: { host, store: 'classic' },
      env: { DOCKER_HOST: host },
      field: true
    }
  },
  'docker 28.5 containerd': (): EngineSetup => {
    const what = 'the containerd-store docker 28.5 engine'
    const host = socket(stackEnv().field.containerdDockerHost, what)
    return {
      engine: { host, store: 'containerd' },
      env: { DOCKER_HOST: host },
      field: true
    }
  }
} as const

type EngineName = keyof typeof ENGINES

/** PATH with docker 28.5's CLI first, for the engines that need it. */
function cliPath(field: boolean): Record<string, string> {
  if (!field) return {}
  const bin = stackEnv().field.bin
  present(join(bin, 'docker'), "docker 28.5's CLI")
  return { PATH: `${bin}:${process.env.PATH ?? ''}` }
}

/** buildx 0.29 as setup-buildx-action installs it: `<DOCKER_CONFIG>/cli-plugins/docker-buildx`. */
function installFieldBuildx(dockerConfig: string): void {
  const plugin = present(
    join(stackEnv().field.cliPlugins, 'docker-buildx'),
    'buildx 0.29'
  )
  mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true })
  symlinkSync(plugin, join(dockerConfig, 'cli-plugins', 'docker-buildx'))
}

/** docker 28.5's CLI first on PATH and buildx 0.29 in `dockerConfig`, for an engine of 28.5. */
export function fieldCliEnv(dockerConfig: string): Record<string, string> {
  installFieldBuildx(dockerConfig)
  return cliPath(true)
}

/** The docker driver of an engine's default builder, with that engine's CLI and buildx. */
function dockerDriver(
  name: string,
  engine: EngineName,
  multiPlatform: boolean
): StackBuilder {
  return {
    name,
    multiPlatform,
    use(dockerConfig) {
      const setup = ENGINES[engine]()
      if (setup.field) installFieldBuildx(dockerConfig)
      const env = { ...setup.env, ...cliPath(setup.field) }
      return { env, inputs: {}, engine: setup.engine, builder: 'default' }
    }
  }
}

/**
 * A builder `buildx create` made in the stack's buildx state (DPA_BUILDX_CONFIG),
 * used through the `builder` input with buildx 0.29 (setup-buildx-action's);
 * `engine` is the one the step's docker talks to, where `load` lands.
 */
function namedBuilder(
  name: string,
  builder: string,
  engine: EngineName,
  nodes?: Record<string, string>
): StackBuilder {
  return {
    name,
    multiPlatform: true,
    ...(nodes && { nodes }),
    use(dockerConfig) {
      const setup = ENGINES[engine]()
      const config = stackEnv().buildkit.buildxConfig
      present(
        join(config, 'instances', builder),
        `the buildx builder ${builder}`
      )
      installFieldBuildx(dockerConfig)
      const env = {
        ...setup.env,
        ...cliPath(setup.field),
        BUILDX_CONFIG: config
      }
      return { env, inputs: { builder }, engine: setup.engine, builder }
    }
  }
}

/** Every builder and engine of the stack, the matrix's rows. */
export const BUILDERS: StackBuilder[] = [
  dockerDriver('docker 26.1 containerd store', 'docker 26.1 containerd', true),
  dockerDriver('docker 26.1 classic store', 'docker 26.1 classic', false),
  dockerDriver('docker 28.5 classic store', 'docker 28.5 classic', false),
  dockerDriver('docker 28.5 containerd store', 'docker 28.5 containerd', true),
  namedBuilder(
    'docker-container on 26.1 containerd',
    'dpa-container-26',
    'docker 26.1 containerd'
  ),
  namedBuilder(
    'docker-container on 26.1 classic',
    'dpa-container-26-classic',
    'docker 26.1 classic'
  ),
  namedBuilder(
    'docker-container on 28.5 classic',
    'dpa-container-28-classic',
    'docker 28.5 classic'
  ),
  namedBuilder(
    'docker-container on 28.5 containerd',
    'dpa-container-28-containerd',
    'docker 28.5 containerd'
  ),
  namedBuilder('remote unix', 'dpa-remote', 'docker 26.1 containerd'),
  namedBuilder('remote tcp+mTLS', 'dpa-remote-tls', 'docker 26.1 containerd'),
  namedBuilder('two nodes', 'dpa-two-node', 'docker 26.1 containerd', {
    'linux/amd64': 'dpa-two-node0',
    'linux/arm64': 'dpa-two-node1'
  })
]

/** The stack's builder of that name; a name the stack lacks fails the test. */
export function builderNamed(name: string): StackBuilder {
  const found = BUILDERS.find(b => b.name === name)
  if (found === undefined) throw new Error(`no builder ${name} in the stack`)
  return found
}
