import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readDockerConfig } from '../../../src/docker/config.js'
import {
  DockerCommandError,
  type DockerRunner
} from '../../../src/docker/runner.js'
import type { CommandStep, RequestStep } from '../../../src/plan/steps.js'
import { runCommand } from '../../../src/publish/docker-steps.js'
import { logIn } from '../../../src/publish/stage-steps.js'
import { RunValues } from '../../../src/publish/outcome.js'
import { RegistryError } from '../../../src/registry/registry-error.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { testPublishEnv } from '../../support/publish-env.js'

// logout: false still runs docker login (into the user's config); dockerd
// reports a 5xx or 429 on its login ping as 401: the executor asks the
// registry itself before calling it a wrong password.

const LOGIN: CommandStep = {
  step: 'keep-login',
  argv: ['login', 'reg.example', '--username', 'me', '--password-stdin'],
  passwordFor: 'reg.example',
  registries: ['reg.example']
}

const REFUSED = new DockerCommandError(
  LOGIN.argv,
  1,
  'Error response from daemon: login attempt to http://reg.example/v2/ failed with status: 401 Unauthorized'
)

/** A docker whose login is refused `refusals` times, then accepted. */
function flakyLogin(refusals: number) {
  let calls = 0
  const docker: DockerRunner = {
    run() {
      calls++
      return calls <= refusals
        ? Promise.reject(REFUSED)
        : Promise.resolve({ stdout: 'Login Succeeded', stderr: '' })
    }
  }
  return { docker, calls: () => calls }
}

class Registry extends MemoryRegistry {
  constructor(private readonly answer: boolean | Error) {
    super()
  }

  checkCredentials(registry: string): Promise<void> {
    if (this.answer instanceof Error) return Promise.reject(this.answer)
    return this.answer
      ? Promise.resolve()
      : Promise.reject(
          new RegistryError(registry, 'authentication failed', 401)
        )
  }
}

const envFor = (docker: DockerRunner, registry: MemoryRegistry) =>
  testPublishEnv({
    docker,
    registry,
    retries: 3,
    logins: [{ registry: 'reg.example', username: 'me', password: 'pw' }]
  })

describe('logout: false, docker login through a registry that answers its ping with 503 or 429', () => {
  it('the registry accepts the credentials: docker login is tried again', async () => {
    const { docker, calls } = flakyLogin(2)
    const env = envFor(docker, new Registry(true))
    await runCommand(LOGIN, [], new RunValues(), env)
    expect(calls()).toBe(3)
  })

  it('the registry refuses them too: a wrong password, said at once', async () => {
    const { docker, calls } = flakyLogin(5)
    const env = envFor(docker, new Registry(false))
    await expect(runCommand(LOGIN, [], new RunValues(), env)).rejects.toThrow(
      /registry reg\.example refused the credentials: wrong username or password/
    )
    expect(calls()).toBe(1)
  })
})

// The run's login: the registry client asks, the run's config.json keeps it
const STEP: RequestStep = {
  step: 'login',
  method: 'GET',
  url: 'https://reg.example/v2/',
  image: {
    name: 'reg.example',
    registry: 'reg.example',
    apiHost: 'reg.example',
    scheme: 'https',
    repository: ''
  },
  reference: '',
  username: 'me'
}
const PASSWORD = 'pw-4b9e'
const NO_DOCKER: DockerRunner = {
  run: () => Promise.reject(new Error('no docker command in a login'))
}

let configDir = ''
beforeEach(() => {
  configDir = mkdtempSync(join(tmpdir(), 'login-config-'))
  writeFileSync(
    join(configDir, 'config.json'),
    JSON.stringify({ credHelpers: { 'reg.example': '' }, psFormat: 'x' }),
    { mode: 0o600 }
  )
})
afterEach(() => rmSync(configDir, { recursive: true, force: true }))

const loginEnv = (registry: MemoryRegistry) =>
  testPublishEnv({
    docker: NO_DOCKER,
    registry,
    dockerConfig: configDir,
    logins: [{ registry: 'reg.example', username: 'me', password: PASSWORD }]
  })

describe('the login step: checked by the registry, stored as docker login stores it', () => {
  it('accepted: the run config holds the login in auths, 0600, all else kept', async () => {
    await logIn(STEP, loginEnv(new Registry(true)))
    expect(readDockerConfig(configDir)).toEqual({
      credHelpers: { 'reg.example': '' },
      psFormat: 'x',
      auths: {
        'reg.example': {
          auth: Buffer.from(`me:${PASSWORD}`).toString('base64')
        }
      }
    })
    expect(statSync(join(configDir, 'config.json')).mode & 0o777).toBe(0o600)
  })

  it.each([
    {
      name: 'refused: one line naming the registry and the user',
      answer: false,
      says: /^registry reg\.example refused the credentials: wrong username or password for user "me" \(HTTP 401\)$/
    },
    {
      name: 'unreachable: said so, with what the client met',
      answer: new Error(
        'registry reg.example: GET https://reg.example/v2/ failed after 4 attempts: connection refused (ECONNREFUSED)'
      ),
      says: /^registry reg\.example is unreachable \(GET https:\/\/reg\.example\/v2\/ failed after 4 attempts: connection refused \(ECONNREFUSED\)\)$/
    },
    {
      name: "any other failure: the client's own words",
      answer: new RegistryError(
        'reg.example',
        'access denied (403 Forbidden)',
        403
      ),
      says: /^registry reg\.example: access denied \(403 Forbidden\)$/
    }
  ])('$name; nothing stored, no password shown', async ({ answer, says }) => {
    const failed = logIn(STEP, loginEnv(new Registry(answer)))
    await expect(failed).rejects.toThrow(says)
    await expect(failed).rejects.not.toThrow(PASSWORD)
    expect(readDockerConfig(configDir).auths).toBeUndefined()
  })
})
