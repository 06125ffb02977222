/**
 * A registry's reads relayed on loopback with a deadline, for the cache imports of dockerd's
 * BuildKit on the containerd store. A registry read that hangs inside BuildKit's cache import holds
 * the whole BuildKit (no build of it starts, ours run again included), BuildKit bounds none, and no
 * fresh BuildKit is ours to start there. The relay ends such a read once it is silent for `idleMs`
 * and from then on answers as a registry that holds nothing, so the build goes on, or runs again,
 * without the cache. The action's own client reads the registry, with the run's credentials:
 * BuildKit asks the relay with none, in plain HTTP, which dockerd allows to loopback
 * (127.0.0.0/8 is an insecure registry by default). No library fits: the reads need the action's
 * credentials and a deadline on silence, not on the whole read (a large layer takes its time).
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import { errorMessage } from '../errors/input-error.js'
import type { RegistryEndpoint } from '../reference/repository.js'
import type { RegistryClient } from '../registry/client.js'
import { RELAY_HOST } from './cache-relay.js'

export interface RegistryRelay {
  /** The registry BuildKit's reads of it are relayed from. */
  registry: string
  /** `127.0.0.1:port`: BuildKit reads `host/<repository>` in place of the registry's. */
  host: string
  /** What failed first (from then on the relay holds nothing); told once. */
  takeFault(): string | undefined
  close(): Promise<void>
}

/** A manifest or blob read, as BuildKit's resolver and fetcher ask them. */
const READ = /^\/v2\/(.+)\/(manifests|blobs)\/([^/?]+)$/

/** The headers of the registry's answer that BuildKit reads. */
const PASSED_ON = [
  'content-type',
  'content-length',
  'docker-content-digest',
  'etag'
]

interface RelayState {
  failed?: string
  told: boolean
}

/** The registry's answer to one read, passed on as it streams; silence for `idleMs` ends it. */
async function relayRead(
  req: IncomingMessage,
  res: ServerResponse,
  read: { repository: string; path: string; method: 'GET' | 'HEAD' },
  relay: { client: RegistryClient; endpoint: RegistryEndpoint; idleMs: number },
  state: RelayState
): Promise<void> {
  let body: Readable | undefined
  let clientGone = false
  const name = `${read.method} ${read.path.split('/').slice(-2).join('/')}`
  const giveUp = (what: string) => {
    if (!clientGone) state.failed ??= `${name} ${what}`
    body?.destroy()
    if (res.headersSent) res.destroy()
    else res.writeHead(404).end()
  }
  res.on('close', () => {
    clientGone = !res.writableFinished
    body?.destroy()
  })
  const timer = setTimeout(
    () => giveUp(`got no answer for ${Math.round(relay.idleMs / 1000)} s`),
    relay.idleMs
  )
  const accept = req.headers.accept
  try {
    await relay.client.relayRead(
      { ...relay.endpoint, repository: read.repository },
      { method: read.method, path: read.path, ...(accept && { accept }) },
      async (response, stream) => {
        body = stream
        if (res.writableEnded || res.destroyed) return void stream.destroy()
        if (response.status === 429 || response.status >= 500)
          return giveUp(`was answered ${response.status}`)
        const headers = Object.fromEntries(
          PASSED_ON.flatMap(header => {
            const value = response.headers.get(header)
            return value === null ? [] : [[header, value]]
          })
        )
        res.writeHead(response.status, headers)
        if (read.method === 'HEAD') return void res.end()
        for await (const chunk of stream) {
          timer.refresh()
          if (!res.write(chunk)) await once(res, 'drain')
        }
        res.end()
      }
    )
  } catch (error) {
    if (!res.writableEnded) giveUp(`failed: ${errorMessage(error)}`)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Starts the relay of `endpoint`'s `repositories` (nothing else is read through it) on loopback,
 * its reads made by `client`.
 */
export async function startRegistryRelay(
  endpoint: RegistryEndpoint,
  repositories: Set<string>,
  client: RegistryClient,
  idleMs: number
): Promise<RegistryRelay> {
  const state: RelayState = { told: false }
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/v2/' || path === '/v2')
      return void res
        .writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' })
        .end('{}')
    const read = READ.exec(path)
    const method = req.method === 'HEAD' ? 'HEAD' : 'GET'
    if (
      !read ||
      !['GET', 'HEAD'].includes(req.method ?? '') ||
      !repositories.has(read[1]) ||
      state.failed !== undefined
    )
      return void res.writeHead(404).end()
    void relayRead(
      req,
      res,
      { repository: read[1], path, method },
      { client, endpoint, idleMs },
      state
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, RELAY_HOST, () => resolve())
  })
  server.unref()
  const { port } = server.address() as AddressInfo
  return {
    registry: endpoint.registry,
    host: `${RELAY_HOST}:${port}`,
    takeFault() {
      if (state.failed === undefined || state.told) return undefined
      state.told = true
      return state.failed
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
