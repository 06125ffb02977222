import { DOCKER_HUB, DOCKER_HUB_API_HOST, isHostGrammar } from './grammar.js'
/**
 * Where an image lives: the registry's API endpoint, the repository path, and the API URLs built
 * from them.
 */

const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io'])

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

function hostWithoutPort(host: string): string {
  return host.replace(/:[0-9]+$/, '')
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(hostWithoutPort(host))
}

/** The endpoint for a registry name: "127.0.0.1:5001", "ghcr.io", "docker.io". */
export function parseRegistry(name: string): RegistryEndpoint {
  if (!isHostGrammar(name))
    throw new Error(
      `invalid registry ${JSON.stringify(name)}: expected host[:port], e.g. ghcr.io or ` +
        `127.0.0.1:5000`
    )
  if (DOCKER_HUB_ALIASES.has(name.toLowerCase()))
    return {
      registry: DOCKER_HUB,
      apiHost: DOCKER_HUB_API_HOST,
      scheme: 'https'
    }
  return {
    registry: name,
    apiHost: name,
    scheme: isLoopbackHost(name) ? 'http' : 'https'
  }
}

/** An API URL as the client requests it (a placeholder such as <digest> stays readable). */
export function apiUrl(endpoint: RegistryEndpoint, path: string): string {
  return `${endpoint.scheme}://${endpoint.apiHost}${path}`
}

/** Where a manifest of an image lives: by tag, by digest, or a placeholder for one. */
export function manifestUrl(
  ref: RepositoryReference,
  reference: string
): string {
  return apiUrl(ref, `/v2/${ref.repository}/manifests/${reference}`)
}

/** Where an image's tag list lives. */
export function tagsUrl(ref: RepositoryReference): string {
  return apiUrl(ref, `/v2/${ref.repository}/tags/list`)
}

/** Where a blob of another repository of the same registry is mounted into an image. */
export function mountUrl(
  ref: RepositoryReference,
  blob: string,
  from: RepositoryReference
): string {
  return apiUrl(
    ref,
    `/v2/${ref.repository}/blobs/uploads/?mount=${blob}&from=${from.repository}`
  )
}
