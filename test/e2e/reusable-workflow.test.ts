/**
 * Native multi-arch in one `uses:` (issue 54): .github/workflows/publish.yml run the way GitHub
 * runs it (test/support/workflow-runner.ts: GitHub's parser and evaluator, the matrix expanded,
 * each leg's action step run as the runner runs dist/, outputs through `needs`), against a
 * registry that refuses deletes (as GHCR), with the stand-in of the runner's artifact service
 * offered to every job, to show that the job-output handover calls no service and sets no tag.
 * Then the README's hand-written matrix with that handover, under both artifact name rules.
 * Judged over the registry's HTTP API and the stand-in's store.
 *
 * The legs build on the default engine's docker driver (containerd store), which builds both
 * platforms of the COPY-only fixture on this amd64 machine (no emulation needed).
 *
 * Each job checks out the workflow's own commit (job.workflow_repository at job.workflow_sha,
 * here this checkout) and runs the action from there; its logins step runs by bash. Then what a
 * security review asks of it: the job's token offered to no registry but GitHub's (the
 * registry's own log of who offered credentials), a fork's pull request, the gate, key signing
 * verified by cosign 2.5 and 3.1.1, a build secret kept out of the image, its provenance and
 * the log, and GitHub's attestations signed in the workflow's own job (its identity, not the
 * caller's: the Sigstore and attestations API stand-ins of test/e2e/github-attestations.test.ts).
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { NameRule } from '../support/results-service/artifacts.js'
import {
  runWorkflow,
  withCheckout,
  type ActionRunner,
  type WorkflowCall
} from '../support/workflow-runner.js'
import {
  cosign3VerifyAttestation,
  cosignVerify,
  generateKeyPair
} from '../support/cosign.js'
import {
  GITHUB_ISSUER,
  startStandins,
  WORKFLOW_IDENTITY
} from '../support/sigstore-standins.js'
import { startSigstoreForwarder } from '../support/sigstore-forwarder.js'
import { startAttestationsApi } from '../support/attestations-api.js'
import { stackEnv, stackOras } from '../support/stack-env.js'
import {
  job,
  jobSite,
  newRun,
  outcome,
  platformManifests,
  TAGS,
  type WorkflowRun
} from './handover-jobs.js'
import { listTags, readJson, registryState } from './registry-api.js'
import { HELLO } from './releases.js'
import { legOutputName, legOutputs } from '../../src/settings/leg-outputs.js'
import { ROOT, type StepResult } from './runner.js'
import { forkPullRequest, uniqueRepo, visibleText } from './steps.js'

jest.setTimeout(300_000)

const WORKFLOW = join(ROOT, '.github/workflows/publish.yml')
const ACTION = 'acme/docker-publish-action@v1'
/** The workflow's own action, as its jobs check it out. */
const OWN_ACTION = './.docker-publish-action'
/** The job context: the called workflow's own repository and commit (this checkout's HEAD). */
const JOB = {
  workflow_repository: 'acme/docker-publish-action',
  workflow_sha: execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], {
    encoding: 'utf8'
  }).trim()
}

const site = jobSite()

const ABSENT = `sha256:${'0'.repeat(64)}`

/**
 * The action step as the runner runs it: this checkout's dist/ for `acme/docker-publish-action@v1`
 * (the ref the workflow names), each job with a runtime token of its own. `fail`: that platform's
 * build fails (a Dockerfile that is not there); `absent`: that leg's output names a digest the
 * registry does not hold (a leg of another registry, a tampered output).
 */
