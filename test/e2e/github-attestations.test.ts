/**
 * github-attestations: GitHub's build provenance of a two-platform release, made by @actions/attest
 * in the bundled action against the stack's Sigstore stand-ins (reached at the fixed URLs it uses
 * through test/support/sigstore-forwarder.ts) and stored with a stand-in of the attestations API
 * (test/support/attestations-api.ts); judged by clients nobody here wrote: cosign 3.1.1's
 * verify-attestation on the registry's referrers, @sigstore/verify on the API's bundles, oras
 * discover. Then the default's off rows and a refusal of the API: the release lands, one line.
 *
 * It runs beside the other lanes (scripts/e2e-lanes.mjs): it builds only on the default engine,
 * whose BuildKit no file holds or restarts; its stand-ins and forwarder listen on ports of their
 * own, and its repositories and packages are its own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Bundle, TrustedRoot } from '@sigstore/protobuf-specs'
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify'
import {
  manifestStatus,
  publishedTags,
  readJson,
  readManifest,
  referrersStatus
} from './registry-api.js'
import { HELLO, RELEASE_TAGS, errorLines, runHello } from './releases.js'
import {
  credentials,
  loginsFor,
  runnerEnv,
  uniqueRepo,
  visibleText
} from './steps.js'
import { runMain, type StepResult } from './runner.js'
import {
  executedLines,
  planLine,
  planOf,
  runTempDir,
  sameStep
} from './field-support.js'
import { loadEvent } from '../fixtures/events.js'
import {
  ghcrStack,
  stackEnv,
  type StackEnv,
  type StackRegistry
} from '../support/stack-env.js'
import { plainTwin } from '../support/ghcr-seed.js'
import { hostsFile, withHosts } from '../support/with-hosts.js'
import { orasDiscover } from '../support/oras.js'
import { cosign3VerifyAttestation } from '../support/cosign.js'
import {
  GITHUB_ISSUER,
  startStandins,
  WORKFLOW_IDENTITY,
  type Standins
} from '../support/sigstore-standins.js'
import {
  startSigstoreForwarder,
  type SigstoreForwarder
} from '../support/sigstore-forwarder.js'
import {
  startAttestationsApi,
  type AttestationsApi
} from '../support/attestations-api.js'

const WORKFLOW = { identity: WORKFLOW_IDENTITY, issuer: GITHUB_ISSUER }
const OTHER = {
  ...WORKFLOW,
  identity: WORKFLOW_IDENTITY.replace('release.yml', 'other.yml')
}
const PLATFORMS = 'linux/amd64,linux/arm64'
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json'

let stack: StackEnv
let standins: Standins
let forwarder: SigstoreForwarder
let api: AttestationsApi

beforeAll(async () => {
  stack = stackEnv()
  standins = await startStandins()
  forwarder = await startSigstoreForwarder(standins)
  api = await startAttestationsApi()
})
afterAll(async () => {
  await Promise.all([api.close(), forwarder.close(), standins.close()])
})

/** A tag push's runner with the job's ID token, Sigstore forwarded, the API at `apiUrl`. */
function attestingEnv(
  apiUrl: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return runnerEnv('push-tag', {
    ...standins.tokenEnv,
    ...forwarder.env,
    GITHUB_API_URL: apiUrl,
    ...extra
  })
}

const INPUTS = { platforms: PLATFORMS, 'github-token': 'ghs_attesting' }

/** The hello release of `repo` on registry A, attested through the API at `apiUrl`: run `attempt`. */
const releaseAttempt = (repo: string, apiUrl: string, attempt: number) =>
  runHello(
    stack.a,
    repo,
    INPUTS,
    attestingEnv(apiUrl, { GITHUB_RUN_ATTEMPT: String(attempt) })
  )

/** The step's lines that name github-attestations: annotations, and plain log lines. */
const attestationLines = (step: StepResult) =>
  step.stdout
    .split('\n')
    .filter(line =>
      /^(::(notice|warning|error)::)?github-attestations[ :]/.test(line)
    )

/** @sigstore/verify's answer on a bundle: '' when it verifies for the identity, else why not. */
function sigstoreVerify(bundle: object, identity: typeof WORKFLOW): string {
  const trust = toTrustMaterial(
    TrustedRoot.fromJSON(
      JSON.parse(readFileSync(standins.trustedRootFile, 'utf8'))
    )
  )
  const entity = toSignedEntity(
    Bundle.fromJSON(bundle) as Parameters<typeof toSignedEntity>[0]
  )
  try {
    new Verifier(trust).verify(entity, {
      subjectAlternativeName: identity.identity,
      extensions: { issuer: identity.issuer }
    })
    return ''
  } catch (error) {
    return (error as Error).message
  }
}

/** The bundle the API holds for each subject verifies for the workflow, and not for another. */
function expectSigstoreVerified(subjects: string[]): void {
  for (const subject of subjects) {
    const [held] = api.held.filter(h => h.subjects.includes(subject))
    expect({ subject, why: sigstoreVerify(held.bundle, WORKFLOW) }).toEqual({
      subject,
      why: ''
    })
    expect(sigstoreVerify(held.bundle, OTHER)).not.toBe('')
  }
}

/** `oras discover` of a digest (on registry A unless named): the artifactTypes of its referrers. */
async function discover(
  repo: string,
  digest: string,
  registry: StackRegistry = stack.a
): Promise<string[]> {
  const found = await orasDiscover(registry, repo, digest)
  return (found.referrers ?? []).map(r => r.artifactType ?? '')
}

