import { sanitizeTag } from '../tags/sanitize.js'

/**
 * The tag a digest-mode runner pushes its platform under, and where the merge
 * job finds it: derived from the run and the platform, so the two jobs need
 * no outputs, artifacts or scripts to hand digests over.
 */
export function stagingTag(buildId: string, platform: string): string {
  return sanitizeTag(`build-${buildId}-${platform}`) ?? `build-${buildId}`
}
