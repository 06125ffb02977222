/**
 * What the relays BuildKit reads through share (cache-relay.ts, registry-relay.ts): a server on an
 * address of this machine, its first fault told once, and its end.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Where a relay listens for dockerd's BuildKit, or a builder on the host network. */
export const RELAY_HOST = '127.0.0.1'

/**
 * The port `server` listens on at `host`; an address this machine does not hold (EADDRNOTAVAIL)
 * rejects, and never ends the process.
 */
export async function listening(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

/** What `tell` gives, told once: undefined when asked again, or before it gives anything. */
export function toldOnce<T>(tell: () => T | undefined): () => T | undefined {
  let told = false
  return () => {
    const news = tell()
    if (news === undefined || told) return undefined
    told = true
    return news
  }
}

/** The relay's first fault, told once: undefined when asked again, or before one. */
export const faultToldOnce = toldOnce<string>

/** The server closed, its connections ended (a relayed read in flight included). */
export const closed = (server: Server): Promise<void> =>
  new Promise<void>(resolve => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
