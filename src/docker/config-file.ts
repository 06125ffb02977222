/** docker's config.json, read the way the docker CLI reads it. */
import {
  encodedCredentials,
  type Credentials
} from '../settings/basic-credentials.js'
import { DOCKER_HUB } from '../reference/grammar.js'
import { DOCKER_HUB_NAMES, registryName } from '../reference/repository.js'

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
  /** A Bearer token sent as is (docker CLI's AuthConfig.RegistryToken), not a login. */
  registrytoken?: string
}

export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>
  credsStore?: string
  credHelpers?: Record<string, string>
  [key: string]: unknown
}

/** Where docker keeps Docker Hub's credentials, and what it asks helpers for. */
const HUB_SERVER = 'https://index.docker.io/v1/'

/** A registry as config keys are compared: the one registry name (repository.ts), any case. */
export function registryKey(name: string): string {
  return registryName(name).toLowerCase()
}

/** The address docker stores a registry's credentials under (and asks a helper for). */
export function serverAddress(registry: string): string {
  const name = registryName(registry)
  return name === DOCKER_HUB ? HUB_SERVER : name
}

/** Every spelling docker may look a registry up by, for credHelpers keys. */
function registryAliases(registry: string): string[] {
  return registryName(registry) === DOCKER_HUB
    ? [HUB_SERVER, ...DOCKER_HUB_NAMES]
    : [...new Set([registry, registryName(registry)])]
}

function matching<T>(
  map: Record<string, T> | undefined,
  registry: string
): T | undefined {
  const key = registryKey(registry)
  const found = Object.entries(map ?? {}).find(([k]) => registryKey(k) === key)
  return found?.[1]
}

/** The helper that serves a registry ('' for the config file itself). */
export function helperFor(config: DockerConfigFile, registry: string): string {
  return matching(config.credHelpers, registry) ?? config.credsStore ?? ''
}

/** Credentials stored in `auths`: `auth` (base64 user:password) or the fields. */
export function inlineCredentials(
  config: DockerConfigFile,
  registry: string
): Credentials | undefined {
  const entry = matching(config.auths, registry)
  if (entry === undefined) return undefined
  if (entry.identitytoken)
    return {
      username: '<token>',
      password: '',
      identityToken: entry.identitytoken
    }
  if (entry.auth) {
    const pair = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = pair.indexOf(':')
    if (colon > 0)
      return { username: pair.slice(0, colon), password: pair.slice(colon + 1) }
  }
  if (entry.username && entry.password)
    return { username: entry.username, password: entry.password }
  return undefined
}

/**
 * The user's config, our registries kept in the file (empty credHelpers), out of the user's store.
 */
export function privateConfig(
  config: DockerConfigFile,
  registries: string[]
): DockerConfigFile {
  const credHelpers = { ...config.credHelpers }
  for (const registry of registries)
    for (const alias of registryAliases(registry)) credHelpers[alias] = ''
  return { ...config, credHelpers }
}

/** The config with `entry` as the registry's in `auths`, where docker looks it up. */
function withEntry(
  config: DockerConfigFile,
  registry: string,
  entry: AuthEntry
): DockerConfigFile {
  return {
    ...config,
    auths: { ...config.auths, [serverAddress(registry)]: entry }
  }
}

/** The config as `docker login` leaves it, the credentials in `auths` (base64 "user:password"). */
export function withLogin(
  config: DockerConfigFile,
  registry: string,
  credentials: Credentials
): DockerConfigFile {
  return withEntry(config, registry, { auth: encodedCredentials(credentials) })
}

/**
 * The config with a Bearer token for the registry instead of a login: `registrytoken`, which the
 * docker CLI passes to the engine and go-containerregistry (trivy, grype, crane) and oras send as
 * is; it lasts as long as the token server made it last, and is never renewed.
 */
export function withRegistryToken(
  config: DockerConfigFile,
  registry: string,
  token: string
): DockerConfigFile {
  return withEntry(config, registry, { registrytoken: token })
}
