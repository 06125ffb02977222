import { describe, expect, it } from '@jest/globals'
import type { RefContext } from '../../../src/context/context-types.js'
import { runCleanup } from '../../../src/cleanup/cleanup-run.js'
import { parseImageName } from '../../../src/reference/images.js'
import {
  jsonBytes,
  jsonManifest,
  OCI_INDEX,
  OCI_MANIFEST,
  type Manifest
} from '../../../src/registry/manifest.js'
import { parseSettings } from '../../../src/settings/settings.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { CLOSED_PR } from './closed-pull-request.js'

// runCleanup on the memory registry (deletes as distribution does: by digest, its tags with it):
// what each kind removes, in what order, and that a dry run writes nothing.
const NAME = 'registry.example.com/acme/app'
const IMAGE = parseImageName(NAME)
const NOW = new Date('2026-11-26T12:00:00Z')

const SCHEDULE: RefContext = {
  ...CLOSED_PR,
  eventName: 'schedule',
  ref: 'refs/heads/main',
  prNumber: undefined
}

async function put(r: MemoryRegistry, ref: string, m: Manifest) {
  await r.putManifest(IMAGE, ref, m)
  return m.digest
}

async function image(r: MemoryRegistry, name: string, created: string) {
  const config = await r.putBlob(IMAGE, jsonBytes({ created, name }))
  const m = jsonManifest(OCI_MANIFEST, {
    config: { digest: config },
    layers: []
  })
  return { ...m, digest: await put(r, m.digest, m) }
}

/** latest, pr-7 and pr-77, an earlier signed index no tag reaches, and its signature. */
async function seed(r: MemoryRegistry) {
  const digests = {
    latest: await put(
      r,
      'latest',
      await image(r, 'latest', '2026-11-20T00:00:00Z')
    ),
    pr7: await put(r, 'pr-7', await image(r, 'pr-7', '2026-11-25T00:00:00Z')),
    pr77: await put(
      r,
      'pr-77',
      await image(r, 'pr-77', '2026-11-25T00:00:00Z')
    ),
    child: (await image(r, 'earlier amd64', '2026-10-01T00:00:00Z')).digest
  }
  const earlier = jsonManifest(OCI_INDEX, {
    manifests: [{ mediaType: OCI_MANIFEST, digest: digests.child }]
  })
  const sig = await image(r, 'sig', '0001-01-01T00:00:00Z')
  await put(r, earlier.digest, earlier)
  await put(r, `${earlier.digest.replace(':', '-')}.sig`, sig)
  return { ...digests, earlier: earlier.digest, sig: sig.digest }
}

async function run(
  kinds: string,
  ctx: RefContext,
  dryRun = false,
  registry = new MemoryRegistry(),
  seeded: (d: Record<string, string>) => void = () => undefined
) {
  const d = await seed(registry)
  seeded(d)
  registry.calls.splice(0)
  const inputs: Record<string, string> = {
    mode: 'cleanup',
    cleanup: kinds,
    images: NAME,
    'older-than': '7d',
    'dry-run': String(dryRun)
  }
  const settings = await parseSettings(name => inputs[name] ?? '')
  const warnings: string[] = []
  const { cleaned, kept } = await runCleanup(settings, {
    client: registry,
    ctx,
    now: NOW,
    githubApiUrl: 'https://api.github.com',
    showPlan: () => Promise.resolve(),
    info: () => undefined,
    warn: line => warnings.push(line)
  })
  return { registry, d, cleaned, kept, warnings }
}

/** The earlier image whole: the index first, then what it holds (in digest order). */
const earlierWhole = (d: Record<string, string>) => [
  d.earlier,
  ...[d.child, d.sig].sort()
]