function actionRunner(
  run: WorkflowRun,
  attempt: number,
  steps: StepResult[],
  {
    fail = '',
    absent = '',
    event,
    env,
    defaults = {}
  }: {
    fail?: string
    absent?: string
    event?: Record<string, string>
    env?: Record<string, string>
    /** Inputs the runner fills in from action.yml's defaults (`github-token`: github.token). */
    defaults?: Record<string, string>
  } = {}
): ActionRunner {
  const action: ActionRunner = async (uses, inputs, { idToken }) => {
    expect(uses).toBe(OWN_ACTION)
    const broken: Record<string, string> =
      inputs.platforms === fail ? { file: 'Dockerfile.none' } : {}
    // the runner sets no INPUT_ the workflow leaves out (action.yml declares no default for these)
    const unset = { username: '', password: '' }
    const step = await job(
      site(),
      run,
      '',
      { ...unset, ...defaults, ...inputs, ...broken },
      { attempt, event, env: idToken ? env : withoutIdToken(env) }
    )
    steps.push(step)
    const outputs =
      inputs.platforms === absent
        ? { ...step.outputs, ...legOutputs(absent, [ABSENT]) }
        : step.outputs
    return { ok: step.code === 0, outputs }
  }
  return withCheckout(action, ROOT, [])
}

/** A job's environment where its token has no `id-token: write`: no ID token's request pair. */
function withoutIdToken(
  env: Record<string, string> | undefined
): Record<string, string> | undefined {
  if (env === undefined) return undefined
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => !name.startsWith('ACTIONS_ID_TOKEN_REQUEST_')
    )
  )
}

/** The workflow called with the caller's inputs and secrets, as `secrets: inherit` passes them. */
function call(
  repo: string,
  more: Record<string, unknown> = {}
): Omit<WorkflowCall, 'run'> {
  const { host, username, password } = site().registry
  return {
    inputs: { images: `${host}/${repo}`, context: HELLO, ...more },
    secrets: { REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password },
    github: { actor: 'octo', token: 'ghs_unused', repository: 'acme/app' },
    job: JOB
  }
}

/** The platform manifests the legs' images hold (each leg's digest output), by architecture. */
async function legImages(repo: string, legs: StepResult[]) {
  const each = await Promise.all(
    legs.map(leg =>
      platformManifests(site().registry, repo, leg.outputs.digest)
    )
  )
  return Object.assign({}, ...each) as Record<string, string>
}

describe('the reusable workflow: legs on their runners, handed over through job outputs', () => {
  it('two platforms land as one index with exactly the asked tags; no artifact, no other tag', async () => {
    const repo = uniqueRepo('workflow/both')
    const run = newRun()
    const steps: StepResult[] = []
    const logged = site().registry.logins().length
    const jobs = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(run, 1, steps)
    })
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual([
      'exit 0',
      'exit 0',
      'exit 0'
    ])
    // no gate: the gate job is skipped and the merge runs
    expect([jobs.gate.result, jobs.merge.result]).toEqual([
      'skipped',
      'success'
    ])
    expect(
      jobs.legs.legs.map(leg => [leg.matrix.platform, leg.runsOn])
    ).toEqual([
      ['linux/amd64', 'ubuntu-24.04'],
      ['linux/arm64', 'ubuntu-24.04-arm']
    ])
    expect(Object.keys(jobs.legs.outputs).sort()).toEqual([
      'leg-linux-amd64',
      'leg-linux-arm64'
    ])
    const merged = jobs.merge.outputs.digest
    expect(await registryState(site().registry, repo)).toEqual(
      Object.fromEntries(TAGS.map(tag => [tag, merged]))
    )
    const index = await platformManifests(site().registry, repo, merged)
    expect(Object.keys(index).sort()).toEqual(['amd64', 'arm64'])
    expect(await legImages(repo, steps.slice(0, 2))).toEqual(index)
    expect(await site().service.artifacts(run.backend)).toEqual([])
    // REGISTRY_PASSWORD's credentials, and never the job's token (github.actor's)
    const logins = site().registry.logins().slice(logged)
    expect(logins.length).toBeGreaterThan(0)
    expect(logins.filter(l => !l.startsWith('accepted '))).toEqual([])
  })

  it('a leg that fails fails the release, no tag moved; re-running the failed jobs lands it', async () => {
    const repo = uniqueRepo('workflow/rerun')
    const run = newRun()
    const steps: StepResult[] = []
    const first = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(run, 1, steps, { fail: 'linux/arm64' })
    })
    expect([first.legs.result, first.merge.result]).toEqual([
      'failure',
      'skipped'
    ])
    // the arm64 leg failed for its build, its output unset
    const arm64 = steps.find(step => step.stdout.includes('Dockerfile.none'))
    expect(arm64?.code).toBe(1)
    expect(Object.keys(first.legs.outputs)).toEqual(['leg-linux-amd64'])
    expect(await listTags(site().registry, repo)).toEqual([])
    steps.length = 0
    const second = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(run, 2, steps),
      previous: first
    })
    // the re-run: the failed leg and the merge, the amd64 leg kept from attempt 1
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual([
      'exit 0',
      'exit 0'
    ])
    const merged = second.merge.outputs.digest
    expect(await registryState(site().registry, repo)).toEqual(
      Object.fromEntries(TAGS.map(tag => [tag, merged]))
    )
    const index = await platformManifests(site().registry, repo, merged)
    expect(Object.keys(index).sort()).toEqual(['amd64', 'arm64'])
  })

  it('a merge handed a digest the registry does not hold fails first, naming it; no tag moves', async () => {
    const repo = uniqueRepo('workflow/absent')
    const steps: StepResult[] = []
    const jobs = await runWorkflow(WORKFLOW, {
      ...call(repo),
      run: actionRunner(newRun(), 1, steps, { absent: 'linux/arm64' })
    })
    expect(jobs.legs.result).toBe('success')
    const image = `${site().registry.host}/${repo}`
    expect(outcome(steps[2], 'exit 1')).toMatch(
      new RegExp(
        `^exit 1\\n::error::.*input "handover": the linux/arm64 leg names ${image}@${ABSENT}, ` +
          'which registry .* does not hold: nothing was published'
      )
    )
    expect(await listTags(site().registry, repo)).toEqual([])
  })
})

