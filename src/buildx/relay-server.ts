/**
 * What the relays BuildKit reads through share (cache-relay.ts, registry-relay.ts): a server on an
 * address of this machine, a relayed request given up, its first fault told once, and its end.
 */
import {
  createServer,
  type RequestListener,
  type ServerResponse
} from 'node:http'
import { errorMessage } from '../errors/input-error.js'
import { seconds } from '../settings/bounds.js'
import type { AddressInfo } from 'node:net'

/** Where a relay listens for dockerd's BuildKit, or a builder on the host network. */
export const RELAY_HOST = '127.0.0.1'

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

/**
 * How one relayed request is given up, for `why` (what it got, the error it failed with, or
 * nothing: silent for `relay.idleMs`): its fault (`name why`) kept first in `relay`, unless the
 * client went away first (a cancelled build is no fault), `upstream` ended and the client
 * answered by `answer`. The client going away, or the relay's end, ends `upstream` too.
 */
export function giveUpRequest(
  relay: { failed?: string; idleMs: number },
  name: string,
  res: ServerResponse,
  upstream: () => void,
  answer: () => void
): (why?: unknown) => void {
  let clientGone = false
  res.on('close', () => {
    if (res.writableFinished) return
    clientGone = true
    upstream()
  })
  return why => {
    const silent = `got no answer for ${seconds(relay.idleMs)}`
    const what = typeof why === 'string' ? why : `failed: ${errorMessage(why)}`
    if (!clientGone)
      relay.failed ??= `${name} ${why === undefined ? silent : what}`
    upstream()
    answer()
  }
}

/** A relay's answer of nothing: not found, or its stream cut where it has begun. */
export const answerMissing = (res: ServerResponse): unknown =>
  res.headersSent ? res.destroy() : res.writeHead(404).end()

/**
 * A relay started on `host`: its port, what failed first (`relay.failed`, from then on it holds
 * nothing) told once, and its end (its connections ended, a relayed read in flight included). It
 * holds the process up no more than its requests do.
 */
export async function startRelay(
  host: string,
  relay: { failed?: string },
  handle: RequestListener
) {
  const server = createServer(handle)
  // an address this machine does not hold (EADDRNOTAVAIL) rejects, and never ends the process
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.unref()
  return {
    port: (server.address() as AddressInfo).port,
    takeFault: toldOnce(() => relay.failed),
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
