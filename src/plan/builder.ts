/** The builder that runs a build, as `docker buildx inspect` reports it. */
export interface Builder {
  /** Its name ('' when buildx is missing). */
  name: string
  /** buildx's driver (docker, docker-container, remote, kubernetes), or 'classic' without buildx. */
  driver: string
  /** The docker driver's image store, when it was asked (several platforms need containerd's). */
  store?: 'containerd' | 'classic'
}

export const CLASSIC: Builder = { name: '', driver: 'classic' }

/** Builders that keep what they build in the daemon's image store and cannot push by digest. */
export function buildsIntoDaemon(builder: Builder): boolean {
  return builder.driver === 'docker' || builder.driver === 'classic'
}

/**
 * Whether the builder writes an OCI layout to disk (buildx's docker driver on
 * containerd's image store); the classic store and the classic build only
 * build into the image store, whence the image is saved.
 */
export function exportsLayout(builder: Builder): boolean {
  return builder.driver === 'docker' && builder.store === 'containerd'
}

/** Whether the builder can build only one platform (so several fail before any step). */
export function buildsOnePlatform(builder: Builder): boolean {
  return (
    builder.driver === 'classic' ||
    (builder.driver === 'docker' && builder.store === 'classic')
  )
}

export function describeBuilder(builder: Builder): string {
  return builder.driver === 'classic'
    ? 'the classic docker build (no buildx)'
    : `${builder.name} (driver ${builder.driver})`
}