const GATE = resolve(ROOT, 'test/fixtures/gate/marker-gate.sh')
const BUILD_SECRET = `npm-secret-${Math.random().toString(36).slice(2, 12)}`

/** Every blob an image reaches (its manifests, configs, layers gunzipped), as text. */
async function reachableText(repo: string, digest: string): Promise<string> {
  const registry = site().registry
  const manifest = await readJson<{
    manifests?: { digest: string }[]
    config?: { digest: string }
    layers?: { digest: string }[]
  }>(registry, repo, `manifests/${digest}`)
  const nested = await Promise.all(
    (manifest.manifests ?? []).map(m => reachableText(repo, m.digest))
  )
  const blobs = await Promise.all(
    [manifest.config, ...(manifest.layers ?? [])]
      .flatMap(blob => (blob === undefined ? [] : [blob.digest]))
      .map(async blob => {
        const auth = Buffer.from(`${registry.username}:${registry.password}`)
        const response = await fetch(
          `http://${registry.host}/v2/${repo}/blobs/${blob}`,
          { headers: { Authorization: `Basic ${auth.toString('base64')}` } }
        )
        const bytes = Buffer.from(await response.arrayBuffer())
        return (
          bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
        ).toString('latin1')
      })
  )
  return [JSON.stringify(manifest), ...nested, ...blobs].join('\n')
}

