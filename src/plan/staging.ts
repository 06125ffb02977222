import { sanitizeTag } from '../tags/sanitize.js'

/**
 * The tag an image waits under before any pulled tag moves: a digest leg's (the merge finds it by
 * name), or the build's.
 */
export function stagingTag(buildId: string, platform = ''): string {
  const name =
    platform === '' ? `build-${buildId}` : `build-${buildId}-${platform}`
  return sanitizeTag(name) ?? `build-${buildId}`
}