/** cosign 3's verify-attestation of each subject in `registry`'s `repo`: exit codes, the output. */
async function verifications(
  registry: StackEnv['a'],
  repo: string,
  subjects: string[],
  type?: string
) {
  const rows = []
  for (const subject of subjects) {
    const ref = `${registry.host}/${repo}@${subject}`
    const verify = (identity: typeof WORKFLOW) =>
      cosign3VerifyAttestation(
        stack.cosign3,
        ref,
        identity,
        standins.trustedRootFile,
        [registry],
        type
      )
    const { code, output } = await verify(WORKFLOW)
    const otherFails = (await verify(OTHER)).code !== 0
    rows.push({ ref, workflow: code, otherFails, output })
  }
  return rows
}

/** What `verifications` are where each subject verifies for the workflow, not for another. */
const verified = (registry: StackEnv['a'], repo: string, subjects: string[]) =>
  subjects.map(subject => ({
    ref: `${registry.host}/${repo}@${subject}`,
    workflow: 0,
    otherFails: true
  }))

/** A release's subjects: the index at `tag`, then the platform manifests it lists. */
async function releaseSubjects(
  registry: StackRegistry,
  repo: string,
  tag = '1.2.3'
): Promise<string[]> {
  const { digest } = await readManifest(registry, repo, tag)
  const index = await readJson<{
    manifests: { digest: string; annotations?: Record<string, string> }[]
  }>(registry, repo, `manifests/${digest}`)
  const listed = index.manifests.filter(
    m => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest'
  )
  return [digest, ...listed.map(m => m.digest)]
}

describe('github-attestations: a two-platform release, attested by default', () => {
  let repo: string
  let main: StepResult
  let subjects: string[]

  beforeAll(async () => {
    repo = uniqueRepo('gh-attest')
    main = await runHello(stack.a, repo, INPUTS, attestingEnv(api.url))
    subjects = await releaseSubjects(stack.a, repo)
  })

  it('lands the release with one attestation per subject: the index and each platform manifest', async () => {
    expect(errorLines(main.stdout)).toEqual([])
    expect(attestationLines(main)).toEqual([])
    expect(main.code).toBe(0)
    expect(subjects).toHaveLength(3)
    // registry A has no referrers API: each subject's list in its referrers tag
    const referrersTags = subjects.map(s => s.replace(':', '-'))
    expect(await publishedTags(stack.a, repo)).toEqual(
      [...RELEASE_TAGS, ...referrersTags].sort()
    )
    const stored = JSON.parse(main.outputs.attestations) as {
      subject: string
      id: string
      url: string
    }[]
    expect(stored.map(s => s.subject)).toEqual(subjects)
    expect(
      subjects.map(s => api.held.filter(h => h.subjects.includes(s)).length)
    ).toEqual([1, 1, 1])
    for (const { id, url } of stored)
      expect(url).toBe(`https://github.com/acme/webapp/attestations/${id}`)
    // acme is an organization: one storage record, of the image's digest
    const image = `${stack.a.host}/${repo}`
    expect(api.records.filter(r => r.name === image)).toEqual([
      expect.objectContaining({
        owner: 'acme',
        digest: subjects[0],
        registryUrl: `https://${stack.a.host}`
      })
    ])
    expect(main.summary).toContain('#### GitHub attestations')
    // the provenance phase ran before the first tag moved
    expect(
      main.stdout.indexOf('::group::Attest the staged digests')
    ).toBeLessThan(main.stdout.indexOf('\ntag '))
    const seen = visibleText(main)
    for (const token of standins.tokens) expect(seen).not.toContain(token)
  })

  it("cosign 3's verify-attestation passes on each subject for the workflow, not for another", async () => {
    expect(await verifications(stack.a, repo, subjects)).toMatchObject(
      verified(stack.a, repo, subjects)
    )
  })

  it('@sigstore/verify passes on the bundle the API holds for each subject, for the workflow only', () => {
    expectSigstoreVerified(subjects)
    for (const subject of subjects) {
      const [held] = api.held.filter(h => h.subjects.includes(subject))
      const statement = JSON.parse(
        Buffer.from(
          held.bundle.dsseEnvelope?.payload ?? '',
          'base64'
        ).toString()
      ) as {
        predicateType: string
        predicate: { runDetails: { builder: { id: string } } }
      }
      expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1')
      expect(statement.predicate.runDetails.builder.id).toBe(WORKFLOW_IDENTITY)
    }
  })

  it('oras discover lists the attestation among the referrers of each subject', async () => {
    for (const subject of subjects)
      expect({ subject, types: await discover(repo, subject) }).toEqual({
        subject,
        types: expect.arrayContaining([BUNDLE_TYPE])
      })
  })

  it('a re-run of the same commit signs, stores and attaches nothing again, and names the same attestations', async () => {
    const creates = api.creates
    const rerun = await releaseAttempt(repo, api.url, 2)
    expect(errorLines(rerun.stdout)).toEqual([])
    expect(rerun.code).toBe(0)
    expect((await readManifest(stack.a, repo, '1.2.3')).digest).toBe(
      subjects[0]
    )
    expect(api.creates).toBe(creates)
    expect(rerun.outputs.attestations).toBe(main.outputs.attestations)
    // no referrers tag for the re-run's own build, which no tag takes
    const referrersTags = subjects.map(s => s.replace(':', '-'))
    expect(await publishedTags(stack.a, repo)).toEqual(
      [...RELEASE_TAGS, ...referrersTags].sort()
    )
    for (const subject of subjects)
      expect({ subject, types: await discover(repo, subject) }).toEqual({
        subject,
        types: [BUNDLE_TYPE]
      })
    expect(rerun.stdout).toMatch(/attested already by this workflow/)
    const image = `${stack.a.host}/${repo}`
    expect(api.records.filter(r => r.name === image)).toHaveLength(1)
  })

  it('a promote to a second registry carries them (cosign 3 verifies each subject on the target, for the workflow only) and records the target once', async () => {
    const { a, b } = stack
    const target = uniqueRepo('gh-attest-promoted')
    const creates = api.creates
    const promote = () =>
      runMain(
        {
          mode: 'promote',
          source: `${a.host}/${repo}:1.2.3`,
          images: `${b.host}/${target}`,
          logins: loginsFor(a, b)
        },
        attestingEnv(api.url)
      )
    const first = await promote()
    expect(errorLines(first.stdout)).toEqual([])
    expect(first.code).toBe(0)
    // the index is copied as it is: the same subjects, each with its referrer
    expect(first.outputs.digest).toBe(subjects[0])
    expect(await verifications(b, target, subjects)).toMatchObject(
      verified(b, target, subjects)
    )
    // nothing signed or stored: the target's own storage record, of the promoted digest
    const records = () =>
      api.records.filter(r => r.name === `${b.host}/${target}`)
    const record = expect.objectContaining({
      owner: 'acme',
      digest: subjects[0],
      registryUrl: `https://${b.host}`
    })
    expect(records()).toEqual([record])
    const again = await promote()
    expect(errorLines(again.stdout)).toEqual([])
    expect(again.code).toBe(0)
    expect(records()).toEqual([record])
    expect(api.creates).toBe(creates)
  })
})

