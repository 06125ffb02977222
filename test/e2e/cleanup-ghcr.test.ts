/**
 * mode cleanup on the stack's GHCR stand-in (ghcr.io over TLS, which refuses the registry API's
 * DELETE, and its packages API), the bundled dist/ run as the runner does: ghcr.io resolved in
 * the step's own /etc/hosts, the stand-in's CA in NODE_EXTRA_CA_CERTS, GITHUB_API_URL the
 * stand-in's API. Judged over the plain twin (the same storage) and the packages API: a signed
 * two-platform `latest` with provenance built by the action (and a cosign 3 referrer), an
 * earlier UNSIGNED `latest` no tag reaches (every version is listed on GHCR: registry A cannot
 * see it), pull requests' tags, `pr-7` also on `main-abc123`'s digest.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { parseImageName } from '../../src/reference/images.js'
import {
  GithubPackages,
  ghcrPackage
} from '../../src/cleanup/github-packages.js'
import {
  cosignVerify,
  generateKeyPair,
  type KeyPair
} from '../support/cosign.js'
import { backdatePush, plainTwin, pushIndex } from '../support/ghcr-seed.js'
import { pushTestImage } from '../support/registry-seed.js'
import { ghcrStack, stackEnv } from '../support/stack-env.js'
import { hostsFile, withHosts } from '../support/with-hosts.js'
import { manifestStatus, readJson } from './registry-api.js'
import { errorLines, HELLO } from './releases.js'
import { runMain, type StepResult } from './runner.js'
import { buildSignedLatest, discover } from './signed-release.js'
import {
  closedPullRequest,
  expectPlanTaken,
  pullRequestEvent,
  runnerEnv
} from './steps.js'

const ghcr = ghcrStack()
const plain = plainTwin(ghcr)
const launcher = withHosts(hostsFile({ '127.0.0.1': 'ghcr.io' }))
const api = new GithubPackages({ apiUrl: ghcr.api, token: ghcr.token })

interface Cleaned {
  image: string
  tag?: string
  digest: string
  tombstone: boolean
  age?: { time: string; source: string }
}

const cleaned = (step: StepResult): Cleaned[] =>
  JSON.parse(step.outputs.cleaned ?? '[]') as Cleaned[]

/** A package of the organization octo-org nobody else uses. */
const newPackage = (name: string) =>
  `octo-org/e2e-${name}-${randomBytes(4).toString('hex')}`

/** Each package's versions as the packages API lists them: digest to sorted tags. */
async function versions(repos: string[]) {
  const all: Record<string, Record<string, string[]>> = {}
  for (const repo of repos) {
    const pkg = ghcrPackage(parseImageName(`${ghcr.host}/${repo}`))
    if (pkg === undefined) throw new Error(`${repo} is no GHCR package`)
    all[repo] = Object.fromEntries(
      (await api.listVersions(pkg)).map(v => [v.digest, [...v.tags].sort()])
    )
  }
  return all
}

/** The step on ghcr.io as the runner runs it, with this token. */
function cleanup(
  inputs: Record<string, string>,
  env: Record<string, string>,
  token = ghcr.token
): Promise<StepResult> {
  return runMain(
    {
      mode: 'cleanup',
      username: ghcr.username,
      password: ghcr.password,
      'github-token': token,
      ...inputs
    },
    { ...env, NODE_EXTRA_CA_CERTS: ghcr.ca, GITHUB_API_URL: ghcr.api },
    launcher
  )
}

