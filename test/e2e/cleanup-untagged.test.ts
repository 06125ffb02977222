/**
 * mode cleanup on the stack's registry A (distribution 2.8, deletes enabled), judged over the
 * registry's HTTP API and by the real cosign 2.5 and oras: a two-platform `latest` with provenance
 * built and signed by the action, an earlier `latest` built and signed the same way that no tag
 * reaches now, pull requests' tags. `cleanup: pr` for pull request 7, then `cleanup: untagged`,
 * each after its dry run. And a registry that refuses deletes.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  cosignVerify,
  generateKeyPair,
  type KeyPair
} from '../support/cosign.js'
import { runDocker } from '../support/docker-cli.js'
import { DIGEST_PUT, startFaultProxy } from '../support/fault-proxy.js'
import { putManifestBytes, pushTestImage } from '../support/registry-seed.js'
import { refusingRegistryForSuite } from '../support/refusing-registry.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import {
  listTags,
  manifestStatus,
  readJson,
  readManifest
} from './registry-api.js'
import { errorLines, sigTag } from './releases.js'
import { runMain, type StepResult } from './runner.js'
import { buildSignedLatest, discover } from './signed-release.js'
import {
  closedPullRequest,
  credentials,
  expectPlanTaken,
  expectDeleteRefused,
  runnerEnv,
  uniqueRepo
} from './steps.js'

let stack: StackEnv
let keys: KeyPair

interface Cleaned {
  image: string
  tag?: string
  digest: string
  tombstone: boolean
  reason: string
  age?: { time: string; source: string }
}

interface PlanEntry {
  step: string
  method: string
  url: string
}

const cleaned = (step: StepResult): Cleaned[] =>
  JSON.parse(step.outputs.cleaned ?? '[]') as Cleaned[]

const referrersTag = (digest: string) => digest.replace(':', '-')

/**
 * What the registry holds under a digest, by its structure: an index's entries, the manifests of
 * its cosign `.sig` tag and its referrers tag and what those hold, recursively.
 */
async function heldBy(repo: string, digest: string): Promise<Set<string>> {
  const { a } = stack
  const tags = await listTags(a, repo)
  const held = new Set<string>()
  const queue = [digest]
  for (let d = queue.pop(); d !== undefined; d = queue.pop()) {
    if (held.has(d)) continue
    held.add(d)
    const json = await readJson<{ manifests?: { digest: string }[] }>(
      a,
      repo,
      `manifests/${d}`
    )
    queue.push(...(json.manifests ?? []).map(entry => entry.digest))
    for (const tag of [sigTag(d), referrersTag(d)])
      if (tags.includes(tag))
        queue.push((await readManifest(a, repo, tag)).digest)
  }
  return held
}

/** Each repository's tags with their digests, and the status of each digest asked about. */
async function snapshot(repos: string[], digests: Iterable<string>) {
  const { a } = stack
  const tags: Record<string, Record<string, string>> = {}
  for (const repo of repos) {
    tags[repo] = {}
    for (const tag of await listTags(a, repo))
      tags[repo][tag] = (await readManifest(a, repo, tag)).digest
  }
  const statuses: Record<string, number> = {}
  for (const digest of digests)
    statuses[digest] = await manifestStatus(a, repos[0], digest)
  return { tags, statuses }
}

/** `docker pull --platform` by the stack's docker, logged in to A in a config of its own. */
async function pulls(ref: string, platform: string): Promise<string> {
  const { a } = stack
  const config = mkdtempSync(join(tmpdir(), 'dpa-cleanup-pull-'))
  const auth = Buffer.from(`${a.username}:${a.password}`).toString('base64')
  writeFileSync(
    join(config, 'config.json'),
    JSON.stringify({ auths: { [a.host]: { auth } } })
  )
  const env = { DOCKER_CONFIG: config }
  const pulled = await runDocker(['pull', '--platform', platform, ref], { env })
  await runDocker(['image', 'rm', ref], { env })
  return pulled.code === 0 ? 'pulled' : pulled.stderr
}

