/**
 * Seeding the stack's GHCR stand-in through its plain twin (the same storage as ghcr.io:5444):
 * a two-platform index, and cosign 2.5's signature of a digest. Shared by the e2e files that
 * judge the GHCR store and mode cleanup on GHCR.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { generateKeyPair } from './cosign.js'
import { pushImageIndex, pushTestImage } from './registry-seed.js'
import type { StackGhcr, StackRegistry } from './stack-env.js'

const run = promisify(execFile)

/** The plain twin as a seed target, with the stand-in's registry user. */
export const plainTwin = (ghcr: StackGhcr): StackRegistry => ({
  host: ghcr.plain,
  username: ghcr.username,
  password: ghcr.password
})

/**
 * A two-platform index under `tag` (by digest if none): its digest, then its children's. `texts`
 * decide the children's bytes (the same text, the same child), random by default.
 */
export async function pushIndex(
  ghcr: StackGhcr,
  repository: string,
  tag: string | undefined,
  texts: (string | undefined)[] = []
): Promise<string[]> {
  const plain = plainTwin(ghcr)
  const children = await Promise.all(
    (['amd64', 'arm64'] as const).map((architecture, n) =>
      pushTestImage(plain, repository, {
        tags: [],
        ...(texts[n] !== undefined && { text: texts[n] }),
        platform: { os: 'linux', architecture },
        format: 'oci'
      })
    )
  )
  const index = await pushImageIndex(plain, repository, tag, children)
  return [index, ...children.map(c => c.manifest.digest)]
}

/**
 * Makes the stand-in say `digest` was pushed to `repository` at `when`: its revision's time in the
 * storage, which the packages API gives as the version's created_at. Only before the package is
 * first listed (the stand-in keeps a version's first push time from then on).
 */
export function backdatePush(
  ghcr: StackGhcr,
  repository: string,
  digest: string,
  when: Date
): void {
  const revision = join(
    ghcr.storage,
    'docker/registry/v2/repositories',
    repository,
    '_manifests/revisions/sha256',
    digest.replace(/^sha256:/, ''),
    'link'
  )
  utimesSync(revision, when, when)
}

/**
 * `cosign sign --key` (2.5: the `sha256-<hex>.sig` tag) through the plain twin; the public key's
 * path, for `cosign verify`.
 */
export async function cosignSign(
  ghcr: StackGhcr,
  repository: string,
  digest: string
): Promise<string> {
  const keys = await generateKeyPair('ghcr-e2e')
  const config = mkdtempSync(join(tmpdir(), 'dpa-ghcr-cosign-'))
  const auth = Buffer.from(`${ghcr.username}:${ghcr.password}`).toString(
    'base64'
  )
  writeFileSync(
    join(config, 'config.json'),
    JSON.stringify({ auths: { [ghcr.plain]: { auth } } })
  )
  const key = join(keys.dir, 'cosign.key')
  const ref = `${ghcr.plain}/${repository}@${digest}`
  await run(
    'cosign',
    ['sign', '--key', key, '--tlog-upload=false', '-y', ref],
    {
      env: {
        ...process.env,
        DOCKER_CONFIG: config,
        COSIGN_PASSWORD: keys.password
      }
    }
  )
  return keys.publicKeyFile
}
