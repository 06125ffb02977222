/** A throwaway node:http server on 127.0.0.1 (random port) for tests. */
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo, Server } from 'node:net'

export interface TestServer {
  /** host:port, e.g. 127.0.0.1:40123 */
  host: string
  close(): Promise<void>
}

export async function startServer(
  handler: RequestListener
): Promise<TestServer> {
  const server = createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/**
 * Listens on `host:port`, or fails in one line naming it (a port already taken would otherwise
 * leave the caller waiting until its hook's timeout).
 */
export function listening(
  server: Server,
  port: number,
  host = '127.0.0.1'
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `a stand-in cannot listen on ${host}:${port}: ${error.code ?? error.message}` +
            (error.code === 'EADDRINUSE' ? ' (another process holds it)' : '')
        )
      )
    server.once('error', refused)
    server.listen(port, host, () => {
      server.off('error', refused)
      resolve()
    })
  })
}

/** A 127.0.0.1 port that nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = await startServer(() => undefined)
  await server.close()
  return Number(server.host.split(':')[1])
}
