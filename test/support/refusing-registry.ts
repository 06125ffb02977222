/**
 * A registry that refuses deletes, as distribution does by default and GHCR
 * does over the registry API: the stack's distribution binary
 * (/usr/bin/docker-registry, the one scripts/stack/stack.sh runs) started
 * on a free 127.0.0.1 port with htpasswd auth and no `storage.delete`, its
 * storage in a folder of its own, stopped (and the folder removed) by close(). Its log (level
 * info, on stderr) is kept: logins() reads who offered which credentials.
 */
import { execFileSync, spawn } from 'node:child_process'
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unusedPort } from './http-server.js'
import { startedForSuite } from './started-for-suite.js'
import type { StackRegistry } from './stack-env.js'

const BINARY = '/usr/bin/docker-registry'

export interface RefusingRegistry extends StackRegistry {
  /**
   * A second user, for a job given credentials to read with: htpasswd grants every user the same,
   * so it could push too, but its password is not the pushing user's.
   */
  reader: { username: string; password: string }
  close(): Promise<void>
  /**
   * Each request so far that offered credentials, from distribution's log: `accepted METHOD uri`
   * (it logs no user name then), or `refused <user> METHOD uri`.
   */
  logins(): string[]
}

async function answers(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/v2/`)
    return response.status === 401
  } catch {
    return false
  }
}

async function startRefusingRegistry(): Promise<RefusingRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-refusing-registry-'))
  const username = 'erin'
  const password = `pw-${Math.random().toString(36).slice(2, 12)}`
  const reader = {
    username: 'rita',
    password: `pw-${Math.random().toString(36).slice(2, 12)}`
  }
  const htpasswd = [
    [username, password],
    [reader.username, reader.password]
  ].map(([user, pw]) =>
    execFileSync('htpasswd', ['-Bbn', user, pw], { encoding: 'utf8' }).trim()
  )
  writeFileSync(join(dir, 'htpasswd'), `${htpasswd.join('\n')}\n`)
  const port = await unusedPort()
  const host = `127.0.0.1:${port}`
  // storage.delete left out: distribution's default, deletes refused
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: info, accesslog: { disabled: true } }',
      'storage:',
      `  filesystem: { rootdirectory: ${join(dir, 'storage')} }`,
      `http: { addr: '${host}' }`,
      'auth:',
      `  htpasswd: { realm: refusing, path: ${join(dir, 'htpasswd')} }`,
      ''
    ].join('\n')
  )
  const log = join(dir, 'registry.log')
  const fd = openSync(log, 'a')
  const child = spawn(BINARY, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', fd]
  })
  closeSync(fd)
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve())
  )
  for (let i = 0; i < 100 && !(await answers(host)); i++)
    await new Promise(resolve => setTimeout(resolve, 50))
  if (!(await answers(host))) {
    child.kill()
    throw new Error(`${BINARY} did not answer on ${host}`)
  }
  return {
    host,
    username,
    password,
    reader,
    logins: () =>
      [
        ...readFileSync(log, 'utf8').matchAll(
          /msg="(authorized request|error authenticating user \\"([^\\]*)\\")[^\n]*http\.request\.method=(\S+)[^\n]*http\.request\.uri="?([^" ]+)/g
        )
      ].map(([, , user, method, uri]) =>
        user === undefined
          ? `accepted ${method} ${uri}`
          : `refused ${user} ${method} ${uri}`
      ),
    close: async () => {
      child.kill()
      await exited
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A refusing registry for one describe block: started before its tests, closed after them. */
export const refusingRegistryForSuite = (): (() => RefusingRegistry) =>
  startedForSuite('the refusing registry', startRefusingRegistry)
