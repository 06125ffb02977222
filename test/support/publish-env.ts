/** A PublishEnv for executor unit tests: the given docker and registry, a log that keeps warnings. */
import type { DockerRunner } from '../../src/docker/runner.js'
import type { PublishEnv } from '../../src/publish/run-context.js'
import { emptyResult } from '../../src/publish/outcome.js'
import type { RegistryClient } from '../../src/registry/client.js'
import { runBounds } from '../../src/settings/bounds.js'
import type { Login } from '../../src/settings/logins.js'

export interface TestEnvOptions {
  docker: DockerRunner
  registry: RegistryClient
  tempDir?: string
  /** The run's docker config folder (logins are written there). */
  dockerConfig?: string
  /** The inputs' credentials the run logs in with. */
  logins?: Login[]
  retries?: number
  registryTimeoutMs?: number
  /** Where the log's warnings go, for tests that read them. */
  warnings?: string[]
  /** Where the log's info lines go, for tests that read them. */
  infos?: string[]
}

export function testPublishEnv(options: TestEnvOptions): PublishEnv {
  const warnings = options.warnings ?? []
  return {
    docker: options.docker,
    registry: options.registry,
    cacheRegistry: options.registry,
    log: {
      info: message => void options.infos?.push(message),
      notice: () => undefined,
      warning: message => warnings.push(message),
      group: (_, work) => work(),
      mask: () => undefined
    },
    retry: { retries: options.retries ?? 0, sleep: () => Promise.resolve() },
    bounds: runBounds({
      registryTimeout: (options.registryTimeoutMs ?? 30_000) / 1000,
      retries: options.retries ?? 0
    }),
    tempDir: options.tempDir ?? '',
    dockerConfig: options.dockerConfig ?? '',
    logins: options.logins ?? [],
    emptyPasswords: [],
    result: emptyResult(),
    vars: {},
    clock: () => new Date('2026-11-26T12:00:00Z')
  }
}
