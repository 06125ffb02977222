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
import { lineAttributes } from '../csv/csv.js'
import { isSha256Digest, isTag } from '../reference/grammar.js'
import { parseImageReference } from '../reference/images.js'
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

/**
 * The run's registry relays: one per registry its builds' cache reads, started when a build first
 * reads it, and the relays' hosts named back as their registries in what the log and the summary
 * say.
 */
export type RegistryRelays = ReturnType<typeof registryRelays>

/** The relays started, by registry, with the repositories each may read. */
type Started = Map<
  string,
  { relay: Promise<RegistryRelay>; repositories: Set<string> }
>

/**
 * The registry ref a cache-from line reads (`type=registry,ref=…`, or a bare reference), as the
 * registry client reads it; undefined for none, or one it cannot read (buildx reads it).
 */
function registryRef(line: string) {
  // a bare reference is no list of attributes
  const attributes = line.includes('=') ? lineAttributes(line) : undefined
  const ref =
    attributes === undefined
      ? line
      : attributes.get('type') === 'registry'
        ? attributes.get('ref')
        : undefined
  try {
    return ref === undefined
      ? undefined
      : { ref, ...parseImageReference(ref, 'cache-from') }
  } catch {
    return undefined
  }
}

/**
 * `line` read through its registry's relay (started, reading through `client`, where there is none
 * yet) as `read` names it; as it is where it reads no registry, or its relay could not start.
 */
async function relayedThrough(
  started: Started,
  line: string,
  read: ReturnType<typeof registryRef>,
  client: RegistryClient,
  idleMs: number
): Promise<string> {
  if (read === undefined) return line
  const { ref, image, reference } = read
  const known = started.get(image.registry)
  const repositories = known?.repositories ?? new Set<string>()
  repositories.add(image.repository)
  const relay =
    known?.relay ?? startRegistryRelay(image, repositories, client, idleMs)
  started.set(image.registry, { relay, repositories })
  const separator = reference.startsWith('sha256:') ? '@' : ':'
  return relay.then(
    ({ host }) =>
      line.replace(ref, `${host}/${image.repository}${separator}${reference}`),
    () => line
  )
}

/** `reachable`: whether BuildKit shares this loopback; where it does not, no line is relayed. */
export function registryRelays(
  client: RegistryClient,
  idleMs: number,
  reachable: () => Promise<boolean>
) {
  const started: Started = new Map()
  /** The relays that started (one that cannot start leaves its lines as they are). */
  const all = async () =>
    (await Promise.allSettled([...started.values()].map(s => s.relay))).flatMap(
      result => (result.status === 'fulfilled' ? [result.value] : [])
    )
  let ready: RegistryRelay[] = []

  return {
    /** The build's argv with its `type=registry` cache-from lines read through a relay. */
    async relayed(argv: string[]): Promise<string[]> {
      const reads = argv.map((arg, at) =>
        argv[at - 1] === '--cache-from' ? registryRef(arg) : undefined
      )
      // asked only of a build that reads a registry cache: `reachable` asks the engine
      if (!reads.some(Boolean) || !(await reachable())) return argv
      const lines = await Promise.all(
        argv.map((arg, at) =>
          relayedThrough(started, arg, reads[at], client, idleMs)
        )
      )
      ready = await all()
      return lines
    },
    /** `text` with each relay's host named as the registry it relays. */
    named: (text: string) =>
      ready.reduce(
        (named, relay) => named.replaceAll(relay.host, relay.registry),
        text
      ),
    /** The relays' hosts, as BuildKit's errors name them. */
    hosts: () => ready.map(relay => relay.host),
    /** What failed first on each relay that failed since last asked. */
    takeFaults: () =>
      ready.flatMap(relay => {
        const fault = relay.takeFault()
        return fault === undefined ? [] : [`${relay.registry}: ${fault}`]
      }),
    close: async () => {
      await Promise.all((await all()).map(relay => relay.close()))
    }
  }
}