describe('cleanup on a registry that deletes: pr, then untagged', () => {
  let repo: string
  let shared: string
  let latest: string
  let earlier: string
  let orphans: Set<string>
  let kept: Set<string>
  let seeded: Record<string, string>

  beforeAll(async () => {
    stack = stackEnv()
    keys = await generateKeyPair('correct horse')
    repo = uniqueRepo('cleanup-releases')
    shared = uniqueRepo('cleanup-main')
    const { a } = stack
    const signing = { keys, cosign3: stack.cosign3 }
    const build = (sha: string) => buildSignedLatest(a, repo, sha, signing)
    earlier = await build('f00dfacef00dfacef00dfacef00dfacef00dface')
    latest = await build('5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e')
    const push = async (target: string, tags: string[], created?: string) =>
      (await pushTestImage(a, target, { tags, created })).manifest.digest
    seeded = {
      pr7: await push(repo, ['pr-7']),
      pr77: await push(repo, ['pr-77']),
      main: await push(shared, ['main-abc123', 'pr-7']),
      // untagged and unsigned: nothing names it, the registry API cannot see it
      unseen: await push(repo, [], '2020-01-01T00:00:00Z')
    }
    orphans = await heldBy(repo, earlier)
    kept = await heldBy(repo, latest)
  }, 600_000)

  const images = () => [repo, shared].map(r => `${stack.a.host}/${r}`)

  it('the earlier latest is an index of two platforms, their attestations and signatures of its own', () => {
    expect(latest).not.toBe(earlier)
    // the index, its 2 platforms and buildx's attestation manifest (one for both: the hello
    // fixture's provenance is the same), their 2 referrers tags and the 2 referrers in them, the
    // action's .sig signature, cosign 3's referrers tag and the bundle in it
    expect(orphans.size).toBe(11)
    expect([...orphans].filter(d => kept.has(d))).toEqual([])
  })

  it('cleanup: pr for pull request 7: the dry run lists pr-7 of each image and deletes nothing; the run removes only those', async () => {
    const { a } = stack
    const inputs = {
      mode: 'cleanup',
      cleanup: 'pr',
      images: images().join('\n'),
      ...credentials(a)
    }
    const expected = [
      [images()[0], 'pr-7', seeded.pr7, false],
      [images()[1], 'pr-7', seeded.main, true]
    ]
    const pick = (c: Cleaned) => [c.image, c.tag, c.digest, c.tombstone]
    const before = await snapshot([repo, shared], [seeded.pr7, ...orphans])

    const dry = await runMain(
      { ...inputs, 'dry-run': 'true' },
      closedPullRequest()
    )
    expect(dry.code).toBe(0)
    expect(cleaned(dry).map(pick)).toStrictEqual(expected)
    expect(
      await snapshot([repo, shared], [seeded.pr7, ...orphans])
    ).toStrictEqual(before)

    const step = await runMain(inputs, closedPullRequest())
    expect(step.code).toBe(0)
    expectPlanTaken(dry, step)
    expect(cleaned(step).map(pick)).toStrictEqual(expected)
    const after = await snapshot([repo, shared], [seeded.pr7, ...orphans])
    const { 'pr-7': gone, ...rest } = before.tags[repo]
    expect(gone).toBe(seeded.pr7)
    expect(after.tags).toStrictEqual({
      [repo]: rest,
      [shared]: { 'main-abc123': seeded.main }
    })
    expect(after.statuses[seeded.pr7]).toBe(404)
    expect(await manifestStatus(a, repo, seeded.pr77)).toBe(200)
    expect(await manifestStatus(a, shared, seeded.main)).toBe(200)
  })

  it('cleanup: untagged: the dry run lists exactly the earlier latest, whole, and deletes nothing; the run deletes exactly that', async () => {
    const { a } = stack
    const inputs = {
      mode: 'cleanup',
      cleanup: 'untagged',
      'older-than': '0m',
      images: images().join('\n'),
      ...credentials(a)
    }
    const watched = [...orphans, ...kept, seeded.unseen]
    const before = await snapshot([repo, shared], watched)
    // latest's referrers (cosign 3's bundle), and its platforms' (the action's provenance)
    const index = await readJson<{
      manifests: { digest: string; platform: { os: string } }[]
    }>(a, repo, `manifests/${latest}`)
    const subjects = [
      latest,
      ...index.manifests
        .filter(m => m.platform.os === 'linux')
        .map(m => m.digest)
    ]
    const referrers = await Promise.all(
      subjects.map(d => discover(stack.a, repo, d))
    )
    expect(referrers.map(r => r.length)).toStrictEqual([1, 1, 1])

    const dry = await runMain(
      { ...inputs, 'dry-run': 'true' },
      runnerEnv('schedule')
    )
    expect(dry.code).toBe(0)
    const listed = cleaned(dry)
    expect(listed.map(c => c.digest).sort()).toStrictEqual([...orphans].sort())
    expect(listed[0]).toMatchObject({
      image: images()[0],
      digest: earlier,
      // its age by when its cosign 3 bundle (a referrer) was written, not its config
      reason: expect.stringMatching(
        /^no tag reaches it; \d+ minutes? old: pushed \S+ \(a signature or referrer of it was written then\)$/
      )
    })
    expect(listed.every(c => c.tag === undefined && !c.tombstone)).toBe(true)
    expect(dry.summary).toContain(earlier)
    // the plan: the delete probe, the tags read again, then a DELETE by digest of each, the index
    // first
    const plan = (JSON.parse(dry.outputs.plan ?? '[]') as PlanEntry[]).map(
      p => `${p.step} ${p.method} ${p.url.replace(/^https?:\/\/[^/]+/, '')}`
    )
    const url = (ref: string) => `/v2/${repo}/manifests/${ref}`
    expect(plan).toStrictEqual([
      `probe DELETE ${url(`sha256:${'0'.repeat(64)}`)}`,
      `probe PUT /v2/${repo}/blobs/uploads/<upload>?digest=<empty config>`,
      `probe PUT ${url('<tombstone>')}`,
      `probe DELETE ${url('<tombstone>')}`,
      `reread GET /v2/${repo}/tags/list`,
      ...listed.map(c => `remove DELETE ${url(c.digest)}`)
    ])
    expect(await snapshot([repo, shared], watched)).toStrictEqual(before)

    const step = await runMain(inputs, runnerEnv('schedule'))
    expect(step.code).toBe(0)
    expectPlanTaken(dry, step)
    expect(cleaned(step)).toStrictEqual(listed)
    const after = await snapshot([repo, shared], watched)
    // the orphans' cosign and referrers tags went with them, no other tag did
    const named = (d: string) => [sigTag(d), referrersTag(d)]
    const orphanTags = [...orphans].flatMap(named)
    expect(after.tags).toStrictEqual({
      [repo]: Object.fromEntries(
        Object.entries(before.tags[repo]).filter(
          ([t]) => !orphanTags.includes(t)
        )
      ),
      [shared]: before.tags[shared]
    })
    expect(Object.keys(after.tags[repo]).length).toBeLessThan(
      Object.keys(before.tags[repo]).length
    )
    for (const digest of orphans)
      expect([digest, after.statuses[digest]]).toEqual([digest, 404])
    for (const digest of kept)
      expect([digest, after.statuses[digest]]).toEqual([digest, 200])
    // invisible to the registry API: it stays (docs/modes.md says so)
    expect(after.statuses[seeded.unseen]).toBe(200)
    expect((await readManifest(a, repo, 'latest')).platforms).toStrictEqual([
      'linux/amd64',
      'linux/arm64'
    ])
    for (const platform of ['linux/amd64', 'linux/arm64'])
      expect([
        platform,
        await pulls(`${a.host}/${repo}:latest`, platform)
      ]).toEqual([platform, 'pulled'])
    const verified = await cosignVerify(
      `${a.host}/${repo}:latest`,
      keys.publicKeyFile,
      [a]
    )
    expect(verified).toMatchObject({ code: 0 })
    // and cosign 3 verifies its Sigstore bundle (the referrer the clean-up kept)
    const verified3 = await cosignVerify(
      `${a.host}/${repo}:latest`,
      keys.publicKeyFile,
      [a],
      stack.cosign3
    )
    expect(verified3).toMatchObject({ code: 0 })
    expect(
      await Promise.all(subjects.map(d => discover(stack.a, repo, d)))
    ).toStrictEqual(referrers)
  })
})

