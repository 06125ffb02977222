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
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'

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

/** The docker CLI (and buildx) a step uses: the stack's 26.1 (buildx 0.13), 28.5 (0.29), 29.4 (0.36). */
type Cli = '26.1' | '28.5' | '29.4'

/** How a step reaches an engine and which docker CLI and buildx it uses. */
interface EngineSetup {
  engine: Engine
  /** DOCKER_HOST for the step: unset on the default engine, as on a runner. */
  env: Record<string, string>
  /** The CLI first on PATH, and the buildx the step's DOCKER_CONFIG gets. */
  cli: Cli
}

/** Docker 29.4 + buildx 0.36 of ../shared/field29; the stack runs none without it. */
function field29() {
  const field = stackEnv().field29
  if (field === undefined)
    throw new Error('stack.sh up runs no Docker 29: no ../shared/field29')
  return field
}

/** Whether the stack runs Docker 29.4 (its rows are skipped where it does not). */
export const HAS_DOCKER_29 = stackEnv().field29 !== undefined

const ENGINES = {
  'docker 26.1 containerd': (): EngineSetup => ({
    engine: {
      host: socket(DEFAULT_DOCKER_HOST, 'the default docker 26.1 engine'),
      store: 'containerd'
    },
    env: {},
    cli: '26.1'
  }),
  'docker 26.1 classic': (): EngineSetup => {
    const host = socket(
      stackEnv().classicDockerHost,
      'the classic-store docker 26.1 engine'
    )
    return {
      engine: { host, store: 'classic' },
      env: { DOCKER_HOST: host },
      cli: '26.1'
    }
  },
  'docker 28.5 classic': (): EngineSetup => {
    const what = 'the classic-store docker 28.5 engine'
    const host = socket(stackEnv().field.classicDockerHost, what)
    return {
      engine: { host, store: 'classic' },
      env: { DOCKER_HOST: host },
      cli: '28.5'
    }
  },
  'docker 28.5 containerd': (): EngineSetup => {
    const what = 'the containerd-store docker 28.5 engine'
    const host = socket(stackEnv().field.containerdDockerHost, what)
    return {
      engine: { host, store: 'containerd' },
      env: { DOCKER_HOST: host },
      cli: '28.5'
    }
  },
  'docker 29.4 classic': (): EngineSetup => {
    const what = 'the classic-store docker 29.4 engine'
    const host = socket(field29().classicDockerHost, what)
    return {
      engine: { host, store: 'classic' },
      env: { DOCKER_HOST: host },
      cli: '29.4'
    }
  },
  'docker 29.4 containerd': (): EngineSetup => {
    const what = 'the docker 29.4 engine (its default, the containerd store)'
    const host = socket(field29().containerdDockerHost, what)
    return {
      engine: { host, store: 'containerd' },
      env: { DOCKER_HOST: host },
      cli: '29.4'
    }
  }
} as const

type EngineName = keyof typeof ENGINES

/** The folders of a field CLI: `docker` (bin) and its buildx (cliPlugins). */
function fieldCli(cli: Exclude<Cli, '26.1'>) {
  return cli === '28.5' ? stackEnv().field : field29()
}

/** PATH with the engine's own CLI first (the stack's 26.1 is on PATH already). */
function cliPath(cli: Cli): Record<string, string> {
  if (cli === '26.1') return {}
  const bin = fieldCli(cli).bin
  present(join(bin, 'docker'), `docker ${cli}'s CLI`)
  return { PATH: `${bin}:${process.env.PATH ?? ''}` }
}

/**
 * The CLI's buildx (0.29 for 28.5 and the stack's own engines, 0.36 for 29.4) as
 * setup-buildx-action installs it: `<DOCKER_CONFIG>/cli-plugins/docker-buildx`.
 */
function installFieldBuildx(dockerConfig: string, cli: Cli = '28.5'): void {
  const field = fieldCli(cli === '26.1' ? '28.5' : cli)
  const plugin = present(
    join(field.cliPlugins, 'docker-buildx'),
    `docker ${cli}'s buildx`
  )
  mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true })
  symlinkSync(plugin, join(dockerConfig, 'cli-plugins', 'docker-buildx'))
}

