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
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { isSha256Digest, isTag } from '../reference/grammar.js'
import type { RegistryEndpoint } from '../reference/repository.js'
import type { RegistryClient } from '../registry/client.js'
import type { RegistryResponse } from '../registry/http-fetch.js'
import {
  answerMissing,
  giveUpRequest,
  RELAY_HOST,
  startRelay
} from './relay-server.js'

/**
 * A started relay: the registry BuildKit's reads of it are relayed from, its `host`
 * (`127.0.0.1:port`: BuildKit reads `host/<repository>` in place of the registry's), what failed
 * first (from then on the relay holds nothing), told once, and its end.
 */
export type RegistryRelay = Awaited<ReturnType<typeof startRegistryRelay>>

/** A manifest or blob read, as BuildKit's resolver and fetcher ask them. */
const READ = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/

/** The headers of the registry's answer that BuildKit reads. */
const PASSED_ON = [
  'content-type',
  'content-length',
  'docker-content-digest',
  'etag'
]

/** What the relay knows: whose reads it makes, with what deadline, and the first fault. */
interface RelayState {
  client: RegistryClient
  endpoint: RegistryEndpoint
  idleMs: number
  failed?: string
}

interface Read {
  repository: string
  path: string
  method: 'GET' | 'HEAD'
}

/**
 * The read a request asks, where it is one of `repositories` by a tag or a digest (a blob by its
 * digest); undefined for anything else, which the registry is never asked.
 */
function readOf(
  req: IncomingMessage,
  repositories: Set<string>
): Read | undefined {
  const path = req.url ?? ''
  const read = READ.exec(path)
  if (!read || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined
  const [, repository, kind, reference] = read
  const named =
    isSha256Digest(reference) || (kind === 'manifests' && isTag(reference))
  if (!named || !repositories.has(repository)) return undefined
  return { repository, path, method: req.method }
}

/**
 * The registry's answer written to BuildKit as it streams: `moved` is told each move, and as
 * BuildKit takes bytes it was slow to take.
 */
async function passOn(
  response: RegistryResponse,
  stream: Readable,
  res: ServerResponse,
  method: Read['method'],
  moved: () => void
): Promise<void> {
  const headers = Object.fromEntries(
    PASSED_ON.flatMap(header => {
      const value = response.headers.get(header)
      return value === null ? [] : [[header, value]]
    })
  )
  res.writeHead(response.status, headers)
  if (method === 'HEAD') return void res.end()
  for await (const chunk of stream) {
    moved()
    if (!res.write(chunk)) await once(res, 'drain').then(moved)
  }
  res.end()
}

/**
 * The registry's answer to one read, passed on as it streams. Silence on the registry's side for
 * `idleMs` ends it (BuildKit reading slowly is not the registry's silence).
 */
async function passOnRead(
  req: IncomingMessage,
  res: ServerResponse,
  read: Read,
  state: RelayState
): Promise<void> {
  let body: Readable | undefined
  const upstream = new AbortController()
  const giveUp = giveUpRequest(
    state,
    `${read.method} ${read.path.split('/').slice(-2).join('/')}`,
    res,
    () => {
      upstream.abort()
      body?.destroy()
    },
    () => answerMissing(res)
  )
  // BuildKit slow to take the bytes (they wait on its drain) is no silence of the registry's
  const timer = setTimeout(() => {
    if (res.writableNeedDrain) timer.refresh()
    else giveUp()
  }, state.idleMs)
  const accept = req.headers.accept
  try {
    await state.client.relayRead(
      { ...state.endpoint, repository: read.repository },
      {
        method: read.method,
        path: read.path,
        signal: upstream.signal,
        ...(accept && { accept })
      },
      async (response, stream) => {
        body = stream
        if (res.writableEnded || res.destroyed) return void stream.destroy()
        if (response.status === 429 || response.status >= 500)
          return giveUp(`was answered ${response.status}`)
        await passOn(response, stream, res, read.method, () => timer.refresh())
      }
    )
  } catch (error) {
    if (!res.writableEnded) giveUp(error)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Starts the relay of `endpoint`'s `repositories` on loopback (no other repository, and no other
 * read than a manifest's or a blob's, goes through it), its reads made by `client`.
 */
export async function startRegistryRelay(
  endpoint: RegistryEndpoint,
  repositories: Set<string>,
  client: RegistryClient,
  idleMs: number
) {
  const state: RelayState = { client, endpoint, idleMs }
  const { port, ...relay } = await startRelay(RELAY_HOST, state, (req, res) => {
    if (req.url === '/v2/' || req.url === '/v2')
      return void res
        .writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' })
        .end('{}')
    const read = readOf(req, repositories)
    if (!read || state.failed) return void answerMissing(res)
    void passOnRead(req, res, read, state)
  })
  return {
    ...relay,
    registry: endpoint.registry,
    host: `${RELAY_HOST}:${port}`
  }
}