describe('the reusable workflow as a security review would pass it', () => {
  it('an image elsewhere than GHCR with no password secret fails before any build, naming REGISTRY_PASSWORD; the job token goes nowhere', async () => {
    const repo = uniqueRepo('workflow/no-secret')
    const steps: StepResult[] = []
    const logged = site().registry.logins().length
    const jobs = await runWorkflow(WORKFLOW, {
      ...call(repo),
      secrets: {},
      run: actionRunner(newRun(), 1, steps)
    })
    expect(steps).toEqual([])
    expect([jobs.legs.result, jobs.merge.result]).toEqual([
      'failure',
      'skipped'
    ])
    const image = `${site().registry.host}/${repo}`
    expect(jobs.legs.legs.map(leg => leg.errors)).toEqual(
      Array(2).fill([
        `images: ${image} is on ${site().registry.host}, and the job's token goes only to ` +
          `ghcr.io: set the REGISTRY_PASSWORD secret (or REGISTRY_LOGINS) for ${site().registry.host}`
      ])
    )
    expect(site().registry.logins().slice(logged)).toEqual([])
    expect(await listTags(site().registry, repo)).toEqual([])
  })

  it('github-attestations: provenance,sbom with sbom: false fails each leg before any build, naming sbom; nothing lands', async () => {
    const repo = uniqueRepo('workflow/sbom-off')
    const steps: StepResult[] = []
    const jobs = await runWorkflow(WORKFLOW, {
      ...call(repo, {
        'github-attestations': 'provenance,sbom',
        sbom: 'false'
      }),
      run: actionRunner(newRun(), 1, steps)
    })
    expect(steps).toEqual([])
    expect([jobs.legs.result, jobs.merge.result]).toEqual([
      'failure',
      'skipped'
    ])
    expect(jobs.legs.legs.map(leg => leg.errors)).toEqual(
      Array(2).fill([
        'input "sbom": invalid value "false": github-attestations: provenance,sbom attests the ' +
          "SBOM each leg's build makes: leave sbom empty or name a generator, or use " +
          'github-attestations: provenance'
      ])
    )
    expect(await listTags(site().registry, repo)).toEqual([])
  })

  it("a fork's pull request skips the logins with a notice and pushes nothing", async () => {
    const repo = uniqueRepo('workflow/fork')
    const steps: StepResult[] = []
    const logged = site().registry.logins().length
    const jobs = await runWorkflow(WORKFLOW, {
      ...call(repo, { push: false }),
      secrets: {},
      github: {
        actor: 'mallory',
        token: 'ghs_read_only',
        repository: 'acme/app',
        event_name: 'pull_request',
        event: {
          pull_request: { head: { repo: { full_name: 'mallory/app' } } }
        }
      },
      run: actionRunner(newRun(), 1, steps, {
        event: forkPullRequest(
          'feature',
          'f00dfacef00dfacef00dfacef00dfacef00dface'
        )
      })
    })
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual(
      Array(3).fill('exit 0')
    )
    expect(jobs.merge.result).toBe('success')
    for (const step of steps)
      expect(step.stdout).toMatch(
        new RegExp(`::notice::Login to ${site().registry.host} skipped`)
      )
    expect(site().registry.logins().slice(logged)).toEqual([])
    expect(await listTags(site().registry, repo)).toEqual([])
  })

  it("gate: the gate job reads each leg's digest with GATE_LOGINS alone; no ID token request URL, push password or BUILD_SECRETS in its environment or its parent's; a marker in the arm64 leg fails it, the merge never runs, and no tag moves", async () => {
    const repo = uniqueRepo('workflow/gate')
    const steps: StepResult[] = []
    const dir = mkdtempSync(join(tmpdir(), 'dpa-gate-'))
    const report = join(dir, 'registries')
    // the gate's own environment and its parent's (the action's, as /proc shows any process of
    // the job's user), one file each time it runs
    const dump =
      'n=$(date +%s%N); env > "$GATE_DUMP/$n.self";' +
      ' tr "\\0" "\\n" < /proc/$PPID/environ > "$GATE_DUMP/$n.parent"'
    const { host, reader } = site().registry
    const base = call(repo, {
      context: 'test/fixtures/contexts/gate-marker',
      file: 'test/fixtures/contexts/gate-marker/arm64-only.Dockerfile',
      gate: `${dump} && ${GATE}`,
      'gate-timeout': '120'
    })
    const jobs = await runWorkflow(WORKFLOW, {
      ...base,
      secrets: {
        ...base.secrets,
        BUILD_SECRETS: `NPM_TOKEN=${BUILD_SECRET}`,
        GATE_LOGINS: JSON.stringify([{ registry: host, ...reader }])
      },
      run: actionRunner(newRun(), 1, steps, {
        env: {
          ORAS: stackOras(),
          GATE_REPORT: report,
          GATE_DUMP: dir,
          // the caller granted id-token: write: a job that declares no permissions gets these
          ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/id-token',
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'caller-granted'
        }
      })
    })
    expect([jobs.legs.result, jobs.gate.result, jobs.merge.result]).toEqual([
      'success',
      'failure',
      'skipped'
    ])
    // the two legs, then the gate job; no merge
    expect(steps).toHaveLength(3)
    const gate = steps[2]
    const image = `${host}/${repo}`
    const legDigest = (platform: string) =>
      (
        JSON.parse(jobs.legs.outputs[legOutputName(platform)]) as {
          digests: string[]
        }
      ).digests[0]
    const refused =
      `exit 1\n::error::gate failed with exit status 3 on linux/arm64 (${image}@` +
      `${legDigest('linux/arm64')}): this job fails, so a merge that needs it does not run and ` +
      'no tag moves'
    expect(outcome(gate, refused)).toBe(refused)
    expect(gate.stdout).toContain('gate: linux/amd64 is clean')
    expect(gate.stdout).toContain(
      'gate: linux/arm64 holds /gate-marker: refused'
    )
    const dumps = readdirSync(dir).filter(name =>
      /^\d+\.(self|parent)$/.test(name)
    )
    const read = (suffix: string) =>
      dumps
        .filter(name => name.endsWith(suffix))
        .sort()
        .map(name => readFileSync(join(dir, name), 'utf8'))
    const [own, parent] = [read('.self'), read('.parent')]
    // the gate saw each leg's digest, in the legs' order
    expect(own.map(env => /^DPA_GATE_IMAGE=(.*)$/m.exec(env)?.[1])).toEqual(
      ['linux/amd64', 'linux/arm64'].map(p => `${image}@${legDigest(p)}`)
    )
    // the parent is the action in mode gate, with the reader's login and no other credential
    for (const env of parent) {
      expect(env).toMatch(/^INPUT_MODE=gate$/m)
      expect(env).toContain(reader.password)
    }
    for (const env of [...own, ...parent]) {
      expect(env).not.toMatch(/^ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)=/m)
      expect(env).not.toContain(site().registry.password)
      expect(env).not.toContain(BUILD_SECRET)
    }
    expect(readFileSync(report, 'utf8').trim()).toBe(host)
    expect(await listTags(site().registry, repo)).toEqual([])
  })

  it('gate: a gate that passes lets the merge run after it, and the tags land on the index of the digest it read', async () => {
    const repo = uniqueRepo('workflow/gate-passes')
    const steps: StepResult[] = []
    const report = join(mkdtempSync(join(tmpdir(), 'dpa-gate-')), 'registries')
    const { host, reader } = site().registry
    const base = call(repo, {
      platforms: '["linux/amd64"]',
      context: 'test/fixtures/contexts/gate-marker',
      file: 'test/fixtures/contexts/gate-marker/arm64-only.Dockerfile',
      gate: GATE,
      'gate-timeout': '120'
    })
    const jobs = await runWorkflow(WORKFLOW, {
      ...base,
      secrets: {
        ...base.secrets,
        GATE_LOGINS: JSON.stringify([{ registry: host, ...reader }])
      },
      run: actionRunner(newRun(), 1, steps, {
        env: { ORAS: stackOras(), GATE_REPORT: report }
      })
    })
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual(
      Array(3).fill('exit 0')
    )
    expect(steps[1].stdout).toContain('gate: linux/amd64 is clean')
    const merged = jobs.merge.outputs.digest
    expect(await registryState(site().registry, repo)).toEqual(
      Object.fromEntries(TAGS.map(tag => [tag, merged]))
    )
    const index = await platformManifests(site().registry, repo, merged)
    expect(await legImages(repo, steps.slice(0, 1))).toEqual(index)
  })

  it('sign: key signs the index with COSIGN_KEY; cosign 2.5 and 3.1.1 verify it', async () => {
    const repo = uniqueRepo('workflow/signed')
    const steps: StepResult[] = []
    const keys = await generateKeyPair('workflow-key-pw')
    const base = call(repo, { sign: 'key' })
    const jobs = await runWorkflow(WORKFLOW, {
      ...base,
      secrets: {
        ...base.secrets,
        COSIGN_KEY: keys.privateKey,
        COSIGN_PASSWORD: keys.password
      },
      run: actionRunner(newRun(), 1, steps)
    })
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual(
      Array(3).fill('exit 0')
    )
    const ref = `${site().registry.host}/${repo}@${jobs.merge.outputs.digest}`
    const [two, three] = await Promise.all([
      cosignVerify(ref, keys.publicKeyFile, [site().registry]),
      cosignVerify(
        ref,
        keys.publicKeyFile,
        [site().registry],
        stackEnv().cosign3
      )
    ])
    expect([two.code, three.code]).toEqual([0, 0])
  })

  it('BUILD_SECRETS reaches the build, and neither the image, its provenance nor the log holds it', async () => {
    const repo = uniqueRepo('workflow/build-secret')
    const steps: StepResult[] = []
    const base = call(repo, {
      platforms: '["linux/amd64"]',
      context: 'test/fixtures/contexts/build-secret',
      'build-args': `NONCE=${Math.random().toString(36).slice(2, 10)}`,
      provenance: 'mode=max'
    })
    const jobs = await runWorkflow(WORKFLOW, {
      ...base,
      secrets: { ...base.secrets, BUILD_SECRETS: `NPM_TOKEN=${BUILD_SECRET}` },
      run: actionRunner(newRun(), 1, steps)
    })
    expect(steps.map(step => outcome(step, 'exit 0'))).toEqual(
      Array(2).fill('exit 0')
    )
    const content = await reachableText(repo, jobs.merge.outputs.digest)
    const hash = createHash('sha256').update(BUILD_SECRET).digest('hex')
    expect(content).toContain(hash)
    expect(content).toContain('https://slsa.dev/provenance')
    expect(content).not.toContain(BUILD_SECRET)
    expect(steps.map(visibleText).join('\n')).not.toContain(BUILD_SECRET)
  })
})

