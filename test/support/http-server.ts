/** A throwaway node:http server on 127.0.0.1 (random port) for tests. */
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'

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

/** A 127.0.0.1 port that nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = await startServer(() => undefined)
  await server.close()
  return Number(server.host.split(':')[1])
}
