/**
 * mode cleanup's store on GHCR, which refuses the registry API's DELETE: what an image holds is
 * read from GitHub's packages API (every version, its tags and times) and the registry (each
 * version's manifest: an index's children, a referrer's subject), and a manifest is deleted as
 * its package version, with every tag on it.
 */
import {
  realTime,
  type CleanupStore,
  type RepositoryState
} from './cleanup-plan.js'
import type { DeletesAt } from './cleanup-steps.js'
import type { Image } from '../reference/images.js'
import type { RegistryClient } from '../registry/client.js'
import {
  GithubPackages,
  type GithubPackagesOptions,
  type GhcrPackage,
  type PackageVersion
} from './github-packages.js'
import { childDigests, parseManifestJson } from '../registry/manifest.js'
import { inParallel, PARALLEL_READS } from '../registry/in-parallel.js'

/** The GHCR store, which also says where it deletes (the plan's steps name that URL). */
export interface GhcrStore extends CleanupStore {
  deletesAt(): Promise<DeletesAt>
}

/**
 * The state of a package's versions: tags from the versions, each manifest's links from the
 * registry, its age from the later of its version's times, when GitHub says it was pushed (a
 * version whose manifest the registry no longer has is left out: never deleted).
 */
export async function versionsState(
  client: Pick<RegistryClient, 'getManifest'>,
  image: Image,
  versions: PackageVersion[]
): Promise<RepositoryState> {
  const state: RepositoryState = { tags: {}, manifests: {} }
  for (const version of versions)
    for (const tag of version.tags) state.tags[tag] = version.digest
  await inParallel(versions, PARALLEL_READS, async version => {
    const manifest = await client.getManifest(image, version.digest)
    if (manifest === undefined) return
    const subject = parseManifestJson(manifest).subject?.digest
    const pushed = realTime(
      new Date(Math.max(version.created.getTime(), version.updated.getTime()))
    )
    state.manifests[version.digest] = {
      children: childDigests(manifest),
      ...(subject && { subject }),
      ...(pushed && { age: { time: pushed, source: 'package version' } })
    }
  })
  return state
}

/**
 * The GHCR store of one package (its image's): `client` reads manifests from ghcr.io, `api` is
 * GitHub's API (GITHUB_API_URL) and github-token.
 */
export function createGhcrStore(
  client: Pick<RegistryClient, 'getManifest'>,
  api: GithubPackagesOptions,
  pkg: GhcrPackage
): GhcrStore {
  const packages = new GithubPackages(api)
  const known = new Map<string, PackageVersion[]>()
  // every version a list showed: one gone since was deleted, by this run or another
  const seen = new Set<string>()
  const list = async (image: Image) => {
    const versions = await packages.listVersions(pkg)
    known.set(image.name, versions)
    for (const v of versions) seen.add(`${image.name}@${v.digest}`)
    return versions
  }
  const find = (image: Image, digest: string) =>
    known.get(image.name)?.find(v => v.digest === digest)
  return {
    read: async image => versionsState(client, image, await list(image)),
    async deletesAt() {
      const url = await packages.versionsUrl(pkg)
      url.search = ''
      return { kind: 'ghcr', versions: url.href }
    },
    async deleteManifest(image, digest) {
      // a tombstone pushed after the read is a version the read did not see
      const version =
        find(image, digest) ?? (await list(image), find(image, digest))
      if (version !== undefined) {
        await packages.deleteVersion(pkg, version)
        const rest = known.get(image.name)?.filter(v => v !== version) ?? []
        known.set(image.name, rest)
      } else if (!seen.has(`${image.name}@${digest}`))
        // pushed moments ago and not listed: it would stay, holding the tag it replaced
        throw new Error(
          `cleanup: GitHub lists no version ${digest} of ${image.name}, which was just pushed`
        )
    }
  }
}
