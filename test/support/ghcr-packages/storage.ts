/**
 * The GHCR stand-in's versions, read from and deleted in the storage of Debian's docker-registry
 * (distribution 2.8's filesystem driver) that serves ghcr.io in the stack. A version is a manifest
 * revision of a repository (`_manifests/revisions/sha256/<hex>/link`), as on GHCR, where each
 * platform manifest, attestation manifest and signature of an index is a version of its own
 * (observed: some-natalie/kubernoodles#664, aliasunder/vault-cortex#178). Its tags are the tags
 * whose `current/link` names its digest. Ids and first-push times are kept in a state file, so a
 * digest keeps its id and created_at while it lives (GitHub's ids are global and never reused).
 */
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'

export interface StoredVersion {
  id: number
  digest: string
  tags: string[]
  created: Date
  updated: Date
}

interface VersionState {
  nextId: number
  versions: Record<string, { id: number; created: string }>
}

const V2 = 'docker/registry/v2/repositories'

function children(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function readLink(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    return undefined
  }
}

export class RegistryStorage {
  constructor(
    private readonly root: string,
    private readonly stateFile: string
  ) {}

  private manifests(repository: string): string {
    return join(this.root, V2, repository, '_manifests')
  }

  /** Whether the repository has a manifest store (a package exists once something was pushed). */
  exists(repository: string): boolean {
    return existsSync(join(this.manifests(repository), 'revisions'))
  }

  private tagsByDigest(repository: string): Map<string, string[]> {
    const tags = new Map<string, string[]>()
    const dir = join(this.manifests(repository), 'tags')
    for (const tag of children(dir)) {
      const digest = readLink(join(dir, tag, 'current', 'link'))
      if (digest !== undefined)
        tags.set(digest, [...(tags.get(digest) ?? []), tag])
    }
    return tags
  }

  private loadState(): VersionState {
    try {
      return JSON.parse(readFileSync(this.stateFile, 'utf8')) as VersionState
    } catch {
      return { nextId: 1000, versions: {} }
    }
  }

  /** The repository's versions, newest first (GitHub lists the newest first). */
  versions(repository: string): StoredVersion[] {
    const state = this.loadState()
    const revisions = join(this.manifests(repository), 'revisions', 'sha256')
    const tags = this.tagsByDigest(repository)
    const found: StoredVersion[] = []
    for (const hex of children(revisions)) {
      const link = join(revisions, hex, 'link')
      if (!existsSync(link)) continue
      const digest = `sha256:${hex}`
      const key = `${repository}@${digest}`
      const mtime = statSync(link).mtime
      state.versions[key] ??= {
        id: state.nextId++,
        created: mtime.toISOString()
      }
      const created = new Date(state.versions[key].created)
      const tagTimes = (tags.get(digest) ?? []).map(
        tag =>
          statSync(
            join(this.manifests(repository), 'tags', tag, 'current', 'link')
          ).mtime
      )
      const updated = new Date(
        Math.max(created.getTime(), ...tagTimes.map(t => t.getTime()))
      )
      found.push({
        id: state.versions[key].id,
        digest,
        tags: tags.get(digest) ?? [],
        created,
        updated
      })
    }
    writeFileSync(this.stateFile, JSON.stringify(state))
    return found.sort((a, b) => b.id - a.id)
  }

  /** Removes the manifest revision and every tag that points at it (the registry keeps no cache). */
  deleteVersion(repository: string, digest: string): void {
    const manifests = this.manifests(repository)
    const hex = digest.replace(/^sha256:/, '')
    for (const tag of children(join(manifests, 'tags'))) {
      const dir = join(manifests, 'tags', tag)
      if (readLink(join(dir, 'current', 'link')) === digest)
        rmSync(dir, { recursive: true })
      else
        rmSync(join(dir, 'index', 'sha256', hex), {
          recursive: true,
          force: true
        })
    }
    rmSync(join(manifests, 'revisions', 'sha256', hex), {
      recursive: true,
      force: true
    })
    // the same bytes pushed again are a new version, with a new id (ids are never reused)
    const state = this.loadState()
    delete state.versions[`${repository}@${digest}`]
    writeFileSync(this.stateFile, JSON.stringify(state))
  }
}