describe('cleanup on GHCR through the packages API: pr, then untagged', () => {
  const repo = newPackage('cleanup')
  const shared = newPackage('cleanup-main')
  const images = [repo, shared].map(r => `${ghcr.host}/${r}`).join('\n')
  let orphans: string[]
  let latest: string
  let keys: KeyPair
  let referrers: string[]
  let seeded: Record<string, string>

  beforeAll(async () => {
    // the earlier latest: an index and its two platforms, unsigned, no tag reaches it now
    orphans = await pushIndex(ghcr, repo, undefined)
    keys = await generateKeyPair('correct horse')
    const signing = { keys, cosign3: stackEnv().cosign3 }
    const sha = '5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e'
    latest = await buildSignedLatest(plain, repo, sha, signing)
    referrers = await discover(plain, repo, latest)
    const push = async (target: string, tags: string[]) =>
      (await pushTestImage(plain, target, { tags })).manifest.digest
    seeded = {
      pr7: await push(repo, ['pr-7']),
      pr77: await push(repo, ['pr-77']),
      main: await push(shared, ['main-abc123', 'pr-7'])
    }
  }, 300_000)

  it('cleanup: pr for pull request 7: the dry run lists pr-7 of each package and deletes nothing; the run removes only those', async () => {
    const expected = [
      [`${ghcr.host}/${repo}`, 'pr-7', seeded.pr7, false],
      [`${ghcr.host}/${shared}`, 'pr-7', seeded.main, true]
    ]
    const pick = (c: Cleaned) => [c.image, c.tag, c.digest, c.tombstone]
    const before = await versions([repo, shared])

    const dry = await cleanup(
      { cleanup: 'pr', images, 'dry-run': 'true' },
      closedPullRequest()
    )
    expect(errorLines(dry.stdout)).toEqual([])
    expect(cleaned(dry).map(pick)).toStrictEqual(expected)
    // the plan deletes through the packages API
    expect(dry.stdout).toContain(
      `${ghcr.api}/orgs/octo-org/packages/container/`
    )
    expect(await versions([repo, shared])).toStrictEqual(before)

    const step = await cleanup({ cleanup: 'pr', images }, closedPullRequest())
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    expectPlanTaken(dry, step)
    expect(cleaned(step).map(pick)).toStrictEqual(expected)
    const { [seeded.pr7]: gone, ...rest } = before[repo]
    expect(gone).toEqual(['pr-7'])
    // the tombstone that took pr-7 off main-abc123's digest is gone too
    expect(await versions([repo, shared])).toStrictEqual({
      [repo]: rest,
      [shared]: { [seeded.main]: ['main-abc123'] }
    })
    expect(await manifestStatus(plain, shared, seeded.main)).toBe(200)
    expect(await manifestStatus(plain, repo, seeded.pr77)).toBe(200)
  })

  it('cleanup: untagged: the dry run lists exactly the earlier unsigned latest, whole, and deletes nothing; the run deletes exactly that', async () => {
    const inputs = { cleanup: 'untagged', 'older-than': '0m', images }
    const before = await versions([repo, shared])

    const dry = await cleanup(
      { ...inputs, 'dry-run': 'true' },
      runnerEnv('schedule')
    )
    expect(errorLines(dry.stdout)).toEqual([])
    const listed = cleaned(dry)
    expect(listed.map(c => c.digest).sort()).toStrictEqual([...orphans].sort())
    expect(listed[0].digest).toBe(orphans[0])
    expect(await versions([repo, shared])).toStrictEqual(before)

    const step = await cleanup(inputs, runnerEnv('schedule'))
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    expectPlanTaken(dry, step)
    expect(cleaned(step).map(c => c.digest)).toStrictEqual(
      listed.map(c => c.digest)
    )
    const after = await versions([repo, shared])
    const left = Object.fromEntries(
      Object.entries(before[repo]).filter(([d]) => !orphans.includes(d))
    )
    expect(after).toStrictEqual({ ...before, [repo]: left })
    // latest whole: the index and every manifest it holds resolve, cosign 2.5 verifies its
    // signature, and oras discover lists the same referrers (cosign 3's bundle among them)
    const index = await readJson<{ manifests: { digest: string }[] }>(
      plain,
      repo,
      `manifests/${latest}`
    )
    const held = [latest, ...index.manifests.map(m => m.digest)]
    const statuses = await Promise.all(
      held.map(d => manifestStatus(plain, repo, d))
    )
    expect(statuses).toStrictEqual(held.map(() => 200))
    const verified = await cosignVerify(
      `${ghcr.plain}/${repo}@${latest}`,
      keys.publicKeyFile,
      [plain]
    )
    expect(verified).toMatchObject({ code: 0 })
    const verified3 = await cosignVerify(
      `${ghcr.plain}/${repo}@${latest}`,
      keys.publicKeyFile,
      [plain],
      stackEnv().cosign3
    )
    expect(verified3).toMatchObject({ code: 0 })
    expect(referrers.length).toBeGreaterThan(0)
    expect(await discover(plain, repo, latest)).toStrictEqual(referrers)
  })

  it('a token that may only read fails at its first delete (the probe) naming packages: write; the versions are exactly those before', async () => {
    await pushIndex(ghcr, repo, undefined)
    const before = await versions([repo, shared])
    const step = await cleanup(
      { cleanup: 'untagged', 'older-than': '0m', images },
      runnerEnv('schedule'),
      ghcr.readToken
    )
    expect(step.code).not.toBe(0)
    const errors = errorLines(step.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(
      `::error::cleanup: ${ghcr.host} refuses to delete (nothing was deleted): github-token ` +
        `may not delete versions of ${ghcr.host}/${repo} (HTTP `
    )
    expect(errors[0]).toContain('`permissions: packages: write`')
    // nothing written: no probe's tombstone, no version gone
    expect(await versions([repo, shared])).toStrictEqual(before)
  })
})

describe('cleanup: pr on GHCR whose only removal is a tombstone, with a token that may not delete', () => {
  it('fails naming packages: write, gives the tag back, and says the tombstone it leaves (GitHub tells no delete right without a write)', async () => {
    const repo = newPackage('cleanup-tombstone-only')
    const held = (
      await pushTestImage(plain, repo, { tags: ['main-abc123', 'pr-9'] })
    ).manifest.digest
    const before = await versions([repo])
    const step = await cleanup(
      { cleanup: 'pr', images: `${ghcr.host}/${repo}` },
      closedPullRequest(9),
      ghcr.readToken
    )
    expect(step.code).not.toBe(0)
    const errors = errorLines(step.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(
      `::error::cleanup: ${ghcr.host} refuses to delete (nothing was deleted; pr-9 is back ` +
        'on its image, and its tombstone stays as one untagged version): github-token may not ' +
        `delete versions of ${ghcr.host}/${repo} (HTTP `
    )
    // the image keeps both tags; the one version added is the tombstone, untagged
    const after = (await versions([repo]))[repo]
    expect(after[held]).toStrictEqual(before[repo][held])
    const added = Object.keys(after).filter(d => !(d in before[repo]))
    expect(added).toHaveLength(1)
    expect(after[added[0]]).toStrictEqual([])
  })
})

describe("cleanup: untagged on GHCR: an image's age is when GitHub says it was pushed", () => {
  it('with SOURCE_DATE_EPOCH at a commit 10 days old, an orphan pushed then goes under older-than 7d; one built then but pushed now stays', async () => {
    const repo = newPackage('cleanup-age')
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000)
    const created = tenDaysAgo.toISOString()
    const push = async (tags: string[]) =>
      (await pushTestImage(plain, repo, { tags, created })).manifest.digest
    await push(['latest'])
    const old = await push([])
    const pushedNow = await push([])
    backdatePush(ghcr, repo, old, tenDaysAgo)
    const commitTime = String(Math.floor(tenDaysAgo.getTime() / 1000))

    const step = await cleanup(
      {
        cleanup: 'untagged',
        'older-than': '7d',
        images: `${ghcr.host}/${repo}`
      },
      runnerEnv('schedule', { SOURCE_DATE_EPOCH: commitTime })
    )
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    expect(cleaned(step).map(c => [c.digest, c.age?.source])).toStrictEqual([
      [old, 'package version']
    ])
    expect(step.summary).toMatch(
      /no tag reaches it; 10 days old: pushed \S+ \(GHCR's package version\)/
    )
    const left = Object.keys((await versions([repo]))[repo])
    expect(left).toContain(pushedNow)
    expect(left).not.toContain(old)
  })
})

describe("cleanup: pr on GHCR removes the untagged images the pull request's runs left", () => {
  it("a matrix leg of pull request 7 whose merge never ran goes; pull request 77's leg stays", async () => {
    const repo = newPackage('cleanup-legs')
    const image = `${ghcr.host}/${repo}`
    // a mode: digest leg of each pull request, pushed by digest (no tag), as the runner runs it
    const leg = async (pr: number) => {
      const step = await runMain(
        {
          mode: 'digest',
          handover: 'outputs',
          images: `${plain.host}/${repo}`,
          username: plain.username,
          password: plain.password,
          context: HELLO,
          platforms: 'linux/amd64'
        },
        pullRequestEvent(pr, 'synchronize')
      )
      expect(errorLines(step.stdout)).toEqual([])
      expect(step.code).toBe(0)
      return step.outputs.digest
    }
    const pr7 = await leg(7)
    const pr77 = await leg(77)
    const before = (await versions([repo]))[repo]
    const step = await cleanup(
      { cleanup: 'pr', images: image },
      closedPullRequest()
    )
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    // pull request 7's leg goes whole (its index first, then what only it holds), untagged
    const gone = cleaned(step)
    expect(gone[0].digest).toBe(pr7)
    expect(gone.every(c => c.tag === undefined)).toBe(true)
    const left = (await versions([repo]))[repo]
    expect(Object.keys(left).sort()).toStrictEqual(
      Object.keys(before)
        .filter(d => !gone.some(c => c.digest === d))
        .sort()
    )
    // pull request 77's leg is whole: its index and every manifest it holds resolve
    const index = await readJson<{ manifests: { digest: string }[] }>(
      plain,
      repo,
      `manifests/${pr77}`
    )
    const held = [pr77, ...index.manifests.map(m => m.digest)]
    for (const digest of held) {
      expect(left).toHaveProperty([digest])
      expect(await manifestStatus(plain, repo, digest)).toBe(200)
    }
  })
})
