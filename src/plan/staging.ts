import { sanitizeTag } from '../tags/sanitize.js'

/**
 * The tag an image waits under before the guards let any tag a user pulls
 * move: a digest-mode leg's platform (where the merge job finds it by name)
 * or, on builders that cannot push by digest, the build itself.
 */
export function stagingTag(buildId: string, platform = ''): string {
  const name =
    platform === '' ? `build-${buildId}` : `build-${buildId}-${platform}`
  return sanitizeTag(name) ?? `build-${buildId}`
}
