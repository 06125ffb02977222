/** The user's docker config on disk: read for credentials, copied for a run of ours. */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Credentials } from '../settings/basic-credentials.js'
import {
  helperFor,
  inlineCredentials,
  privateConfig,
  serverAddress,
  withLogin,
  withRegistryToken,
  type DockerConfigFile
} from './config-file.js'

/** What docker itself uses: DOCKER_CONFIG, else ~/.docker. */
export function userConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker')
}

export function readDockerConfig(dir: string): DockerConfigFile {
  const file = join(dir, 'config.json')
  if (!existsSync(file)) return {}
  const text = readFileSync(file, 'utf8')
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as DockerConfigFile
  } catch {
    throw new Error(
      `${file} is not valid JSON, so docker cannot read it either`
    )
  }
}

/** The user's docker config, if it can be read (docker reports an unreadable one). */
export function readableDockerConfig(
  dir: string | undefined
): DockerConfigFile | undefined {
  if (dir === undefined) return undefined
  try {
    return readDockerConfig(dir)
  } catch {
    return undefined
  }
}

/** A registry's credentials as docker finds them: its helper, else what `auths` holds. */
export async function dockerCredentials(
  config: DockerConfigFile,
  registry: string,
  askHelper: (
    helper: string,
    server: string
  ) => Promise<Credentials | undefined>
): Promise<Credentials | undefined> {
  const helper = helperFor(config, registry)
  const fromHelper =
    helper === '' ? undefined : await askHelper(helper, serverAddress(registry))
  return fromHelper ?? inlineCredentials(config, registry)
}

// beside config.json: the run sees (and may add to) the user's builders, contexts, plugins
const SHARED_FOLDERS = ['buildx', 'contexts', 'cli-plugins']

/** Writes config.json whole (0600, renamed into place: docker never reads half of it). */
function writeConfig(dir: string, config: DockerConfigFile): void {
  const file = join(dir, 'config.json')
  writeFileSync(`${file}.new`, JSON.stringify(config, null, 2), {
    mode: 0o600
  })
  renameSync(`${file}.new`, file)
}

/** A login kept where docker keeps it without a helper: the run's own config.json, `auths`. */
export function storeLogin(
  dir: string,
  registry: string,
  credentials: Credentials
): void {
  writeConfig(dir, withLogin(readDockerConfig(dir), registry, credentials))
}

/** A docker config for this run only: the user's (never written), our logins in its own file. */
export function createRunConfig(
  userDir: string,
  runDir: string,
  registries: string[]
): string {
  const dir = join(runDir, 'docker-config')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeConfig(dir, privateConfig(readDockerConfig(userDir), registries))
  for (const name of SHARED_FOLDERS)
    if (existsSync(join(userDir, name)))
      symlinkSync(join(userDir, name), join(dir, name))
  return dir
}

/**
 * The gate's docker config: for each of `registries` where the run's config has credentials (its
 * helper's, else `auths`: a login of the user's own, a credential helper's, or this run's), a
 * token that may only pull, where `pullToken` gets one, else those credentials, written inline;
 * nothing else of the user's config.
 */
export async function createGateConfig(
  runConfig: string,
  dir: string,
  registries: string[],
  askHelper: (
    helper: string,
    server: string
  ) => Promise<Credentials | undefined>,
  pullToken: (registry: string) => Promise<string | undefined>
): Promise<string> {
  const stored = readDockerConfig(runConfig)
  let config: DockerConfigFile = {}
  for (const registry of new Set(registries)) {
    const credentials = await dockerCredentials(stored, registry, askHelper)
    if (credentials === undefined) continue
    const token = await pullToken(registry)
    config =
      token === undefined
        ? withLogin(config, registry, credentials)
        : withRegistryToken(config, registry, token)
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeConfig(dir, config)
  return dir
}
