/**
 * The engine's image store over its unix socket (GET /info), no docker process;
 * else the caller asks `docker info`. The daemon takes 20-40 ms to answer, so
 * the Action's entry asks first thing. Other GETs of its API go the same way.
 */
import { connect } from 'node:net'
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

const HEADER_END = '\r\n\r\n'

/** What a run reads of the engine's `/info`: its image store's DriverStatus as text, its name. */
export interface EngineInfo {
  driverStatus: string
  /** The engine's host name (`docker info`'s Name). */
  name: string | undefined
}

/**
 * The JSON object of an HTTP/1.0 answer; undefined unless a 200 with a JSON object (a part of an
 * answer that parses as another value, e.g. a chunk's size, is not one).
 */
function answerObject(answer: string): Record<string, unknown> | undefined {
  const headerEnd = answer.indexOf(HEADER_END)
  if (headerEnd < 0 || !/^HTTP\/1\.[01] 200[ \r]/.test(answer)) return undefined
  try {
    const body: unknown = JSON.parse(
      answer.slice(headerEnd + HEADER_END.length)
    )
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The engine's info from an HTTP/1.0 answer to GET /info (answerObject). */
export function engineInfoOf(answer: string): EngineInfo | undefined {
  const info = answerObject(answer)
  if (info === undefined) return undefined
  const { DriverStatus, Name } = info
  return {
    driverStatus: JSON.stringify(DriverStatus ?? null),
    name: typeof Name === 'string' ? Name : undefined
  }
}

/**
 * A GET of the engine's API in HTTP/1.0 by hand (node:http costs ~10 ms of a cold start); not
 * half-closed: the daemon takes that as the client gone. Settled by the first whole JSON object:
 * the daemon's answer has no length and ends as it closes, which node tells 2-3 ms after the last
 * bytes.
 */
function askEngine<T>(
  socketPath: string,
  path: string,
  read: (answer: string) => T | undefined
) {
  const socket = connect(socketPath)
  const status = new Promise<T | undefined>(resolve => {
    let answer = ''
    // what the answer so far tells, read once per piece: the close does not parse it again
    let told: T | undefined
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      answer += chunk
      told = read(answer)
      if (told === undefined) return
      resolve(told)
      // all it has to say is said: an engine that holds the connection open holds no one
      socket.destroy()
    })
    socket.on('error', () => resolve(undefined))
    socket.on('close', hadError => resolve(hadError ? undefined : told))
  })
  socket.setTimeout(TIMEOUT_MS, () => socket.destroy())
  // written once connected (node holds it until then), before `sent`
  socket.write(`GET ${path} HTTP/1.0\r\nHost: docker\r\n\r\n`)
  // settles once the request is on its way, or cannot be
  const sent = new Promise<void>(resolve => {
    socket.once('connect', resolve)
    socket.once('close', () => resolve())
  })
  return { socket, status, sent }
}

const askInfo = (socketPath: string) =>
  askEngine(socketPath, '/info', engineInfoOf)

/**
 * The engine's answer to GET `path` as a JSON object; undefined when it is not a 200 with one, or
 * cannot be had.
 */
export function engineObject(
  socketPath: string,
  path: string
): Promise<Record<string, unknown> | undefined> {
  return askEngine(socketPath, path, answerObject).status
}

/**
 * Whether buildx has a builder chosen (BUILDX_BUILDER, `buildx use`), which needs no image store: a
 * hint only (a docker driver's store is asked later).
 */
function buildxChoseBuilder(
  env: NodeJS.ProcessEnv,
  configDir: string
): boolean {
  if (env.BUILDX_BUILDER) return true
  const current = readCurrentBuilder(buildxStateDir(env, configDir))
  return typeof current?.Name === 'string' && current.Name !== ''
}

/**
 * Asked once per socket, by socket path: a run's engine keeps its store and name, so the builder's
 * detection and the relays' loopback check share one answer.
 */
const asked = new Map<string, Asking>()

/** A question to the engine; `awaited` once a caller waits for its answer. */
type Asking = ReturnType<typeof askInfo> & { awaited?: true }

/**
 * Asks the user's engine for /info without keeping node running for it; never
 * fails. Settles once sent: node connects only between turns of its event loop,
 * which later work would delay.
 */
export async function askEngineEarly(env: NodeJS.ProcessEnv): Promise<void> {
  let socket: string | undefined
  try {
    const configDir = userConfigDir(env)
    if (buildxChoseBuilder(env, configDir)) return
    socket = engineSocket(env, readableDockerConfig(configDir))
  } catch {
    // e.g. no home folder to find the docker config in
    return
  }
  if (socket === undefined || asked.has(socket)) return
  const asking: Asking = askInfo(socket)
  asked.set(socket, asking)
  await asking.sent
  // unless someone awaits it meanwhile, it keeps no process alive
  if (asking.awaited === undefined) asking.socket.unref()
}

/** The engine's `/info`, asked once per socket (early, or now); undefined when it cannot be had. */
export function engineInfo(
  socketPath: string
): Promise<EngineInfo | undefined> {
  let asking = asked.get(socketPath)
  if (asking === undefined) {
    asking = askInfo(socketPath)
    asked.set(socketPath, asking)
  }
  // now awaited: node runs until the answer comes (a socket closed on a whole answer has come)
  asking.awaited = true
  if (!asking.socket.destroyed) asking.socket.ref()
  return asking.status
}