/** An untagged image created then, named by a signature tag (the registry API sees it) of no time. */
async function orphan(repo: string, created: string) {
  const { a } = stackEnv()
  const image = await pushTestImage(a, repo, { tags: [], created })
  const digest = image.manifest.digest
  const sig = await pushTestImage(a, repo, { tags: [sigTag(digest)] })
  return { image, digests: [digest, sig.manifest.digest] }
}

/** `cleanup: untagged` of images older than 7 days, on a schedule, as registry A's user. */
const sweep = (image: string, env: Record<string, string> = {}) =>
  runMain(
    {
      mode: 'cleanup',
      cleanup: 'untagged',
      'older-than': '7d',
      images: image,
      ...credentials(stackEnv().a)
    },
    runnerEnv('schedule', env)
  )

describe('cleanup: untagged measures age by the wall clock, one meaning', () => {
  it("with SOURCE_DATE_EPOCH at a commit 10 days old, an orphan created then goes under older-than 7d; one created now and a reproducible build's epoch-0 one stay", async () => {
    const { a } = stackEnv()
    const repo = uniqueRepo('cleanup-age')
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000)
    await pushTestImage(a, repo, { tags: ['latest'] })
    const old = (await orphan(repo, tenDaysAgo.toISOString())).digests
    const fresh = (await orphan(repo, new Date().toISOString())).digests
    const epoch0 = (await orphan(repo, '1970-01-01T00:00:00Z')).digests
    const commitTime = String(Math.floor(tenDaysAgo.getTime() / 1000))

    const step = await sweep(`${a.host}/${repo}`, {
      SOURCE_DATE_EPOCH: commitTime
    })
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    const gone = cleaned(step)
    expect(gone.map(c => c.digest)).toStrictEqual(old)
    const age = { time: tenDaysAgo.toISOString(), source: 'config' }
    expect(gone.map(c => c.age)).toStrictEqual([age, age])
    expect(step.summary).toContain(
      `no tag reaches it; 10 days old: created ${age.time} (its config's created)`
    )
    const statuses = async (digests: string[]) =>
      Promise.all(digests.map(d => manifestStatus(a, repo, d)))
    expect(await statuses(old)).toStrictEqual([404, 404])
    expect(await statuses([...fresh, ...epoch0])).toStrictEqual([
      200, 200, 200, 200
    ])
  })
})

