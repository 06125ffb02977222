import { describe, expect, it } from '@jest/globals'
import { pushImageIndex, pushTestImage } from '../support/registry-seed.js'
import { refusingRegistryForSuite } from '../support/refusing-registry.js'
import { stackEnv, type StackRegistry } from '../support/stack-env.js'
import { listTags, manifestStatus, readManifest } from './registry-api.js'
import { errorLines } from './releases.js'
import { runMain, type StepResult } from './runner.js'
import {
  closedPullRequest,
  credentials,
  expectDeleteRefused,
  expectPlanTaken,
  uniqueRepo
} from './steps.js'

/** The delete probe's first DELETE: a digest no manifest has. */
const ABSENT = `sha256:${'0'.repeat(64)}`

// mode cleanup, cleanup: pr, on the stack's registry A (distribution, deletes enabled), judged
// over the registry API: pull request 7 closes; its tag goes, nothing else does.

interface PlanEntry {
  step: string
  method: string
  url: string
}

interface Cleaned {
  image: string
  tag: string
  digest: string
  tombstone: boolean
}

const cleaned = (step: StepResult): Cleaned[] =>
  (JSON.parse(step.outputs.cleaned ?? '[]') as Cleaned[]).map(
    ({ image, tag, digest, tombstone }) => ({ image, tag, digest, tombstone })
  )

/** A third: a two-platform `latest` whose arm64 manifest pr-7 also names. */
async function seedIndexed(registry: StackRegistry) {
  const indexed = uniqueRepo('cleanup-indexed')
  const children = [
    await pushTestImage(registry, indexed, {
      tags: [],
      format: 'oci',
      platform: { os: 'linux', architecture: 'amd64' }
    }),
    await pushTestImage(registry, indexed, {
      tags: ['pr-7'],
      format: 'oci',
      platform: { os: 'linux', architecture: 'arm64' }
    })
  ]
  await pushImageIndex(registry, indexed, 'latest', children)
  return { indexed, arm64: children[1].manifest.digest }
}

/** Two repositories: pr-7 alone on its digest, and pr-7 on the digest main-abc123 holds. */
async function seed(registry: StackRegistry) {
  const alone = uniqueRepo('cleanup-alone')
  const shared = uniqueRepo('cleanup-shared')
  const latest = await pushTestImage(registry, alone, { tags: ['latest'] })
  const pr7 = await pushTestImage(registry, alone, { tags: ['pr-7'] })
  const pr77 = await pushTestImage(registry, alone, { tags: ['pr-77'] })
  const main = await pushTestImage(registry, shared, {
    tags: ['main-abc123', 'pr-7']
  })
  // cosign's signature tags: pr-7's goes with its digest, main-abc123's stays
  const signature = (digest: string) => `sha256-${digest.slice(7)}.sig`
  const pr7Sig = await pushTestImage(registry, alone, {
    tags: [signature(pr7.manifest.digest)]
  })
  await pushTestImage(registry, shared, {
    tags: [signature(main.manifest.digest)]
  })
  return {
    alone,
    shared,
    latest,
    pr7,
    pr77,
    main,
    pr7Sig,
    signature,
    ...(await seedIndexed(registry))
  }
}

