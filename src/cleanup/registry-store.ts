/**
 * mode cleanup's store on a registry that deletes through the registry API (distribution with
 * deletes enabled). The API lists tags, never manifests: an untagged image is seen only where the
 * registry still names it, by a cosign tag (`sha256-<hex>.sig`, `.att`, `.sbom`) or a referrers
 * tag (`sha256-<hex>`) of its digest, or by the referrers API of a digest read. What names it
 * also dates it: the time its `created` annotation says it was written, else the image's config.
 */
import {
  attachedTo,
  realTime,
  untaggedImages,
  type Age,
  type CleanupStore,
  type RepositoryState
} from './cleanup-plan.js'
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import {
  childDigests,
  parseJsonBytes,
  parseManifestJson
} from '../registry/manifest.js'

/** A manifest read: its links, its config's digest (none for an index), its created annotation. */
interface Read {
  children: string[]
  subject?: string
  config?: string
  annotated?: string
}

const CREATED = 'org.opencontainers.image.created'

/** The manifests from `roots` down: children, subjects, the referrers API's lists. */
async function readManifests(
  client: RegistryClient,
  image: Image,
  roots: string[]
): Promise<Map<string, Read>> {
  const read = new Map<string, Read>()
  const queue = [...new Set(roots)]
  for (let digest = queue.pop(); digest !== undefined; digest = queue.pop()) {
    if (read.has(digest)) continue
    const manifest = await client.getManifest(image, digest)
    if (manifest === undefined) continue
    const json = parseManifestJson(manifest)
    const children = childDigests(manifest)
    const subject = json.subject?.digest
    const { config, annotations } = json
    read.set(digest, {
      children,
      subject,
      config: config?.digest,
      annotated: annotations?.[CREATED]
    })
    const referrers = (await client.getReferrers(image, digest)) ?? []
    queue.push(...children, ...referrers.map(r => r.digest))
  }
  return read
}

/** A config's `created`; a config that is no JSON object (an artifact's own) has none. */
function configCreated(blob: Uint8Array): unknown {
  try {
    return parseJsonBytes<{ created?: unknown } | null>(blob)?.created
  } catch {
    return undefined
  }
}

/**
 * An image's config `created` (an artifact's empty config has none: its `created` annotation);
 * an index's: its newest child's; unknown (none, or epoch 0 as reproducible builds write it):
 * undefined.
 */
async function createdOf(
  client: RegistryClient,
  image: Image,
  read: Map<string, Read>,
  digest: string
): Promise<Date | undefined> {
  const manifest = read.get(digest)
  if (manifest === undefined) return undefined
  if (manifest.config === undefined) {
    const times: Date[] = []
    for (const child of manifest.children) {
      const created = await createdOf(client, image, read, child)
      if (created !== undefined) times.push(created)
    }
    return newest(times)
  }
  const blob = await client.getBlob(image, manifest.config)
  return realTime(blob && configCreated(blob)) ?? realTime(manifest.annotated)
}

function newest(times: Date[]): Date | undefined {
  return times.sort((a, b) => b.getTime() - a.getTime())[0]
}

/**
 * When the registry says the image was there: the newest `created` annotation of a signature or
 * referrer that names it (its referrers, its cosign and referrers tags' manifests).
 */
function namedTime(
  read: Map<string, Read>,
  state: RepositoryState,
  digest: string
): Date | undefined {
  const naming = [...read]
    .filter(([, manifest]) => manifest.subject === digest)
    .map(([, manifest]) => manifest)
  for (const [tag, tagged] of Object.entries(state.tags))
    if (attachedTo(tag) === digest)
      naming.push(read.get(tagged) ?? { children: [] })
  return newest(naming.flatMap(m => realTime(m.annotated) ?? []))
}

/** An untagged image's age: the registry's word first, then its config's; unknown: undefined. */
async function ageOf(
  client: RegistryClient,
  image: Image,
  read: Map<string, Read>,
  state: RepositoryState,
  digest: string
): Promise<Age | undefined> {
  const pushed = namedTime(read, state, digest)
  if (pushed !== undefined) return { time: pushed, source: 'referrer' }
  const created = await createdOf(client, image, read, digest)
  return created && { time: created, source: 'config' }
}

/**
 * The repository's tags and the manifests they reach, the untagged images its cosign and
 * referrers tags still name, and the creation time of each image no tag reaches.
 */
async function readRepository(
  client: RegistryClient,
  image: Image
): Promise<RepositoryState> {
  const state: RepositoryState = { tags: {}, manifests: {} }
  const named: string[] = []
  for (const tag of await client.listTags(image)) {
    const digest = await client.getDigest(image, tag)
    if (digest !== undefined) state.tags[tag] = digest
    const target = attachedTo(tag)
    if (target !== undefined) named.push(target)
  }
  const roots = [...named, ...Object.values(state.tags)]
  const read = await readManifests(client, image, roots)
  for (const [digest, { children, subject }] of read)
    state.manifests[digest] = { children, ...(subject && { subject }) }
  for (const digest of untaggedImages(state)) {
    const age = await ageOf(client, image, read, state, digest)
    if (age !== undefined) state.manifests[digest].age = age
  }
  return state
}

/** The store of a registry that deletes by the registry API. */
export function registryStore(client: RegistryClient): CleanupStore {
  return {
    read: image => readRepository(client, image),
    deleteManifest: (image, digest) => client.deleteManifest(image, digest)
  }
}
