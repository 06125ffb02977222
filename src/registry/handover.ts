/**
 * How a digest-mode leg hands its image to the merge job: a one-entry OCI
 * index under a tag named by the run and platform (the registry API has no
 * tag-free way for another job to find a manifest). The index is the leg's
 * own, so the merge job deletes it by digest, tag and all, image untouched.
 */
import {
  jsonManifest,
  OCI_INDEX,
  parseManifestJson,
  type Manifest,
  type ManifestJson
} from './manifest.js'

const HANDOVER_ANNOTATION = 'dev.docker-publish-action.handover'

// JSON leaves out a variant the platform does not name (undefined)
function platformOf(platform: string) {
  const [os, architecture, variant] = platform.split('/')
  return { os, architecture, variant }
}

/** The handover index of a leg's image (`leg`) built for `platform`, under `tag`. */
export function handoverIndex(
  leg: Manifest,
  platform: string,
  tag: string
): Manifest {
  return jsonManifest(OCI_INDEX, {
    manifests: [
      {
        mediaType: leg.mediaType,
        digest: leg.digest,
        size: leg.body.length,
        ...(platform === '' ? {} : { platform: platformOf(platform) })
      }
    ],
    annotations: { [HANDOVER_ANNOTATION]: tag }
  })
}

/** The leg's image a handover index names; undefined for any other manifest. */
export function handedOver(manifest: Manifest): string | undefined {
  let json: ManifestJson
  try {
    json = parseManifestJson(manifest)
  } catch {
    return undefined
  }
  const entries = json.manifests ?? []
  return json.annotations?.[HANDOVER_ANNOTATION] !== undefined &&
    entries.length === 1
    ? entries[0].digest
    : undefined
}