describe("verify-identity on a promote naming github-attestations: the source's GitHub provenance is the gate", () => {
  let repo: string
  let attested: string
  let unattested: string

  beforeAll(async () => {
    // two releases on registry A: one attested by default, one with github-attestations: false
    repo = uniqueRepo('gh-attest-gate')
    const release = (inputs: Record<string, string>, version: string) =>
      runHello(
        stack.a,
        repo,
        { ...INPUTS, tags: `type=raw,value=${version}`, ...inputs },
        attestingEnv(api.url)
      )
    const runs = [
      await release({}, 'attested'),
      await release(
        { 'github-attestations': 'false', labels: 'nonce=unattested' },
        'unattested'
      )
    ]
    for (const run of runs)
      if (run.code !== 0)
        throw new Error(
          `a release failed: ${errorLines(run.stdout).join('; ')}`
        )
    ;[attested, unattested] = runs.map(run => run.outputs.digest)
  })

  /** A promote of `digest` to registry B, gated by verify-identity on GitHub's provenance. */
  async function promoteGated(digest: string, identity: string) {
    const { a, b } = stack
    const target = uniqueRepo('gh-attest-gated')
    const step = await runMain(
      {
        mode: 'promote',
        source: `${a.host}/${repo}@${digest}`,
        images: `${b.host}/${target}`,
        tags: 'type=raw,value=stable',
        logins: loginsFor(a, b),
        'github-attestations': 'provenance',
        'verify-identity': identity,
        'verify-trusted-root': standins.trustedRootFile
      },
      attestingEnv(api.url)
    )
    return { step, tags: await publishedTags(b, target) }
  }

  it("passes with the workflow's attestation: the release lands on the target", async () => {
    const { step, tags } = await promoteGated(attested, WORKFLOW.identity)
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    expect(step.stdout).toContain(
      `${stack.a.host}/${repo}@${attested}: 1 GitHub provenance attestation(s) verify for ${WORKFLOW.identity}`
    )
    expect(tags).toContain('stable')
  })

  it.each<{
    name: string
    source: () => string
    identity: string
    why: RegExp
  }>([
    {
      name: "another workflow's identity",
      source: () => attested,
      identity: OTHER.identity,
      why: /: the certificate names https:\/\/github\.com\/acme\/webapp\/\.github\/workflows\/release\.yml/
    },
    {
      name: 'a source without an attestation',
      source: () => unattested,
      identity: WORKFLOW.identity,
      why: /\(issuer [^)]+\), so nothing/
    }
  ])(
    'refuses $name: one line, no tag on the target',
    async ({ source, identity, why }) => {
      const { step, tags } = await promoteGated(source(), identity)
      expect(step.code).not.toBe(0)
      const [line, ...more] = errorLines(step.stdout)
      expect(more).toEqual([])
      expect(line).toMatch(
        /^::error::input "verify-identity": no GitHub provenance attestation on \S+ verifies for \S+ \(issuer [^)]+\).*, so nothing was promoted$/
      )
      expect(line).toMatch(why)
      expect(tags).toEqual([])
    }
  )
})