describe('cleanup: pr on a registry that deletes', () => {
  const { a } = stackEnv()

  it('the dry run lists pr-7 in each image and deletes nothing; the run removes only pr-7', async () => {
    const s = await seed(a)
    const inputs = {
      mode: 'cleanup',
      cleanup: 'pr',
      images: [s.alone, s.shared, s.indexed]
        .map(r => `${a.host}/${r}`)
        .join('\n'),
      ...credentials(a)
    }
    const expected = [
      {
        image: `${a.host}/${s.alone}`,
        tag: 'pr-7',
        digest: s.pr7.manifest.digest,
        tombstone: false
      },
      {
        image: `${a.host}/${s.alone}`,
        tag: s.signature(s.pr7.manifest.digest),
        digest: s.pr7Sig.manifest.digest,
        tombstone: false
      },
      {
        image: `${a.host}/${s.shared}`,
        tag: 'pr-7',
        digest: s.main.manifest.digest,
        tombstone: true
      },
      {
        image: `${a.host}/${s.indexed}`,
        tag: 'pr-7',
        digest: s.arm64,
        tombstone: true
      }
    ]

    const sig = (digest: string) => s.signature(digest)
    expect(await listTags(a, s.alone)).toStrictEqual(
      [sig(s.pr7.manifest.digest), 'latest', 'pr-7', 'pr-77'].sort()
    )
    expect(await listTags(a, s.shared)).toStrictEqual(
      [sig(s.main.manifest.digest), 'main-abc123', 'pr-7'].sort()
    )
    const before = [await listTags(a, s.alone), await listTags(a, s.shared)]

    const dry = await runMain(
      { ...inputs, 'dry-run': 'true' },
      closedPullRequest()
    )
    expect(dry.code).toBe(0)
    expect(cleaned(dry)).toStrictEqual(expected)
    // the plan: each image's delete probe (a DELETE of a digest no image has, a tombstone's
    // config, PUT and DELETE), each image's tags read again, then the DELETE by digest, or a
    // tombstone's config, PUT tag + DELETE tombstone
    const plan = (JSON.parse(dry.outputs.plan ?? '[]') as PlanEntry[]).map(
      p => `${p.step} ${p.method} ${p.url.replace(/^https?:\/\/[^/]+/, '')}`
    )
    const url = (repo: string, ref: string) => `/v2/${repo}/manifests/${ref}`
    const config = (repo: string) =>
      `/v2/${repo}/blobs/uploads/<upload>?digest=<empty config>`
    const tags = (repo: string) => `/v2/${repo}/tags/list`
    expect(plan).toStrictEqual([
      `probe DELETE ${url(s.alone, ABSENT)}`,
      `probe PUT ${config(s.alone)}`,
      `probe PUT ${url(s.alone, '<tombstone>')}`,
      `probe DELETE ${url(s.alone, '<tombstone>')}`,
      `probe DELETE ${url(s.shared, ABSENT)}`,
      `probe PUT ${config(s.shared)}`,
      `probe PUT ${url(s.shared, '<tombstone>')}`,
      `probe DELETE ${url(s.shared, '<tombstone>')}`,
      `probe DELETE ${url(s.indexed, ABSENT)}`,
      `probe PUT ${config(s.indexed)}`,
      `probe PUT ${url(s.indexed, '<tombstone>')}`,
      `probe DELETE ${url(s.indexed, '<tombstone>')}`,
      `reread GET ${tags(s.alone)}`,
      `reread GET ${tags(s.shared)}`,
      `reread GET ${tags(s.indexed)}`,
      `remove DELETE ${url(s.alone, s.pr7.manifest.digest)}`,
      `remove DELETE ${url(s.alone, s.pr7Sig.manifest.digest)}`,
      `remove PUT ${config(s.shared)}`,
      `remove PUT ${url(s.shared, 'pr-7')}`,
      `remove DELETE ${url(s.shared, '<tombstone>')}`,
      `remove PUT ${config(s.indexed)}`,
      `remove PUT ${url(s.indexed, 'pr-7')}`,
      `remove DELETE ${url(s.indexed, '<tombstone>')}`
    ])
    expect([
      await listTags(a, s.alone),
      await listTags(a, s.shared)
    ]).toStrictEqual(before)
    expect(await manifestStatus(a, s.alone, s.pr7.manifest.digest)).toBe(200)

    const step = await runMain(inputs, closedPullRequest())
    expect(step.code).toBe(0)
    expectPlanTaken(dry, step)
    expect(cleaned(step)).toStrictEqual(expected)
    expect(step.summary).toContain(s.main.manifest.digest)
    expect(await listTags(a, s.alone)).toStrictEqual(['latest', 'pr-77'])
    expect(await manifestStatus(a, s.alone, s.pr7Sig.manifest.digest)).toBe(404)
    expect(await manifestStatus(a, s.alone, s.pr7.manifest.digest)).toBe(404)
    expect(await manifestStatus(a, s.alone, s.pr77.manifest.digest)).toBe(200)
    expect(await listTags(a, s.shared)).toStrictEqual(
      [s.signature(s.main.manifest.digest), 'main-abc123'].sort()
    )
    expect((await readManifest(a, s.shared, 'main-abc123')).digest).toBe(
      s.main.manifest.digest
    )
    // latest still resolves on both platforms, its arm64 manifest still there
    expect(await listTags(a, s.indexed)).toStrictEqual(['latest'])
    expect(
      (await readManifest(a, s.indexed, 'latest')).platforms
    ).toStrictEqual(['linux/amd64', 'linux/arm64'])
    expect(await manifestStatus(a, s.indexed, s.arm64)).toBe(200)
  })
})

describe('cleanup: pr on a registry that refuses deletes', () => {
  const refusingRegistry = refusingRegistryForSuite()

  it('fails first, in one line naming the registry and its answer, and deletes nothing; its dry run fails with the same line, writing nothing', async () => {
    const refusing = refusingRegistry()
    const repo = uniqueRepo('cleanup-refused')
    const pr7 = await pushTestImage(refusing, repo, { tags: ['pr-7'] })
    await pushTestImage(refusing, repo, { tags: ['pr-77'] })
    const inputs = {
      mode: 'cleanup',
      cleanup: 'pr',
      images: `${refusing.host}/${repo}`,
      ...credentials(refusing)
    }
    const dry = await runMain(
      { ...inputs, 'dry-run': 'true' },
      closedPullRequest()
    )
    expectDeleteRefused(dry, refusing.host)
    expect(await listTags(refusing, repo)).toStrictEqual(['pr-7', 'pr-77'])
    expect(await manifestStatus(refusing, repo, pr7.manifest.digest)).toBe(200)

    const step = await runMain(inputs, closedPullRequest())
    expectDeleteRefused(step, refusing.host)
    expect(errorLines(dry.stdout)).toStrictEqual(errorLines(step.stdout))
    expect(await listTags(refusing, repo)).toStrictEqual(['pr-7', 'pr-77'])
  })
})
