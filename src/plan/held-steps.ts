/**
 * The layers an earlier image of the run's tags holds in the registry, read while the build runs,
 * as plan steps: a classic save names them in place of its own gzip; a layout buildx exports,
 * uploaded and never loaded (a load needs every blob's bytes), is seeded with them so BuildKit does
 * not copy them out (layout/held-layers.ts).
 */
import type { CacheImport } from './cache.js'
import type { Publication } from './publication.js'
import { tagListStep } from './registry-steps.js'
import {
  CACHE_TAG,
  manifestRequest,
  type RequestStep,
  type Step
} from './steps.js'

/** What the held layers are for in a stage, where they count. */
function heldLayersUse(stage: Step[]): 'save' | 'seed' | undefined {
  const has = (name: string) => stage.some(step => step.step === name)
  if (has('save')) return 'save'
  const exports = stage.some(
    step =>
      step.step === 'build' && 'layout' in step && step.layout !== undefined
  )
  return exports && has('upload') && !has('load') ? 'seed' : undefined
}

/**
 * The `layers` steps of a stage, where every image goes to the first one's registry (a blob is
 * mounted there, never fetched across): the layers of the tags the build imports its cache from;
 * for a seed, whose blobs are BuildKit's own either way, else those of the first tag a cache
 * import could read (CACHE_TAG, found in the tag list read just before, unless the cache decision
 * read it and found none). On Docker Hub each manifest GET is a pull counted against the
 * account's limit: the run's own earlier image is the likeliest to share.
 */
export function heldLayerSteps(
  stage: Step[],
  publication: Publication,
  cache: { imports: CacheImport[]; tagsRead?: boolean } | undefined
): RequestStep[] {
  const imports = cache?.imports ?? []
  const use = heldLayersUse(stage)
  const [image] = publication.images
  if (use === undefined || image === undefined) return []
  if (publication.images.some(other => other.registry !== image.registry))
    return []
  if (imports.length > 0)
    return imports.map(({ tag }) =>
      manifestRequest('layers', 'GET', image, tag)
    )
  if (use === 'save' || publication.cacheSources === undefined) return []
  if (cache?.tagsRead) return []
  return [
    tagListStep('layers', image),
    manifestRequest('layers', 'GET', image, CACHE_TAG, {
      when: 'the tag list holds a tag a cache import could read'
    })
  ]
}