describe('runCleanup', () => {
  it.each([
    {
      name: 'pr on its closed event: pr-7 alone',
      kinds: 'pr',
      ctx: CLOSED_PR,
      removed: (d: Record<string, string>) => [d.pr7],
      tags: ['latest', 'pr-77', 'sig']
    },
    {
      name: 'untagged on a schedule: the earlier index, its child, its signature, index first',
      kinds: 'untagged',
      ctx: SCHEDULE,
      removed: earlierWhole,
      tags: ['latest', 'pr-7', 'pr-77']
    },
    {
      name: "both in one step: pr-7 (too young for untagged's 7 days), then the earlier index",
      kinds: 'pr, untagged',
      ctx: CLOSED_PR,
      removed: (d: Record<string, string>) => [d.pr7, ...earlierWhole(d)],
      tags: ['latest', 'pr-77']
    }
  ])('$name', async ({ kinds, ctx, removed, tags }) => {
    const { registry, d, cleaned } = await run(kinds, ctx)
    const expected = removed(d)
    expect(cleaned.map(c => c.digest)).toStrictEqual(expected)
    const sorted = Object.keys(registry.tagsOf(NAME)).map(t =>
      t.endsWith('.sig') ? 'sig' : t
    )
    expect(sorted.sort()).toStrictEqual(tags)
    // the probe's DELETE of a digest no image has and its tombstone's, then one by digest each
    const deletes = registry.calls.filter(c => c.startsWith('DELETE'))
    expect(deletes[0]).toBe(`DELETE ${NAME} sha256:${'0'.repeat(64)}`)
    expect(deletes.slice(2)).toStrictEqual(
      expected.map(x => `DELETE ${NAME} ${x}`)
    )
  })

  it("a dry run lists the same and writes nothing: of the probe's requests, only the DELETE of a digest no image has", async () => {
    const { registry, d, cleaned } = await run('pr, untagged', CLOSED_PR, true)
    expect(cleaned.map(c => c.digest)).toStrictEqual([
      d.pr7,
      ...earlierWhole(d)
    ])
    expect(registry.calls.filter(c => /^(PUT|DELETE) /.test(c))).toStrictEqual([
      `DELETE ${NAME} sha256:${'0'.repeat(64)}`
    ])
  })

  it('a tag pushed onto a candidate after the read keeps it whole, and says so', async () => {
    // the registry as a release meets it: the earlier index tagged `rescued` by the time the
    // delete probe's tombstone arrives, between the clean-up's read and its deletes
    class Racing extends MemoryRegistry {
      earlier = ''
      async putManifest(image: typeof IMAGE, ref: string, m: Manifest) {
        const digest = await super.putManifest(image, ref, m)
        const index = await this.getManifest(image, this.earlier)
        if (index !== undefined && !('rescued' in this.tagsOf(NAME)))
          await super.putManifest(image, 'rescued', index)
        return digest
      }
    }
    const registry = new Racing()
    const { d, cleaned, kept, warnings } = await run(
      'untagged',
      SCHEDULE,
      false,
      registry,
      seeded => (registry.earlier = seeded.earlier)
    )
    expect(cleaned).toStrictEqual([])
    expect(kept.map(k => [k.digest, k.reason])).toStrictEqual(
      earlierWhole(d).map(digest => [
        digest,
        'kept: tag rescued reaches it since the read'
      ])
    )
    expect(warnings).toHaveLength(3)
    for (const digest of earlierWhole(d))
      expect(await registry.getManifest(IMAGE, digest)).toBeDefined()
  })

  it('a GHCR image without github-token: one line naming it, before anything is read', async () => {
    const registry = new MemoryRegistry()
    const inputs: Record<string, string> = {
      mode: 'cleanup',
      cleanup: 'untagged',
      images: `${NAME}\nghcr.io/acme/app`
    }
    const settings = await parseSettings(name => inputs[name] ?? '')
    const cleaning = runCleanup(settings, {
      client: registry,
      ctx: SCHEDULE,
      now: NOW,
      githubApiUrl: 'https://api.github.com',
      showPlan: () => Promise.resolve(),
      info: () => undefined,
      warn: () => undefined
    })
    await expect(cleaning).rejects.toThrow(
      'input "github-token": invalid value "": a token that may delete ghcr.io/acme/app\'s ' +
        "package versions (GHCR deletes through GitHub's packages API): the workflow's token " +
        'with `permissions: packages: write`'
    )
    expect(registry.calls).toStrictEqual([])
  })
})