describe('github-attestations on GHCR: no referrers API, the referrers tag schema', () => {
  // the stand-in (scripts/stack/lib/ghcr.sh) as the step meets ghcr.io: its name in the step's
  // own /etc/hosts, TLS with registry E's CA beside the forwarder's; judged over its plain twin
  const ghcr = ghcrStack()
  const plain = plainTwin(ghcr)
  const launcher = withHosts(hostsFile({ '127.0.0.1': 'ghcr.io' }))
  const repo = `octo-org/e2e-attest-${randomBytes(4).toString('hex')}`
  let main: StepResult
  let subjects: string[]
  /** What the release stored (the platform manifests are those of other rows' same build). */
  let stored: AttestationsApi['held']

  /** The release of v1.2.3 to ghcr.io, attested, as the runner runs the step. */
  function release(extra: Record<string, string> = {}): Promise<StepResult> {
    const env = attestingEnv(api.url, extra)
    const cas = join(mkdtempSync(join(tmpdir(), 'dpa-cas-')), 'cas.pem')
    writeFileSync(
      cas,
      [env.NODE_EXTRA_CA_CERTS, ghcr.ca].map(f => readFileSync(f)).join('\n')
    )
    return runMain(
      {
        images: `${ghcr.host}/${repo}`,
        ...credentials(ghcr),
        context: HELLO,
        ...INPUTS
      },
      { ...env, NODE_EXTRA_CA_CERTS: cas },
      launcher
    )
  }

  /** Each subject's referrers tag: the digests its index lists. */
  const tagSchema = () =>
    Promise.all(
      subjects.map(async subject => {
        const tag = subject.replace(':', '-')
        const held = await readJson<{ manifests: { digest: string }[] }>(
          plain,
          repo,
          `manifests/${tag}`
        )
        return { tag, listed: held.manifests.map(m => m.digest) }
      })
    )

  beforeAll(async () => {
    const before = api.held.length
    main = await release()
    stored = api.held.slice(before)
    subjects = await releaseSubjects(plain, repo)
  })

  it("lands the release; each subject's attestation in its referrers tag, as the referrers API answers 404", async () => {
    expect(errorLines(main.stdout)).toEqual([])
    expect(attestationLines(main)).toEqual([])
    expect(main.code).toBe(0)
    expect(subjects).toHaveLength(3)
    // GHCR has no referrers API: GET …/referrers/<digest> answers 404 (NVIDIA/aicr#1957)
    for (const subject of subjects)
      expect(await referrersStatus(plain, repo, subject)).toBe(404)
    const schema = await tagSchema()
    expect(await publishedTags(plain, repo)).toEqual(
      [...RELEASE_TAGS, ...schema.map(s => s.tag)].sort()
    )
    expect(schema.map(s => s.listed.length)).toEqual([1, 1, 1])
    // the API holds one attestation per subject, and the organization's image one record
    expect(
      subjects.map(s => stored.filter(h => h.subjects.includes(s)).length)
    ).toEqual([1, 1, 1])
    expect(api.records.filter(r => r.name === `${ghcr.host}/${repo}`)).toEqual([
      expect.objectContaining({
        owner: 'acme',
        digest: subjects[0],
        registryUrl: `https://${ghcr.host}`
      })
    ])
  })

  it("cosign 3's verify-attestation and @sigstore/verify pass on each subject for the workflow, not for another", async () => {
    expect(await verifications(plain, repo, subjects)).toMatchObject(
      verified(plain, repo, subjects)
    )
    expectSigstoreVerified(subjects)
  })

  it('oras discover lists the attestation of each subject, through the tag schema', async () => {
    for (const subject of subjects)
      expect({ subject, types: await discover(repo, subject, plain) }).toEqual({
        subject,
        types: [BUNDLE_TYPE]
      })
  })

  it('a re-run changes nothing: no create, no second entry in a referrers tag, no record', async () => {
    const creates = api.creates
    const before = await tagSchema()
    const rerun = await release({ GITHUB_RUN_ATTEMPT: '2' })
    expect(errorLines(rerun.stdout)).toEqual([])
    expect(rerun.code).toBe(0)
    expect(rerun.outputs.attestations).toBe(main.outputs.attestations)
    expect(api.creates).toBe(creates)
    expect(await tagSchema()).toEqual(before)
    expect(await publishedTags(plain, repo)).toEqual(
      [...RELEASE_TAGS, ...before.map(s => s.tag)].sort()
    )
    expect(
      api.records.filter(r => r.name === `${ghcr.host}/${repo}`)
    ).toHaveLength(1)
  })
})

/** The statement in a DSSE bundle the API holds. */
const statementIn = (bundle: { dsseEnvelope?: { payload: string } }) =>
  JSON.parse(
    Buffer.from(bundle.dsseEnvelope?.payload ?? '', 'base64').toString()
  ) as { predicateType: string; predicate: unknown }

/** actions/attest's predicate type of an SPDX 2.3 document, what the stack's generator writes. */
const SPDX = 'https://spdx.dev/Document/v2.3'

interface Listed {
  digest: string
  annotations?: Record<string, string>
}

/** The SBOM statement BuildKit put in the index's attestation manifest of each platform manifest. */
async function builtSboms(repo: string, index: string) {
  const { manifests } = await readJson<{ manifests: Listed[] }>(
    stack.a,
    repo,
    `manifests/${index}`
  )
  const sboms = new Map<string, { predicateType: string; predicate: unknown }>()
  for (const entry of manifests) {
    const platform = entry.annotations?.['vnd.docker.reference.digest']
    if (platform === undefined) continue
    const { layers } = await readJson<{ layers: Listed[] }>(
      stack.a,
      repo,
      `manifests/${entry.digest}`
    )
    const layer = layers.find(
      l =>
        l.annotations?.['in-toto.io/predicate-type'] ===
        'https://spdx.dev/Document'
    )
    if (layer !== undefined)
      sboms.set(
        platform,
        await readJson(stack.a, repo, `blobs/${layer.digest}`)
      )
  }
  return sboms
}