/** A field CLI first on PATH and its buildx in `dockerConfig`, for an engine of that version. */
export function fieldCliEnv(
  dockerConfig: string,
  cli: '28.5' | '29.4' = '28.5'
): Record<string, string> {
  installFieldBuildx(dockerConfig, cli)
  return cliPath(cli)
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
      if (setup.cli !== '26.1') installFieldBuildx(dockerConfig, setup.cli)
      const env = { ...setup.env, ...cliPath(setup.cli) }
      return { env, inputs: {}, engine: setup.engine, builder: 'default' }
    }
  }
}

/**
 * A builder `buildx create` made in the stack's buildx state (DPA_BUILDX_CONFIG),
 * used through the `builder` input with buildx 0.29 (setup-buildx-action's; 0.36
 * on 29.4, the runner's own);
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
      installFieldBuildx(dockerConfig, setup.cli)
      const env = {
        ...setup.env,
        ...cliPath(setup.cli),
        BUILDX_CONFIG: config
      }
      return { env, inputs: { builder }, engine: setup.engine, builder }
    }
  }
}

/**
 * Docker 29.4's rows: GitHub's ubuntu-latest (its default, the containerd store,
 * and the classic store), and a docker-container builder made by its buildx 0.36.
 */
const DOCKER_29_ROWS: StackBuilder[] = [
  dockerDriver('docker 29.4 containerd store', 'docker 29.4 containerd', true),
  dockerDriver('docker 29.4 classic store', 'docker 29.4 classic', false),
  namedBuilder(
    'docker-container on 29.4 containerd',
    'dpa-container-29-containerd',
    'docker 29.4 containerd'
  )
]

/**
 * Docker 28.5's containerd store: no runner runs it (ubuntu-24.04 is 28 on the
 * classic store, ubuntu-latest 29 on the containerd store), so its rows stand in
 * for 29.4's only where the stack runs no 29; builderNamed finds them always.
 */
const DOCKER_28_CONTAINERD_ROWS: StackBuilder[] = [
  dockerDriver('docker 28.5 containerd store', 'docker 28.5 containerd', true),
  namedBuilder(
    'docker-container on 28.5 containerd',
    'dpa-container-28-containerd',
    'docker 28.5 containerd'
  )
]

/** Every builder and engine of the stack, the matrix's rows. */
export const BUILDERS: StackBuilder[] = [
  dockerDriver('docker 26.1 containerd store', 'docker 26.1 containerd', true),
  dockerDriver('docker 26.1 classic store', 'docker 26.1 classic', false),
  dockerDriver('docker 28.5 classic store', 'docker 28.5 classic', false),
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
  ...(HAS_DOCKER_29 ? DOCKER_29_ROWS : DOCKER_28_CONTAINERD_ROWS),
  namedBuilder('remote unix', 'dpa-remote', 'docker 26.1 containerd'),
  namedBuilder('remote tcp+mTLS', 'dpa-remote-tls', 'docker 26.1 containerd'),
  namedBuilder('two nodes', 'dpa-two-node', 'docker 26.1 containerd', {
    'linux/amd64': 'dpa-two-node0',
    'linux/arm64': 'dpa-two-node1'
  })
]

/**
 * The containerd store's docker driver of today's runner (ubuntu-latest: 29.4), and
 * a docker-container builder on it; 28.5's where the stack runs no 29.
 */
export const RUNNER_CONTAINERD = HAS_DOCKER_29
  ? 'docker 29.4 containerd store'
  : 'docker 28.5 containerd store'
export const RUNNER_CONTAINER = HAS_DOCKER_29
  ? 'docker-container on 29.4 containerd'
  : 'docker-container on 28.5 containerd'
/** 29.4's classic store, beside 28.5's in the rows of a stock runner (none without 29). */
export const DOCKER_29_CLASSIC: string[] = HAS_DOCKER_29
  ? ['docker 29.4 classic store']
  : []

/** The stack's builder of that name; a name the stack lacks fails the test. */
export function builderNamed(name: string): StackBuilder {
  const found = [...BUILDERS, ...DOCKER_28_CONTAINERD_ROWS].find(
    b => b.name === name
  )
  if (found === undefined) throw new Error(`no builder ${name} in the stack`)
  return found
}
