import {
  DOCKER_HUB,
  DOCKER_HUB_API_HOST,
  isHostGrammar,
  isPathComponent,
  isRegistryHost
} from './grammar.js'
/**
 * Where an image name lives: the registry host (per the docker reference
 * rules), the API endpoint and the repository path.
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

function invalid(image: string, why: string): Error {
  return new Error(`invalid image name ${JSON.stringify(image)}: ${why}`)
}

function hostWithoutPort(host: string): string {
  return host.replace(/:[0-9]+$/, '')
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(hostWithoutPort(host))
}

/** The endpoint for a registry name: "127.0.0.1:5001", "ghcr.io", "docker.io". */
export function parseRegistry(name: string): RegistryEndpoint {
  if (!isHostGrammar(name)) {
    throw new Error(
      `invalid registry ${JSON.stringify(name)}: expected host[:port], e.g. ghcr.io or 127.0.0.1:5000`
    )
  }
  if (DOCKER_HUB_ALIASES.has(name.toLowerCase())) {
    return {
      registry: DOCKER_HUB,
      apiHost: DOCKER_HUB_API_HOST,
      scheme: 'https'
    }
  }
  return {
    registry: name,
    apiHost: name,
    scheme: isLoopbackHost(name) ? 'http' : 'https'
  }
}

/** Parses an image name without tag or digest: "o/app", "ghcr.io/o/a", "127.0.0.1:5001/team/app". */
export function parseRepository(image: string): RepositoryReference {
  const slash = image.indexOf('/')
  const first = slash === -1 ? '' : image.slice(0, slash)
  const hasHost = slash !== -1 && isRegistryHost(first)
  const host = hasHost ? first : DOCKER_HUB
  let path = hasHost ? image.slice(slash + 1) : image
  if (/[@]|:[^/]*$/.test(path)) {
    throw invalid(image, 'expected a name without tag or digest')
  }
  if (!isHostGrammar(host)) throw invalid(image, `bad registry host "${host}"`)
  const endpoint = parseRegistry(host)
  if (endpoint.registry === DOCKER_HUB && !path.includes('/')) {
    path = `library/${path}`
  }
  const components = path.split('/')
  if (!components.every(isPathComponent)) {
    throw invalid(
      image,
      'each path component must be lower-case letters and digits, separated by ".", "_", "__" or "-"'
    )
  }
  if (path.length > 255) throw invalid(image, 'longer than 255 characters')
  return { ...endpoint, repository: path }
}

/** An API URL as the client requests it (a placeholder such as <digest> stays readable). */
export function apiUrl(endpoint: RegistryEndpoint, path: string): string {
  return `${endpoint.scheme}://${endpoint.apiHost}${path}`
}

/** Where a manifest of an image lives: by tag, by digest, or a placeholder for one. */
export function manifestUrl(image: string, reference: string): string {
  const ref = parseRepository(image)
  return apiUrl(ref, `/v2/${ref.repository}/manifests/${reference}`)
}

/** Where an image's tag list lives. */
export function tagsUrl(image: string): string {
  const ref = parseRepository(image)
  return apiUrl(ref, `/v2/${ref.repository}/tags/list`)
}

/** Where a blob of another repository of the same registry is mounted into an image. */
export function mountUrl(
  image: string,
  blob: string,
  fromImage: string
): string {
  const ref = parseRepository(image)
  const from = parseRepository(fromImage).repository
  return apiUrl(
    ref,
    `/v2/${ref.repository}/blobs/uploads/?mount=${blob}&from=${from}`
  )
}