describe("github-attestations: provenance,sbom on a two-platform release, with the stack's SBOM generator", () => {
  let repo: string
  let main: StepResult
  let index: string
  let sboms: Map<string, { predicateType: string; predicate: unknown }>
  const inputs = () => ({
    ...INPUTS,
    'github-attestations': 'provenance,sbom',
    sbom: `generator=${stack.emulation.standIns.sbomGenerator}`
  })

  beforeAll(async () => {
    repo = uniqueRepo('gh-attest-sbom')
    main = await runHello(stack.a, repo, inputs(), attestingEnv(api.url))
    index = (await readManifest(stack.a, repo, '1.2.3')).digest
    sboms = await builtSboms(repo, index)
  })

  it("attests each platform manifest's SBOM beside the provenance, its predicate the document BuildKit made", async () => {
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    const platforms = [...sboms.keys()]
    // BuildKit made one SBOM per platform manifest
    expect(platforms).toHaveLength(2)
    expect([...sboms.values()].map(s => s.predicateType)).toEqual([
      'https://spdx.dev/Document',
      'https://spdx.dev/Document'
    ])
    const stored = JSON.parse(main.outputs.attestations) as {
      subject: string
      predicateType: string
    }[]
    expect(stored.map(s => [s.subject, s.predicateType])).toEqual([
      ...[index, ...platforms].map(s => [s, 'https://slsa.dev/provenance/v1']),
      ...platforms.map(s => [s, SPDX])
    ])
    for (const platform of platforms) {
      const held = api.held.filter(
        h =>
          h.subjects.includes(platform) &&
          statementIn(h.bundle).predicateType === SPDX
      )
      expect(held).toHaveLength(1)
      expect(statementIn(held[0].bundle).predicate).toEqual(
        sboms.get(platform)?.predicate
      )
      expect(sigstoreVerify(held[0].bundle, WORKFLOW)).toBe('')
      expect(sigstoreVerify(held[0].bundle, OTHER)).not.toBe('')
    }
    // the referrers tags of the index and of each platform manifest
    expect(await publishedTags(stack.a, repo)).toEqual(
      [
        ...RELEASE_TAGS,
        ...[index, ...platforms].map(s => s.replace(':', '-'))
      ].sort()
    )
  })

  it("cosign 3's verify-attestation of the SBOM type passes on each platform manifest for the workflow, not for another", async () => {
    const platforms = [...sboms.keys()]
    expect(await verifications(stack.a, repo, platforms, SPDX)).toMatchObject(
      verified(stack.a, repo, platforms)
    )
  })

  it('a re-run of the same commit adds no attestation, referrer or tag', async () => {
    const creates = api.creates
    const tags = await publishedTags(stack.a, repo)
    const referrers = await Promise.all(
      [...sboms.keys()].map(p => discover(repo, p))
    )
    const rerun = await runHello(
      stack.a,
      repo,
      inputs(),
      attestingEnv(api.url, { GITHUB_RUN_ATTEMPT: '2' })
    )
    expect(errorLines(rerun.stdout)).toEqual([])
    expect(rerun.code).toBe(0)
    expect(api.creates).toBe(creates)
    expect(rerun.outputs.attestations).toBe(main.outputs.attestations)
    expect(rerun.stdout).toMatch(/its SBOM attested already/)
    expect(await publishedTags(stack.a, repo)).toEqual(tags)
    expect(
      await Promise.all([...sboms.keys()].map(p => discover(repo, p)))
    ).toEqual(referrers)
  })

  it('a generator that writes no SBOM: the run fails before any tag moves, naming the image', async () => {
    const bare = uniqueRepo('gh-attest-no-sbom')
    const creates = api.creates
    // the busybox base runs its CMD, /bin/sh, which reads no script and writes nothing
    const run = await runHello(
      stack.a,
      bare,
      { ...inputs(), sbom: `generator=${stack.emulation.base}` },
      attestingEnv(api.url)
    )
    expect(run.code).not.toBe(0)
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /input "github-attestations": attesting .*carries no SBOM BuildKit made .*; no tag was moved/
      )
    ])
    expect(api.creates).toBe(creates)
    // no tag, no referrers tag
    expect(await publishedTags(stack.a, bare)).toEqual([])
  })
})

describe('github-attestations on a matrix: mode digest legs, then the merge', () => {
  /**
   * Two mode digest legs (`legInputs` beside the defaults) handed over in outputs, then their merge
   * (`mergeInputs`): the legs' digests, the merge, the API's attestations the merge added, and the
   * merged index's platform manifests.
   */
  async function matrixRelease(
    repo: string,
    legInputs: Record<string, string> = {},
    mergeInputs: Record<string, string> = {}
  ) {
    const env = attestingEnv(api.url)
    const creates = api.creates
    const outputs: Record<string, string> = {}
    const legs: string[] = []
    for (const platform of PLATFORMS.split(',')) {
      const leg = await runHello(
        stack.a,
        repo,
        {
          ...INPUTS,
          mode: 'digest',
          handover: 'outputs',
          platforms: platform,
          ...legInputs
        },
        env
      )
      expect(errorLines(leg.stdout)).toEqual([])
      expect(leg.code).toBe(0)
      // a leg attests nothing: its merge does
      expect(leg.outputs.attestations).toBe('[]')
      const name = `leg-${platform.replace('/', '-')}`
      outputs[name] = leg.outputs[name]
      legs.push(leg.outputs.digest)
    }
    expect(api.creates).toBe(creates)
    const held = api.held.length
    const merge = await runHello(
      stack.a,
      repo,
      {
        ...INPUTS,
        mode: 'merge',
        handover: JSON.stringify(outputs),
        ...mergeInputs
      },
      env
    )
    expect(errorLines(merge.stdout)).toEqual([])
    expect(merge.code).toBe(0)
    // the platform manifests are those of the release above, in another repository: the API
    // holds those too
    const stored = api.held.slice(held)
    const index = merge.outputs.digest
    const listed = await readJson<{ manifests: Listed[] }>(
      stack.a,
      repo,
      `manifests/${index}`
    )
    const platforms = listed.manifests
      .filter(
        m =>
          m.annotations?.['vnd.docker.reference.type'] !==
          'attestation-manifest'
      )
      .map(m => m.digest)
    expect(platforms).toHaveLength(2)
    return { legs, merge, stored, index, platforms }
  }

  it("attests each leg's digest and the merged index with its platform manifests; cosign 3 verifies each", async () => {
    const repo = uniqueRepo('gh-attest-merge')
    const { legs, merge, stored, index, platforms } = await matrixRelease(repo)
    // each leg is an index (its platform manifest and buildx's provenance), not listed in the merge's
    const subjects = [index, ...platforms, ...legs]
    expect(new Set(subjects).size).toBe(5)
    const named = JSON.parse(merge.outputs.attestations) as {
      subject: string
    }[]
    expect(named.map(s => s.subject).sort()).toEqual([...subjects].sort())
    expect(
      subjects.map(s => stored.filter(h => h.subjects.includes(s)).length)
    ).toEqual(subjects.map(() => 1))
    expect(await verifications(stack.a, repo, subjects)).toMatchObject(
      verified(stack.a, repo, subjects)
    )
  })

  it("provenance,sbom: attests the SBOM each leg's build made, one per platform manifest; cosign 3 verifies the SPDX type for the workflow only", async () => {
    const repo = uniqueRepo('gh-attest-merge-sbom')
    const { legs, merge, stored, platforms } = await matrixRelease(
      repo,
      { sbom: `generator=${stack.emulation.standIns.sbomGenerator}` },
      { 'github-attestations': 'provenance,sbom' }
    )
    // BuildKit's SBOM of each platform, in its leg's index
    const sboms = new Map<string, unknown>()
    for (const leg of legs)
      for (const [platform, sbom] of await builtSboms(repo, leg))
        sboms.set(platform, sbom.predicate)
    expect([...sboms.keys()].sort()).toEqual([...platforms].sort())
    const named = JSON.parse(merge.outputs.attestations) as {
      subject: string
      predicateType: string
    }[]
    expect(
      named
        .filter(s => s.predicateType === SPDX)
        .map(s => s.subject)
        .sort()
    ).toEqual([...platforms].sort())
    for (const platform of platforms) {
      const spdx = stored.filter(
        h =>
          h.subjects.includes(platform) &&
          statementIn(h.bundle).predicateType === SPDX
      )
      expect(spdx).toHaveLength(1)
      expect(statementIn(spdx[0].bundle).predicate).toEqual(sboms.get(platform))
    }
    expect(await verifications(stack.a, repo, platforms, SPDX)).toMatchObject(
      verified(stack.a, repo, platforms)
    )
  })
})