describe('cleanup: untagged reads the tags again right before it deletes', () => {
  it('a tag pushed onto a candidate after the read (at the delete probe) keeps that image whole, and the run says so', async () => {
    const { a } = stackEnv()
    const repo = uniqueRepo('cleanup-reread')
    await pushTestImage(a, repo, { tags: ['latest'] })
    const rescued = await orphan(repo, '2020-01-01T00:00:00Z')
    const swept = await orphan(repo, '2020-01-01T00:00:00Z')
    // the hook: between the step's read and its deletes, a release tags the first orphan
    let hooked = false
    const proxy = await startFaultProxy({
      target: a.host,
      faults: [
        {
          kind: 'before',
          times: 1,
          match: DIGEST_PUT,
          run: async () => {
            await putManifestBytes(a, repo, '1.0.1', rescued.image.manifest)
            hooked = true
          }
        }
      ]
    })
    try {
      const step = await sweep(`${proxy.host}/${repo}`)
      expect(hooked).toBe(true)
      expect(errorLines(step.stdout)).toEqual([])
      expect(step.code).toBe(0)
      expect(cleaned(step).map(c => c.digest)).toStrictEqual(swept.digests)
      const kept = `kept: tag 1.0.1 reaches it since the read`
      const warned = step.stdout
        .split('\n')
        .filter(line => line.startsWith('::warning::') && line.endsWith(kept))
      expect(warned).toHaveLength(2)
      expect(step.summary).toContain(kept)
      const statuses = async (digests: string[]) =>
        Promise.all(digests.map(d => manifestStatus(a, repo, d)))
      expect(await statuses(rescued.digests)).toStrictEqual([200, 200])
      expect(await statuses(swept.digests)).toStrictEqual([404, 404])
      expect((await readManifest(a, repo, '1.0.1')).digest).toBe(
        rescued.digests[0]
      )
    } finally {
      await proxy.close()
    }
  })
})

describe('cleanup: untagged on a registry that refuses deletes', () => {
  const refusingRegistry = refusingRegistryForSuite()

  it('fails first, in one line naming the registry and its answer, and deletes nothing; its dry run fails with the same line, writing nothing', async () => {
    const refusing = refusingRegistry()
    const repo = uniqueRepo('cleanup-refused')
    const orphan = await pushTestImage(refusing, repo, {
      tags: [],
      created: '2020-01-01T00:00:00Z'
    })
    const signature = sigTag(orphan.manifest.digest)
    await pushTestImage(refusing, repo, { tags: [signature] })
    await pushTestImage(refusing, repo, { tags: ['latest'] })
    const inputs = {
      mode: 'cleanup',
      cleanup: 'untagged',
      images: `${refusing.host}/${repo}`,
      ...credentials(refusing)
    }
    const dry = await runMain(
      { ...inputs, 'dry-run': 'true' },
      runnerEnv('schedule')
    )
    expectDeleteRefused(dry, refusing.host)
    expect(await listTags(refusing, repo)).toStrictEqual(
      [signature, 'latest'].sort()
    )
    expect(await manifestStatus(refusing, repo, orphan.manifest.digest)).toBe(
      200
    )
    const step = await runMain(inputs, runnerEnv('schedule'))
    expectDeleteRefused(step, refusing.host)
    expect(errorLines(dry.stdout)).toStrictEqual(errorLines(step.stdout))
    expect(await listTags(refusing, repo)).toStrictEqual(
      [signature, 'latest'].sort()
    )
    expect(await manifestStatus(refusing, repo, orphan.manifest.digest)).toBe(
      200
    )
  })
})
