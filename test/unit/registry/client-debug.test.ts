import { afterEach, describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { createRegistryClient } from '../../../src/registry/client.js'
import {
  startServer,
  unusedPort,
  type TestServer
} from '../../support/http-server.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

function client(lines: string[]) {
  return createRegistryClient({
    credentials: () => undefined,
    retries: 0,
    sleep: () => Promise.resolve(),
    debug: line => lines.push(line)
  })
}

describe('the registry client tells the debug callback each request', () => {
  it('method, URL and status', async () => {
    server = await startServer((req, res) => {
      if (req.url?.endsWith('/tags/list')) {
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end('{"tags":["1.2.3"]}')
      } else res.writeHead(404).end()
    })
    const lines: string[] = []
    await client(lines).listTags(parseImageName(`${server.host}/o/app`))
    await client(lines).getDigest(
      parseImageName(`${server.host}/o/app`),
      '1.2.3'
    )
    expect(lines).toEqual([
      `GET http://${server.host}/v2/o/app/tags/list 200`,
      `HEAD http://${server.host}/v2/o/app/manifests/1.2.3 404`
    ])
  })

  it('a request that got no answer', async () => {
    const host = `127.0.0.1:${await unusedPort()}`
    const lines: string[] = []
    await expect(client(lines).ping(host)).rejects.toThrow(host)
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^GET http://${host.replace(/\./g, '\\.')}/v2/ failed: `)
      )
    ])
  })
})