/** A push-tag payload with the repository private. */
function privateRepository(): string {
  const payload = loadEvent('push-tag').payload as {
    repository: Record<string, unknown>
  }
  payload.repository.private = true
  payload.repository.visibility = 'private'
  const path = join(mkdtempSync(join(tmpdir(), 'dpa-event-')), 'event.json')
  writeFileSync(path, JSON.stringify(payload))
  return path
}

describe('github-attestations left at its default where it cannot attest', () => {
  it.each<{ name: string; env: () => Record<string, string>; line: RegExp }>([
    {
      name: 'no id-token (no ACTIONS_ID_TOKEN_REQUEST_URL)',
      env: () =>
        runnerEnv('push-tag', { ...forwarder.env, GITHUB_API_URL: api.url }),
      // a job that never asked carries no annotation: one line in the log
      line: /^github-attestations is off: the job has no ID token/
    },
    {
      name: 'a private repository',
      env: () =>
        attestingEnv(api.url, { GITHUB_EVENT_PATH: privateRepository() }),
      line: /^::notice::github-attestations is off: the repository is private, not public/
    }
  ])(
    '$name: the release lands, one line, nothing attested',
    async ({ env, line }) => {
      const repo = uniqueRepo('gh-attest-off')
      const creates = api.creates
      const main = await runHello(stack.a, repo, INPUTS, env())
      expect(errorLines(main.stdout)).toEqual([])
      expect(main.code).toBe(0)
      expect(attestationLines(main)).toEqual([expect.stringMatching(line)])
      expect(await publishedTags(stack.a, repo)).toEqual(RELEASE_TAGS)
      expect(await discover(repo, main.outputs.digest)).toEqual([])
      expect(api.creates).toBe(creates)
      expect(main.outputs.attestations).toBe('[]')
    }
  )

  it.each<{
    name: string
    refuse: Parameters<typeof startAttestationsApi>
    warning: RegExp
    held: number
    referrers: string[]
  }>([
    {
      name: 'a 403 from the attestations API: one warning, no referrer written',
      refuse: [403],
      warning:
        /^::warning::github-attestations: the attestations API refused \(HTTP 403: Resource not accessible by integration\), so no attestation went to the registry: give the job "permissions: attestations: write"/,
      held: 0,
      referrers: []
    },
    {
      name: 'a 403 on the storage record (no artifact-metadata: write): one warning, the attestations stand',
      refuse: [undefined, true],
      warning:
        /^::warning::github-attestations: no storage record of .*\(HTTP 403: Resource not accessible by integration\): give the job "permissions: artifact-metadata: write"/,
      held: 3,
      referrers: [BUNDLE_TYPE]
    }
  ])(
    '$name; the release lands',
    async ({ refuse, warning, held, referrers }) => {
      const refusing = await startAttestationsApi(...refuse)
      try {
        const repo = uniqueRepo('gh-attest-403')
        const main = await runHello(
          stack.a,
          repo,
          INPUTS,
          attestingEnv(refusing.url)
        )
        expect(errorLines(main.stdout)).toEqual([])
        expect(main.code).toBe(0)
        expect(attestationLines(main)).toEqual([expect.stringMatching(warning)])
        expect(refusing.held).toHaveLength(held)
        expect(refusing.creates).toBe(Math.max(held, 1))
        expect(refusing.records).toEqual([])
        // the release's tags, and a referrers tag for each attestation the registry got
        const tags = await publishedTags(stack.a, repo)
        expect(tags.filter(tag => RELEASE_TAGS.includes(tag))).toEqual(
          RELEASE_TAGS
        )
        expect(tags).toHaveLength(RELEASE_TAGS.length + held)
        expect(await discover(repo, main.outputs.digest)).toEqual(referrers)
      } finally {
        await refusing.close()
      }
    }
  )

  it('named explicitly without an ID token: fails before any docker command, naming id-token: write', async () => {
    const repo = uniqueRepo('gh-attest-no-token')
    const main = await runHello(
      stack.a,
      repo,
      { ...INPUTS, 'github-attestations': 'provenance' },
      runnerEnv('push-tag')
    )
    expect(main.code).not.toBe(0)
    expect(errorLines(main.stdout)).toEqual([
      expect.stringMatching(
        /input "github-attestations": invalid value "provenance": .*"permissions: id-token: write"/
      )
    ])
    expect(main.stdout).not.toMatch(/::group::(Log in|Stage)/)
    expect(await publishedTags(stack.a, repo)).toEqual([])
  })
})

