import { describe, expect, it } from '@jest/globals'
import {
  DockerCommandError,
  type DockerRunner
} from '../../../src/docker/runner.js'
import type { CommandStep } from '../../../src/plan/steps.js'
import { runCommand } from '../../../src/publish/docker-steps.js'
import { RunValues } from '../../../src/publish/outcome.js'
import { RegistryError } from '../../../src/registry/registry-error.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { testPublishEnv } from '../../support/publish-env.js'

// dockerd reports a 5xx or 429 on its login ping as 401: the executor asks
// the registry itself before calling it a wrong password.

const LOGIN: CommandStep = {
  step: 'login',
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
  constructor(private readonly accepts: boolean) {
    super()
  }

  checkCredentials(registry: string): Promise<void> {
    return this.accepts
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
    passwords: new Map([['reg.example', 'pw']])
  })

describe('login through a registry that answers its ping with 503 or 429', () => {
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