/** The README's hand-written matrix, with the job-output handover, as a workflow of its own. */
function readmeMatrix(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map(match => match[1])
    .find(text => text.includes('handover: outputs'))
  if (block === undefined) throw new Error('README: no matrix with handover')
  const file = join(mkdtempSync(join(tmpdir(), 'dpa-matrix-')), 'matrix.yml')
  writeFileSync(file, `on: push\n${block}`)
  return file
}

describe.each<NameRule>(['per-run', 'per-attempt'])(
  "the README's hand-written matrix, the job-output handover, under the %s name rule",
  rule => {
    beforeAll(() => site().service.setNameRule(rule))

    it('lands both platforms under the tags and uploads no artifact', async () => {
      const repo = uniqueRepo(`workflow/matrix-${rule}`)
      const run = newRun()
      const steps: StepResult[] = []
      const { host, username, password } = site().registry
      const runner: ActionRunner = async (uses, inputs) => {
        expect(uses).toBe(ACTION)
        const step = await job(site(), run, repo, {
          ...inputs,
          // the README's step names GHCR with the job's token: here, the stack's registry
          images: `${host}/${repo}`,
          username,
          password
        })
        steps.push(step)
        return { ok: step.code === 0, outputs: step.outputs }
      }
      const jobs = await runWorkflow(readmeMatrix(), {
        inputs: {},
        github: { actor: 'octo', repository: 'acme/app' },
        secrets: { GITHUB_TOKEN: 'ghs_unused' },
        run: runner
      })
      expect(steps.map(step => outcome(step, 'exit 0'))).toEqual([
        'exit 0',
        'exit 0',
        'exit 0'
      ])
      const merged = jobs.merge.outputs.digest ?? steps[2].outputs.digest
      expect(await registryState(site().registry, repo)).toEqual(
        Object.fromEntries(TAGS.map(tag => [tag, merged]))
      )
      expect(await site().service.artifacts(run.backend)).toEqual([])
    })
  }
)

