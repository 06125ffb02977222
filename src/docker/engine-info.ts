/**
 * The engine's image store asked over its own API socket (GET /info, as
 * `docker info` does), so that learning it starts no docker process; only
 * where docker talks to a local unix socket. Anything else is undefined,
 * and the caller asks `docker info`.
 *
 * The daemon takes 20-40 ms to answer /info (it runs runc and docker-init
 * for their versions), so the Action's entry asks it first thing
 * (`askEngineEarly`), and the answer comes while node compiles the rest.
 */
import { connect, type Socket } from 'node:net'
import type { DockerConfigFile } from './config-file.js'
import { readableDockerConfig, userConfigDir } from './config.js'
import { buildxStateDir, readCurrentBuilder } from './buildx-files.js'

const DEFAULT_SOCKET = '/var/run/docker.sock'
const TIMEOUT_MS = 5_000

/** The unix socket docker would use, when it is one and no context says otherwise. */
export function engineSocket(
  env: NodeJS.ProcessEnv,
  config: DockerConfigFile | undefined
): string | undefined {
  const context = env.DOCKER_CONTEXT || config?.currentContext || 'default'
  if (context !== 'default') return undefined
  const host = env.DOCKER_HOST ?? ''
  if (host === '')
    return process.platform === 'linux' ? DEFAULT_SOCKET : undefined
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined
}

/** The socket for the user's docker config folder, if any. */
export function userEngineSocket(
  env: NodeJS.ProcessEnv,
  configDir: string | undefined
): string | undefined {
  return engineSocket(env, readableDockerConfig(configDir))
}

const HEADER_END = '\r\n\r\n'

/** DriverStatus as text from an HTTP/1.0 answer to GET /info; undefined unless a 200 with JSON. */
export function driverStatusOf(answer: string): string | undefined {
  const headerEnd = answer.indexOf(HEADER_END)
  if (headerEnd < 0 || !/^HTTP\/1\.[01] 200[ \r]/.test(answer)) return undefined
  try {
    const info = JSON.parse(answer.slice(headerEnd + HEADER_END.length)) as {
      DriverStatus?: unknown
    }
    return JSON.stringify(info.DriverStatus ?? null)
  } catch {
    return undefined
  }
}

interface Asking {
  socket: Socket
  status: Promise<string | undefined>
  /** Settles once the request is on its way, or cannot be. */
  sent: Promise<void>
}

/**
 * GET /info over the socket. node:http costs about 10 ms of a cold start to
 * load and to make its first request; HTTP/1.0 needs none of it (the daemon
 * answers without chunks and closes), so the request is written here. The
 * request is not half-closed: the daemon takes that as the client gone.
 */
function askInfo(socketPath: string): Asking {
  const socket = connect(socketPath)
  const status = new Promise<string | undefined>(resolve => {
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => resolve(undefined))
    socket.on('close', hadError =>
      resolve(
        hadError
          ? undefined
          : driverStatusOf(Buffer.concat(chunks).toString('utf8'))
      )
    )
  })
  socket.setTimeout(TIMEOUT_MS, () => socket.destroy())
  // written once connected (node holds it until then), before `sent`
  socket.write('GET /info HTTP/1.0\r\nHost: docker\r\n\r\n')
  const sent = new Promise<void>(resolve => {
    socket.once('connect', resolve)
    socket.once('close', () => resolve())
  })
  return { socket, status, sent }
}

/**
 * Whether buildx has a builder of its own chosen: named by BUILDX_BUILDER
 * or by `buildx use` in its `current` file (setup-buildx-action's builder).
 * Such a builder (docker-container, remote) needs no image store, so asking
 * the engine early would only take CPU from the start (7% of a dry run's
 * time here). A hint only: where the choice turns out to be the docker
 * driver after all (BUILDX_BUILDER=default, a choice for another engine),
 * the run asks for the store when it needs it, a little later.
 */
function buildxChoseBuilder(
  env: NodeJS.ProcessEnv,
  configDir: string
): boolean {
  if (env.BUILDX_BUILDER) return true
  const current = readCurrentBuilder(buildxStateDir(env, configDir))
  return typeof current?.Name === 'string' && current.Name !== ''
}

/** Asked before anyone waits for it, by socket path. */
const early = new Map<string, Asking>()

/**
 * Asks the engine of the user's docker config for /info, without keeping
 * node running for it: a run that does not need the image store ends
 * without waiting. A read: asking it changes nothing, and it never fails
 * (whatever goes wrong here, the run finds and reports itself). Settles
 * once the request is sent: node connects a socket only between two turns
 * of its event loop, so work started before then would hold it back.
 */
export function askEngineEarly(env: NodeJS.ProcessEnv): Promise<void> {
  let socket: string | undefined
  try {
    const configDir = userConfigDir(env)
    if (buildxChoseBuilder(env, configDir)) return Promise.resolve()
    socket = userEngineSocket(env, configDir)
  } catch {
    // e.g. no home folder to find the docker config in
    return Promise.resolve()
  }
  if (socket === undefined || early.has(socket)) return Promise.resolve()
  const asking = askInfo(socket)
  early.set(socket, asking)
  return asking.sent.then(() => {
    if (early.get(socket) === asking) asking.socket.unref()
  })
}

/** The engine's `/info` answer's DriverStatus as text; undefined when it cannot be had. */
export function engineDriverStatus(
  socketPath: string
): Promise<string | undefined> {
  const asked = early.get(socketPath)
  if (asked === undefined) return askInfo(socketPath).status
  early.delete(socketPath)
  // now awaited: node runs until the answer comes
  asked.socket.ref()
  return asked.status
}
