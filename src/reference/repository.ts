import {
  DOCKER_HUB,
  isRegistryHost,
  DOCKER_HUB_API_HOST,
  isRegistryAddress
} from './grammar.js'
/**
 * Where an image lives: the registry's API endpoint, the repository path, and the API URLs built
 * from them.
 */

/**
 * Docker Hub's names: docker login's default server (`https://index.docker.io/v1/`, which
 * registryName reduces to its host), the index, and the API host.
 */
export const DOCKER_HUB_NAMES = [
  DOCKER_HUB,
  'index.docker.io',
  DOCKER_HUB_API_HOST
]

export interface RegistryEndpoint {
  /** The registry as users name it: credentials key, error prefix. */
  registry: string
  /** host[:port] that serves the API (registry-1.docker.io for docker.io). */
  apiHost: string
  /** http for loopback hosts (insecure for dockerd too), https otherwise. */
  scheme: 'http' | 'https'
}

export interface RepositoryReference extends RegistryEndpoint {
  /** Path in the registry: "team/app", "library/alpine". */
  repository: string
}

const LOOPBACK = /^(?:localhost|127(?:\.[0-9]{1,3}){3}|\[::1\])$/i

/** A loopback host, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/:[0-9]+$/, ''))
}

/**
 * A registry as `docker login` takes it, reduced to the name docker keeps: a URL's scheme,
 * path and trailing slash dropped (docker/cli's credentials.ConvertToHostname: the host[:port]
 * of an http(s) URL, else all before the first "/"), Docker Hub's names as docker.io. Case
 * is kept (docker keeps it), but Hub's names match in any case. Not checked: see parseRegistry.
 */
export function registryName(value: string): string {
  const host = value
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/s, '')
  return DOCKER_HUB_NAMES.includes(host.toLowerCase()) ? DOCKER_HUB : host
}

/** The registry of an image reference, by docker's rule: its first segment when that is a host. */
export function referenceRegistry(reference: string): string {
  const [first = '', ...rest] = reference.split('/')
  return rest.length > 0 && isRegistryHost(first) ? first : DOCKER_HUB
}

/** What a registry input may be, as an error says it. */
export const REGISTRY_ALLOWED =
  'expected a registry host[:port] or an http(s) URL of one, as docker login takes it, ' +
  'e.g. ghcr.io, 127.0.0.1:5000 or https://index.docker.io/v1/ (port 1-65535)'

/**
 * The one endpoint of a registry, from any input that names one (`registry`, `logins`,
 * `registry-auth`, an image name's host): "ghcr.io", "127.0.0.1:5001", "http://localhost:5000/",
 * "https://index.docker.io/v1/". The scheme is dropped as docker drops it: loopback hosts are
 * spoken to over http (dockerd's default insecure range), every other over https.
 */
export function parseRegistry(value: string): RegistryEndpoint {
  const name = registryName(value)
  if (!isRegistryAddress(name) || /[\s?#]/.test(value.trim()))
    throw new Error(
      `invalid registry ${JSON.stringify(value)}: ${REGISTRY_ALLOWED}`
    )
  return {
    registry: name,
    apiHost: name === DOCKER_HUB ? DOCKER_HUB_API_HOST : name,
    scheme: isLoopbackHost(name) ? 'http' : 'https'
  }
}

/** An API URL as the client requests it (a placeholder such as <digest> stays readable). */
export function apiUrl(endpoint: RegistryEndpoint, path: string): string {
  return `${endpoint.scheme}://${endpoint.apiHost}${path}`
}
