import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { IncomingMessage } from 'node:http'
import { startServer } from '../support/http-server.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { runMain } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'

// SECURITY.md's threat model, run the way the runner runs the bundle: each
// case of issue 18 that an e2e run shows. The stranger is a loopback
// stand-in for a host that only a run's value (not the workflow) names.

let stack: StackEnv

interface Stranger {
  host: string
  /** Each request it received, with its Authorization header if any. */
  seen: { url: string; authorization?: string }[]
  close(): Promise<void>
}

/** A registry stand-in that asks every request for Basic credentials. */
async function startStranger(): Promise<Stranger> {
  const seen: Stranger['seen'] = []
  const server = await startServer((request: IncomingMessage, response) => {
    seen.push({
      url: request.url ?? '',
      authorization: request.headers.authorization
    })
    request.resume()
    response
      .writeHead(401, { 'WWW-Authenticate': 'Basic realm="stranger"' })
      .end()
  })
  return { host: server.host, seen, close: () => server.close() }
}

let stranger: Stranger
beforeAll(async () => {
  stack = stackEnv()
  stranger = await startStranger()
})
afterAll(() => stranger.close())

describe('credentials go only to the registries the inputs name', () => {
  const promoteFromStranger = (dryRun: boolean) =>
    runMain(
      {
        mode: 'promote',
        source: `${stranger.host}/app:1`,
        images: `${stack.b.host}/${uniqueRepo('promoted')}`,
        ...credentials(stack.b),
        'dry-run': String(dryRun)
      },
      runnerEnv('workflow-dispatch')
    )

  it("the dry run's plan logs in to the images' registry, not to the source's host", async () => {
    const run = await promoteFromStranger(true)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      new RegExp(`login +docker login ${stack.b.host} --username bob`)
    )
    expect(run.stdout).not.toContain(`login ${stranger.host}`)
  })

  it('a promotion source on another host is read without the credentials, and the failure says how to add a logins entry', async () => {
    const run = await promoteFromStranger(false)
    expect(run.code).toBe(1)
    expect(stranger.seen.length).toBeGreaterThan(0)
    expect(stranger.seen.filter(s => s.authorization)).toEqual([])
    expect(run.stdout).toContain(
      `add an entry to the logins input: "- registry: ${stranger.host}" with its username and password`
    )
  })
})
