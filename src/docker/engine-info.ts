/**
 * The engine's image store asked over its own API socket (GET /info, as
 * `docker info` does), so that learning it starts no docker process; only
 * where docker talks to a local unix socket. Anything else is undefined,
 * and the caller asks `docker info`.
 */
import { request } from 'node:http'
import type { DockerConfigFile } from './config-file.js'

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

/** The engine's `/info` answer's DriverStatus as text; undefined when it cannot be had. */
export function engineDriverStatus(
  socketPath: string
): Promise<string | undefined> {
  return new Promise(resolve => {
    const asked = request(
      { socketPath, path: '/info', method: 'GET', timeout: TIMEOUT_MS },
      response => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          if (response.statusCode !== 200) return resolve(undefined)
          try {
            const info = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              DriverStatus?: unknown
            }
            resolve(JSON.stringify(info.DriverStatus ?? null))
          } catch {
            resolve(undefined)
          }
        })
        response.on('error', () => resolve(undefined))
      }
    )
    asked.on('timeout', () => asked.destroy())
    asked.on('error', () => resolve(undefined))
    asked.end()
  })
}
