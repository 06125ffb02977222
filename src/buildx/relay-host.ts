/**
 * Where a builder's BuildKit reaches a server of this process (the cache relay): loopback where
 * it shares this machine's network, the bridge's gateway where its container is on a docker
 * bridge, as docker/setup-buildx-action's builder is.
 */
import { hostname, networkInterfaces } from 'node:os'
import { engineInfo, engineObject } from '../docker/engine-info.js'
import type { DockerRunner } from '../docker/runner.js'
import { nodeContainerName, type Builder } from '../plan/builder.js'
import { RELAY_HOST } from './relay-server.js'
import { isUserContainerNode, nodeContainer } from './node-container.js'

/**
 * The address a container reaches this machine on, from `docker container inspect`'s
 * `.NetworkSettings.Networks`: loopback on the host network, else its first network's gateway
 * (IPv4) that is one of `localAddresses` (in a job container, or on a macvlan network, the
 * gateway is another machine's); undefined where there is none.
 */
export function hostAddressFrom(
  networks: unknown,
  localAddresses: string[]
): string | undefined {
  if (typeof networks !== 'object' || networks === null) return undefined
  if ('host' in networks) return RELAY_HOST
  for (const network of Object.values(networks) as unknown[]) {
    const gateway = (network as { Gateway?: unknown } | null)?.Gateway
    if (typeof gateway === 'string' && localAddresses.includes(gateway))
      return gateway
  }
  return undefined
}

/** This machine's IPv4 addresses, as it can listen on them. */
const localIPv4Addresses = (): string[] =>
  Object.values(networkInterfaces())
    .flat()
    .flatMap(address => (address?.family === 'IPv4' ? [address.address] : []))

/**
 * Whether dockerd shares this process's loopback: its host name is this machine's. In a job
 * container (`container:`) it is the host's, and 127.0.0.1 there is not dockerd's; a container on
 * the host network, or one that runs its own dockerd (this repository's CI), has the same name.
 */
export async function sharesLoopback(
  docker: DockerRunner,
  socket: string | undefined
): Promise<boolean> {
  // the engine's /info, asked as the run started, else a docker process (0.2-0.5 s)
  const name =
    (socket === undefined ? undefined : (await engineInfo(socket))?.name) ??
    (
      await docker.run(['info', '--format', '{{.Name}}'], { quiet: true })
    ).stdout.trim()
  return name === hostname()
}

/**
 * The relay's host for `builder`, or undefined where nothing tells one: several nodes, a remote
 * endpoint, a container this engine does not run (its node is on another), loopback that is not
 * dockerd's.
 */
export async function relayHostFor(
  docker: DockerRunner,
  builder: Builder,
  socket: string | undefined
): Promise<string | undefined> {
  try {
    const host = await builderHost(docker, builder, socket)
    if (host !== RELAY_HOST) return host
    return (await sharesLoopback(docker, socket)) ? host : undefined
  } catch {
    return undefined
  }
}

/**
 * The networks of the builder's node container, asked of the engine's API where the node's name
 * is known and its container runs (no docker process: the two below took 0.35 s); else
 * undefined.
 */
async function runningNodeNetworks(
  builder: Builder,
  socket: string | undefined
): Promise<unknown> {
  if (builder.node === undefined || socket === undefined) return undefined
  const name = encodeURIComponent(nodeContainerName(builder.node))
  const container = await engineObject(socket, `/containers/${name}/json`)
  const { State, NetworkSettings } = (container ?? {}) as {
    State?: { Running?: unknown } | null
    NetworkSettings?: { Networks?: unknown } | null
  }
  return State?.Running === true ? NetworkSettings?.Networks : undefined
}

async function builderHost(
  docker: DockerRunner,
  builder: Builder,
  socket: string | undefined
): Promise<string | undefined> {
  // dockerd's BuildKit, and the run's own builder (on the host network where it reads a service)
  if (builder.driver === 'docker' || builder.own?.driver === 'docker-container')
    return RELAY_HOST
  if (!isUserContainerNode(builder)) return undefined
  const running = await runningNodeNetworks(builder, socket)
  if (running !== undefined)
    return hostAddressFrom(running, localIPv4Addresses())
  // started, as the build would start it: a stopped container has no gateway yet
  const container = await nodeContainer(docker, builder.name, {
    bootstrap: true
  })
  if (container === undefined) return undefined
  const format = '{{json .NetworkSettings.Networks}}'
  const networks = await docker.run(
    ['container', 'inspect', '--format', format, container],
    { quiet: true }
  )
  return hostAddressFrom(JSON.parse(networks.stdout), localIPv4Addresses())
}
