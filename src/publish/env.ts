import type { BuildSettings, Settings } from '../settings/settings.js'
import { registryKey } from '../docker/config-file.js'
import {
  dockerCredentials,
  readDockerConfig,
  userConfigDir
} from '../docker/config.js'
import { askCredentialHelper } from '../docker/credential-helper.js'
import { createDockerRunner } from '../docker/runner.js'
import type { Log } from './log.js'
import type { RegistryCredentials } from '../registry/auth.js'
import {
  createRegistryClient,
  type RegistryClient
} from '../registry/client.js'
import type { PublishEnv } from './context.js'
import { annotationFile } from './run-check.js'

/**
 * Credentials as SPEC §9 orders them: this action's inputs, else what docker
 * itself would use (the user's docker config: credHelpers, credsStore,
 * auths). Secrets a helper gives are masked before anything can print them.
 */
export function credentialsLookup(
  settings: Settings,
  mask: (secret: string) => void,
  configDir = userConfigDir()
) {
  return async (registry: string): Promise<RegistryCredentials | undefined> => {
    const key = registryKey(registry)
    const login = settings.logins.find(l => registryKey(l.registry) === key)
    if (login !== undefined) return login
    const found = await dockerCredentials(
      readDockerConfig(configDir),
      registry,
      askCredentialHelper
    )
    if (found !== undefined) mask(found.identityToken ?? found.password)
    return found
  }
}

/** A registry client with the run's credentials and retries. */
export function createRegistry(
  settings: Settings,
  mask: (secret: string) => void,
  debug?: (message: string) => void
): RegistryClient {
  return createRegistryClient({
    credentials: credentialsLookup(settings, mask),
    retries: settings.retries,
    requestTimeoutMs: settings.registryTimeout * 1000,
    debug
  })
}

/**
 * buildx runs git several times per build only to put the commit in a
 * provenance attestation (BUILDX_GIT_INFO): with `provenance: false` none is
 * made (it wins over attests), so git is skipped, unless the user set
 * buildx's git variables themselves.
 */
export function buildxGitEnv(
  build: Pick<BuildSettings, 'provenance'>,
  env: NodeJS.ProcessEnv = process.env
): Record<string, string> {
  const provenance = build.provenance !== 'false'
  if (provenance || 'BUILDX_GIT_INFO' in env || 'BUILDX_GIT_LABELS' in env)
    return {}
  return { BUILDX_GIT_INFO: 'false' }
}

/** The real docker runner (with the run's own docker config) and registry client. */
export function createPublishEnv(
  settings: Settings,
  log: Log,
  tempDir: string,
  dockerConfig: string,
  mask: (secret: string) => void
): PublishEnv {
  return {
    docker: createDockerRunner('docker', {
      DOCKER_CONFIG: dockerConfig,
      ...buildxGitEnv(settings.build)
    }),
    registry: createRegistry(settings, mask, log.debug),
    log,
    retry: { retries: settings.retries },
    registryTimeoutMs: settings.registryTimeout * 1000,
    tempDir,
    passwords: new Map(settings.logins.map(l => [l.registry, l.password])),
    emptyPasswords: settings.emptyLogins.map(l => l.registry),
    progress: { pushed: [], skipped: [], uploads: [] },
    dockerfile: annotationFile(
      settings.build,
      process.cwd(),
      process.env.GITHUB_WORKSPACE || process.cwd()
    )
  }
}