describe('the reusable workflow attests from its own job', () => {
  /** The caller's logins: the job site's registry, and registry A, which holds the generator. */
  const withGeneratorLogin = () => {
    const { host, username, password } = site().registry
    const { a } = stackEnv()
    const logins = [
      { registry: host, username, password },
      { registry: a.host, username: a.username, password: a.password }
    ]
    return { secrets: { REGISTRY_LOGINS: JSON.stringify(logins) } }
  }

  it.each<{
    name: string
    more: () => Record<string, string>
    logins: boolean
    /** What the merge attests: the index, its 2 platforms, the 2 legs' digests; SBOMs beside. */
    made: number
    /** The subjects cosign 3 verifies, with the statement type. */
    verify: 'index' | 'platforms'
    type?: string
  }>([
    {
      name: "the merge's provenance names the reusable workflow: cosign 3 verifies it with its identity, not the caller's",
      more: () => ({}),
      logins: false,
      made: 5,
      verify: 'index'
    },
    {
      name: "provenance,sbom: the legs' SBOMs are attested by the merge, one per platform; cosign 3 verifies the SPDX type with its identity, not the caller's",
      more: () => ({
        'github-attestations': 'provenance,sbom',
        sbom: `generator=${stackEnv().emulation.standIns.sbomGenerator}`
      }),
      logins: true,
      made: 7,
      verify: 'platforms',
      type: 'https://spdx.dev/Document/v2.3'
    }
  ])('$name', async ({ more, logins, made, verify, type }) => {
    // GitHub's job_workflow_ref for a job of a called workflow: that workflow at the called ref
    const own = `acme/docker-publish-action/.github/workflows/publish.yml@${JOB.workflow_sha}`
    const standins = await startStandins('trusted', own)
    const forwarder = await startSigstoreForwarder(standins)
    const api = await startAttestationsApi()
    try {
      const repo = uniqueRepo('workflow/attested')
      const steps: StepResult[] = []
      const env = {
        ...standins.tokenEnv,
        ...forwarder.env,
        GITHUB_API_URL: api.url
      }
      const called = call(repo, more())
      const jobs = await runWorkflow(WORKFLOW, {
        ...called,
        ...(logins && withGeneratorLogin()),
        run: actionRunner(newRun(), 1, steps, {
          env,
          defaults: { 'github-token': 'ghs_job' }
        })
      })
      expect(steps.map(step => outcome(step, 'exit 0'))).toEqual(
        Array(3).fill('exit 0')
      )
      // the legs attest nothing; the merge does
      const counts = steps.map(
        step => (JSON.parse(step.outputs.attestations) as unknown[]).length
      )
      expect(counts).toEqual([0, 0, made])
      const identity = (workflowRef: string) => ({
        identity: `https://github.com/${workflowRef}`,
        issuer: GITHUB_ISSUER
      })
      const { host } = site().registry
      const merged = jobs.merge.outputs.digest ?? ''
      const subjects =
        verify === 'index'
          ? [merged]
          : Object.values(
              await platformManifests(site().registry, repo, merged)
            )
      expect(subjects).toHaveLength(verify === 'index' ? 1 : 2)
      for (const subject of subjects) {
        const check = (who: { identity: string; issuer: string }) =>
          cosign3VerifyAttestation(
            stackEnv().cosign3,
            `${host}/${repo}@${subject}`,
            who,
            standins.trustedRootFile,
            [site().registry],
            type
          )
        const passed = await check(identity(own))
        expect({ code: passed.code, output: passed.output }).toMatchObject({
          code: 0
        })
        const caller = await check({
          identity: WORKFLOW_IDENTITY,
          issuer: GITHUB_ISSUER
        })
        expect(caller.code).not.toBe(0)
      }
      // each provenance's builder: the reusable workflow (what gh's --signer-workflow checks)
      const builders = api.held.flatMap(({ bundle }) => {
        const statement = JSON.parse(
          Buffer.from(bundle.dsseEnvelope?.payload ?? '', 'base64').toString()
        ) as {
          predicateType: string
          predicate: { runDetails?: { builder: { id: string } } }
        }
        return statement.predicateType === 'https://slsa.dev/provenance/v1'
          ? [statement.predicate.runDetails?.builder.id]
          : []
      })
      expect(builders).toEqual(Array(5).fill(`https://github.com/${own}`))
    } finally {
      await Promise.all([api.close(), forwarder.close(), standins.close()])
    }
  })
})
