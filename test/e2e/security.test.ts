import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEvent } from '../fixtures/events.js'
import { startServer } from '../support/http-server.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { runTempDir } from './field-support.js'
import { parseFileCommands, ROOT, runMain, startMain } from './runner.js'
import {
  credentials,
  localCheckout,
  loginsFor,
  runnerEnv,
  uniqueRepo
} from './steps.js'

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
      new RegExp(`login +GET http://${stack.b.host}/v2/ as bob, `)
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

interface Payload {
  pull_request: { head: { ref: string } }
  repository: { description?: string }
}

/** pull_request_target from a fork whose head ref is `head` (the fixture's payload, edited). */
function forkPullRequestTarget(
  head: string,
  edit: (payload: Payload) => void = () => undefined
): Record<string, string> {
  const event = loadEvent('pull-request-target')
  const payload = event.payload as Payload
  payload.pull_request.head.ref = head
  edit(payload)
  const path = join(mkdtempSync(join(tmpdir(), 'dpa-event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return runnerEnv('pull-request-target', { GITHUB_EVENT_PATH: path })
}

describe('a fork never names a protected tag', () => {
  const image = 'ghcr.io/acme/webapp'

  it('a head ref named 1.2.3 with type=raw,value={{branch}} fails, naming the input, before any docker command', async () => {
    const run = await runMain(
      { images: image, tags: 'type=raw,value={{branch}}', 'dry-run': 'true' },
      forkPullRequestTarget('1.2.3')
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /::error::input "tags": invalid value "type=raw,value=\{\{branch\}\}": on this pull_request_target event it gives "1\.2\.3" from \{\{branch\}\}/
    )
    expect(run.stdout).not.toContain(`${image}:1.2.3`)
  })

  it('a per-PR branch image still plans', async () => {
    const run = await runMain(
      {
        images: image,
        tags: 'type=raw,value={{branch}}',
        'dry-run': 'true',
        context: 'test/fixtures/contexts/hello'
      },
      forkPullRequestTarget('feature/login')
    )
    expect(run.code).toBe(0)
    expect(run.outputs.tags).toBe(`${image}:feature-login`)
  })
})

describe('untrusted strings reach the log escaped', () => {
  it('a payload value with a line break starts no workflow command', async () => {
    const run = await runMain(
      {
        images: 'ghcr.io/acme/webapp',
        'dry-run': 'true',
        context: 'test/fixtures/contexts/hello'
      },
      forkPullRequestTarget('feature', payload => {
        payload.repository.description = 'Shop\n::warning::injected'
      })
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('injected')
    const commands = run.stdout
      .split(/\r\n|\r|\n/)
      .filter(line => /^\s*::warning::injected/.test(line))
    expect(commands).toEqual([])
  })
})

describe('build secret files are gone when the build step ends', () => {
  const inputs = (context: string) => ({
    images: `${stack.a.host}/${uniqueRepo('secret-files')}`,
    logins: loginsFor(stack.a),
    context: `test/fixtures/contexts/${context}`,
    secrets: 'NPM_TOKEN=secret-file-value-5f2e'
  })

  it('after a build that succeeded: gone while the run goes on to the registry', async () => {
    const env = runnerEnv('push-tag')
    const running = startMain(inputs('hello'), env)
    // the run folder as it is the moment main starts reading the registry
    const left = new Promise<string[]>(resolve => {
      running.child.stdout?.on('data', () => {
        if (!running.stdout().includes('::group::Read the registry')) return
        const state = parseFileCommands(
          readFileSync(join(running.dir, 'state'), 'utf8')
        )
        const dir = runTempDir({ state })
        resolve(existsSync(dir) ? readdirSync(dir) : ['(no run folder)'])
      })
    })
    const main = await running.result
    expect(main.code).toBe(0)
    const listing = await left
    expect(listing).not.toContain('(no run folder)')
    expect(listing).not.toContain('secrets')
    expect(existsSync(runTempDir(main))).toBe(false)
  })

  it('after a build that failed: gone with the run folder when main ends', async () => {
    const main = await runMain(inputs('broken'), runnerEnv('push-tag'))
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(/::error::the build failed/)
    expect(existsSync(runTempDir(main))).toBe(false)
  })
})

describe('the CLI reads secrets from the environment or files, never argv', () => {
  const cli = (cwd: string, env: Record<string, string>, ...args: string[]) =>
    execFileSync(process.execPath, [join(ROOT, 'dist/cli/index.js'), ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ...env }
    })

  it('logins from DOCKER_PUBLISH_LOGINS and secrets from --secrets-file plan a login and a build secret', () => {
    const dir = localCheckout()
    const secrets = join(dir, 'build-secrets')
    writeFileSync(secrets, 'NPM_TOKEN=cli-secret-value-91c3\n')
    const publication = cli(
      dir,
      {
        DOCKER_PUBLISH_LOGINS:
          '- registry: ghcr.io\n  username: octo\n  password: cli-password-77b1'
      },
      '--dry-run',
      '--images',
      'ghcr.io/acme/webapp',
      '--secrets-file',
      secrets
    )
    expect(publication).toMatch(
      /login +GET https:\/\/ghcr\.io\/v2\/ as octo, stored in this run's docker config/
    )
    expect(publication).toContain("--secret 'id=NPM_TOKEN,src=<file>'")
    expect(publication).not.toContain('cli-password-77b1')
    expect(publication).not.toContain('cli-secret-value-91c3')
  })
})