describe('github-attestations in a dry run', () => {
  it('plans the provenance steps the run executes, asks for no token and writes nothing', async () => {
    const repo = uniqueRepo('gh-attest-dry')
    const tokens = standins.tokens.length
    const creates = api.creates
    const main = await runHello(
      stack.a,
      repo,
      { ...INPUTS, 'dry-run': 'true' },
      attestingEnv(api.url)
    )
    expect(main.code).toBe(0)
    const steps = JSON.parse(main.outputs.plan) as {
      step: string
      method?: string
      url?: string
    }[]
    expect(
      steps
        .filter(s => s.step === 'provenance')
        .map(s => `${s.method} ${s.url}`)
    ).toEqual([
      `POST ${api.url}/repos/acme/webapp/attestations`,
      `PUT http://${stack.a.host}/v2/${repo}/manifests/<referrer digest>`
    ])
    // after the staging, before the first tag
    const names = steps.map(s => s.step)
    expect(names.indexOf('provenance')).toBeLessThan(names.indexOf('tag'))
    expect(names.indexOf('build')).toBeGreaterThanOrEqual(0)
    expect(names.indexOf('build')).toBeLessThan(names.indexOf('provenance'))
    expect(standins.tokens).toHaveLength(tokens)
    expect(api.creates).toBe(creates)
    expect(await publishedTags(stack.a, repo)).toEqual([])
  })
})

