/**
 * The run's registry relays (buildx/registry-relay.ts): one per registry its builds' cache reads,
 * started when a build first reads it, and the relays' hosts named back as their registries in
 * what the log and the summary say.
 */
import {
  startRegistryRelay,
  type RegistryRelay
} from '../buildx/registry-relay.js'
import { lineAttributes } from '../csv/csv.js'
import { parseImageReference } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'

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