describe('github-attestations: the plan is the run', () => {
  /** The attestation steps a run took, and those its dry run printed. */
  const ATTESTING = ['provenance', 'record']
  const planned = (dry: StepResult) =>
    planOf(dry)
      .filter(entry => ATTESTING.includes(entry.step))
      .map(planLine)

  it('a dry run prints the attestation steps the run takes: sign and store, referrers, the storage record', async () => {
    const repo = uniqueRepo('gh-attest-plan')
    const env = attestingEnv(api.url, {
      GITHUB_RUN_ID: String(randomBytes(4).readUInt32BE())
    })
    const dry = await runHello(
      stack.a,
      repo,
      { ...INPUTS, 'dry-run': 'true' },
      env
    )
    expect(dry.code).toBe(0)
    const steps = planned(dry)
    const artifacts = `${api.url}/orgs/acme/artifacts`
    expect(steps.map(line => line.split(' (only if')[0])).toEqual([
      `provenance POST ${api.url}/repos/acme/webapp/attestations`,
      `provenance PUT http://${stack.a.host}/v2/${repo}/manifests/<referrer digest>`,
      `record    GET ${artifacts}/<digest>/metadata/storage-records`,
      `record    POST ${artifacts}/metadata/storage-record`
    ])
    for (const line of steps) expect(dry.stdout).toContain(`  ${line}\n`)
    const run = await runHello(stack.a, repo, INPUTS, env)
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    const taken = executedLines(run, ATTESTING)
    expect(taken).toEqual(
      steps.map(line => expect.stringMatching(sameStep(line, runTempDir(run))))
    )
    // the first run attested the digest: no read of the records, one made
    expect(taken[2]).toMatch(/ — not needed: this run attested the digest$/)
    expect(
      api.records.filter(r => r.name === `${stack.a.host}/${repo}`)
    ).toEqual([expect.objectContaining({ digest: run.outputs.digest })])
  })

  it("a re-run after the first run's storage record was refused makes it, and only it", async () => {
    const refusing = await startAttestationsApi(undefined, true)
    try {
      const repo = uniqueRepo('gh-attest-record-rerun')
      const first = await releaseAttempt(repo, refusing.url, 1)
      expect(first.code).toBe(0)
      expect(attestationLines(first)).toEqual([
        expect.stringMatching(
          /^::warning::github-attestations: no storage record of /
        )
      ])
      expect(refusing.records).toEqual([])
      const creates = refusing.creates
      // the job given artifact-metadata: write, and run again
      refusing.refuseRecords = false
      const rerun = await releaseAttempt(repo, refusing.url, 2)
      expect(errorLines(rerun.stdout)).toEqual([])
      expect(attestationLines(rerun)).toEqual([])
      expect(rerun.code).toBe(0)
      expect(refusing.creates).toBe(creates)
      const record = expect.objectContaining({
        name: `${stack.a.host}/${repo}`,
        digest: first.outputs.digest,
        registryUrl: `https://${stack.a.host}`
      })
      expect(refusing.records).toEqual([record])
      expect(executedLines(rerun, ['record'])).toEqual([
        expect.stringMatching(/^record {4}GET .*\/storage-records \(only if/),
        expect.stringMatching(/^record {4}POST .*\/storage-record \(only if/)
      ])
      // a third run finds the record: reads, makes none
      const third = await releaseAttempt(repo, refusing.url, 3)
      expect(third.code).toBe(0)
      expect(refusing.records).toEqual([record])
      expect(executedLines(third, ['record'])[1]).toMatch(
        / — not needed: a storage record of the digest is held$/
      )
    } finally {
      await refusing.close()
    }
  })
})

/** The subjects a run attested. */
const subjectsOf = (step: StepResult) =>
  (JSON.parse(step.outputs.attestations ?? '[]') as { subject: string }[]).map(
    s => s.subject
  )

/** The digests of the Sigstore bundles attached to a run's attested subjects. */
async function bundlesOf(repo: string, step: StepResult): Promise<string[]> {
  const found = await Promise.all(
    subjectsOf(step).map(subject => orasDiscover(stack.a, repo, subject))
  )
  return found.flatMap(f =>
    (f.referrers ?? [])
      .filter(r => r.artifactType === BUNDLE_TYPE)
      .map(r => r.digest ?? '')
  )
}

/** Two attested releases of the hello app, each its own image (its label), `latest` on the second. */
async function attestedReleases(repo: string, versions: string[]) {
  const released: StepResult[] = []
  for (const version of versions) {
    const step = await runHello(
      stack.a,
      repo,
      {
        ...INPUTS,
        tags: `type=raw,value=${version}\ntype=raw,value=latest`,
        labels: `nonce=${version}`,
        'floating-guard': 'false'
      },
      attestingEnv(api.url)
    )
    expect(errorLines(step.stdout)).toEqual([])
    released.push(step)
  }
  return released
}

describe('rollback of an attested release (issue 68)', () => {
  it('moves latest back; the release it left carries its withdrawn mark beside its attestation, both kept, and the earlier keeps its own', async () => {
    const { a } = stack
    const repo = uniqueRepo('gh-attest-rollback')
    const [earlier, later] = await attestedReleases(repo, ['1.0.0', '1.1.0'])
    const left = (await readManifest(a, repo, '1.1.0')).digest
    const back = (await readManifest(a, repo, '1.0.0')).digest
    const [laterBundles, earlierBundles] = [
      await bundlesOf(repo, later),
      await bundlesOf(repo, earlier)
    ]
    const step = await runMain(
      {
        mode: 'rollback',
        images: `${a.host}/${repo}`,
        logins: loginsFor(a),
        source: '1.0.0',
        tags: 'latest',
        reason: 'a rollback beside an attestation'
      },
      runnerEnv('workflow-dispatch')
    )
    expect(errorLines(step.stdout)).toEqual([])
    expect((await readManifest(a, repo, 'latest')).digest).toBe(back)
    const types = (found: Awaited<ReturnType<typeof orasDiscover>>) =>
      (found.referrers ?? []).map(r => r.artifactType).sort()
    expect(types(await orasDiscover(a, repo, left))).toEqual(
      [
        BUNDLE_TYPE,
        'application/vnd.docker-publish-action.withdrawn.v1+json'
      ].sort()
    )
    expect(types(await orasDiscover(a, repo, back))).toEqual([BUNDLE_TYPE])
    // every bundle of both releases is still there, and cosign 3 still verifies the one left
    expect(
      await Promise.all(
        [...laterBundles, ...earlierBundles].map(d =>
          manifestStatus(a, repo, d)
        )
      )
    ).toEqual(Array(6).fill(200))
    expect(await verifications(a, repo, [left])).toMatchObject(
      verified(a, repo, [left])
    )
  })
})

describe('cleanup: untagged of an attested orphan (issue 68)', () => {
  it("deletes the orphan's attestation referrers with it and leaves latest's", async () => {
    const { a } = stack
    const repo = uniqueRepo('gh-attest-cleanup')
    // two attested releases of `latest`, the second's image another (its label): the first is
    // an orphan that only its attestations' referrers tags still name
    const release = (nonce: string) =>
      runHello(
        a,
        repo,
        {
          ...INPUTS,
          tags: 'type=raw,value=latest',
          labels: `nonce=${nonce}`,
          'floating-guard': 'false'
        },
        attestingEnv(api.url)
      )
    const first = await release('1')
    expect(errorLines(first.stdout)).toEqual([])
    const orphan = (await readManifest(a, repo, 'latest')).digest
    const second = await release('2')
    expect(errorLines(second.stdout)).toEqual([])
    const latest = (await readManifest(a, repo, 'latest')).digest
    expect(latest).not.toBe(orphan)
    const orphanBundles = await bundlesOf(repo, first)
    const latestBundles = await bundlesOf(repo, second)
    // the index and each platform manifest, each with its bundle
    expect([orphanBundles.length, latestBundles.length]).toEqual([3, 3])

    const step = await runMain(
      {
        mode: 'cleanup',
        cleanup: 'untagged',
        'older-than': '0m',
        images: `${a.host}/${repo}`,
        ...credentials(a)
      },
      runnerEnv('schedule')
    )
    expect(errorLines(step.stdout)).toEqual([])
    expect(step.code).toBe(0)
    const cleaned = (
      JSON.parse(step.outputs.cleaned ?? '[]') as { digest: string }[]
    ).map(c => c.digest)
    expect(cleaned).toEqual(expect.arrayContaining([orphan, ...orphanBundles]))
    const status = (digests: string[]) =>
      Promise.all(digests.map(d => manifestStatus(a, repo, d)))
    expect(await status([orphan, ...orphanBundles])).toEqual([
      404, 404, 404, 404
    ])
    expect(await status([latest, ...latestBundles])).toEqual([
      200, 200, 200, 200
    ])
    // latest and its subjects' referrers tags, no tag of the orphan's
    const referrersTags = subjectsOf(second).map(d => d.replace(':', '-'))
    expect(await publishedTags(a, repo)).toEqual(
      ['latest', ...referrersTags].sort()
    )
    for (const subject of subjectsOf(second))
      expect(await discover(repo, subject)).toEqual(
        expect.arrayContaining([BUNDLE_TYPE])
      )
  })
})
