/**
 * .github/workflows/publish.yml read by GitHub's own parser and its expressions evaluated by
 * GitHub's own evaluator (test/support/workflow-runner.ts; its `run:` steps run by bash), with a
 * stand-in action that returns the outputs a digest leg sets: the runner map, the QEMU fallback,
 * the handover through `needs`, the action of the workflow's own commit, where the job's token
 * goes (scripts/workflow/logins.sh), and that every `uses:` is pinned by SHA.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse } from 'yaml'
import { parseImages } from '../../../src/settings/image-lines.js'
import { legOutputs } from '../../../src/settings/leg-outputs.js'
import {
  readWorkflow,
  runWorkflow,
  withCheckout,
  type ActionRunner,
  type Checkout,
  type WorkflowCall
} from '../../support/workflow-runner.js'

const FILE = '.github/workflows/publish.yml'
const DIGEST = `sha256:${'a'.repeat(64)}`
const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, unknown>
}

interface Call {
  uses: string
  inputs: Record<string, string>
  runsOn: unknown
  job: string
  idToken: boolean
}

/**
 * A stand-in of the action: a digest leg's outputs, a merge's digest; `fails` a platform, or
 * `gate` (the gate refuses). Behind the runner's checkout, which puts this repository where the
 * workflow checks out its own commit.
 */
function standIn(calls: Call[], fails = '', checkouts: Checkout[] = []) {
  const action: ActionRunner = async (uses, inputs, leg) => {
    await Promise.resolve()
    const { runsOn, job, idToken } = leg
    calls.push({ uses, inputs, runsOn, job, idToken })
    if (inputs.mode === 'merge')
      return { ok: true, outputs: { digest: DIGEST } }
    if (inputs.mode === 'gate') return { ok: fails !== 'gate', outputs: {} }
    const platform = inputs.platforms
    if (platform === fails) return { ok: false, outputs: {} }
    return { ok: true, outputs: legOutputs(platform, [DIGEST]) }
  }
  return withCheckout(action, resolve('.'), checkouts)
}

const GITHUB = { actor: 'octo', token: 'ghs_token', repository: 'acme/app' }
const SHA = execFileSync('git', ['rev-parse', 'HEAD'], {
  encoding: 'utf8'
}).trim()
/** The job context's names of the called workflow: its repository and commit. */
const JOB = {
  workflow_repository: 'acme/docker-publish-action',
  workflow_sha: SHA,
  workflow_ref:
    'acme/docker-publish-action/.github/workflows/publish.yml@refs/tags/v1'
}

/** The workflow run with `call`'s inputs over a ghcr.io image, the job context above. */
const runIt = (call: Partial<WorkflowCall> & Pick<WorkflowCall, 'run'>) =>
  runWorkflow(FILE, {
    github: GITHUB,
    job: JOB,
    ...call,
    inputs: { images: 'ghcr.io/acme/app', ...call.inputs }
  })

describe('publish.yml, as GitHub parses and evaluates it', () => {
  it('parses with no error, and each step gives only inputs action.yml declares', async () => {
    const template = await readWorkflow(FILE)
    const calls: Call[] = []
    await runIt({ inputs: { gate: './scan.sh' }, run: standIn(calls) })
    expect(template.jobs.map(job => job.id.value)).toEqual([
      'legs',
      'gate',
      'merge'
    ])
    expect(calls.map(call => call.job)).toContain('gate')
    const unknown = calls.flatMap(call =>
      Object.keys(call.inputs).filter(name => !(name in action.inputs))
    )
    expect(unknown).toEqual([])
  })

  it.each([
    {
      name: 'the default map: each platform on its own runner',
      inputs: {},
      runners: {
        'linux/amd64': 'ubuntu-24.04',
        'linux/arm64': 'ubuntu-24.04-arm'
      },
      notices: []
    },
    {
      name: 'a platform the map lacks: the amd64 runner, with a notice',
      inputs: {
        platforms: '["linux/amd64","linux/s390x"]',
        runners: '{"linux/amd64":["self-hosted","x64"]}'
      },
      runners: {
        'linux/amd64': ['self-hosted', 'x64'],
        'linux/s390x': ['self-hosted', 'x64']
      },
      notices: [
        'runners names no runner for linux/s390x, so it is built under QEMU'
      ]
    }
  ])('$name', async ({ inputs, runners, notices }) => {
    const calls: Call[] = []
    const jobs = await runIt({ inputs, run: standIn(calls) })
    const legs = jobs.legs.legs
    expect(
      Object.fromEntries(legs.map(leg => [leg.matrix.platform, leg.runsOn]))
    ).toEqual(runners)
    expect(legs.flatMap(leg => leg.notices)).toEqual(notices)
    const merge = calls.find(call => call.inputs.mode === 'merge')
    // every leg's output reaches the merge, each under its own name
    expect(JSON.parse(merge?.inputs.handover ?? '{}')).toEqual(
      Object.fromEntries(
        Object.keys(runners).map(platform => {
          const outputs = legOutputs(platform, [DIGEST])
          const name = Object.keys(outputs)[1]
          return [name, outputs[name]]
        })
      )
    )
    expect(merge?.inputs.platforms).toBe(Object.keys(runners).join(','))
    expect(jobs.merge.outputs.digest).toBe(DIGEST)
  })

  it.each([
    { name: 'provenance: the legs take sbom as given', inputs: {}, sbom: '' },
    {
      name: "provenance,sbom: the legs' BuildKit makes the SBOMs the merge attests",
      inputs: { 'github-attestations': 'provenance,sbom' },
      sbom: 'true'
    },
    {
      name: "provenance,sbom with an sbom given: the caller's generator kept",
      inputs: {
        'github-attestations': 'provenance,sbom',
        sbom: 'generator=registry.example/scanner:1'
      },
      sbom: 'generator=registry.example/scanner:1'
    }
  ])('$name', async ({ inputs, sbom }) => {
    const calls: Call[] = []
    await runIt({ inputs, run: standIn(calls) })
    const legs = calls.filter(call => call.inputs.mode === 'digest')
    expect(legs.map(call => call.inputs.sbom)).toEqual([sbom, sbom])
    const merge = calls.find(call => call.inputs.mode === 'merge')
    expect(merge?.inputs['github-attestations']).toBe(
      inputs['github-attestations'] ?? ''
    )
  })

  it.each([
    { name: 'no environment', environment: '' },
    { name: 'an environment: every job runs in it', environment: 'production' }
  ])('$name', async ({ environment }) => {
    const jobs = await runIt({ inputs: { environment }, run: standIn([]) })
    const legs = [...jobs.legs.legs, ...jobs.merge.legs]
    expect(legs.map(leg => leg.environment)).toEqual([
      environment,
      environment,
      environment
    ])
  })

  it('a failed leg skips the merge; re-running the failed jobs runs only that leg', async () => {
    const calls: Call[] = []
    const first = await runIt({ run: standIn(calls, 'linux/arm64') })
    expect([first.legs.result, first.merge.result]).toEqual([
      'failure',
      'skipped'
    ])
    calls.length = 0
    const rerun = await runIt({ run: standIn(calls), previous: first })
    expect(calls.map(c => `${c.inputs.mode} ${c.inputs.platforms}`)).toEqual([
      'digest linux/arm64',
      'merge linux/amd64,linux/arm64'
    ])
    expect(rerun.merge.result).toBe('success')
  })
})

describe('publish.yml: the gate in a job of its own, between the legs and the merge', () => {
  const GATE = 'trivy image --exit-code 1 "$DPA_GATE_IMAGE"'
  const action = (calls: Call[], job: string) =>
    calls.filter(call => call.job === job && call.uses.startsWith('./'))

  it("gate set: the legs run no gate; the gate job gates the legs' outputs, read-only, with no push credential; then the merge", async () => {
    const calls: Call[] = []
    const jobs = await runIt({
      inputs: { gate: GATE, 'gate-timeout': '120' },
      secrets: {
        REGISTRY_PASSWORD: 'push-pw',
        BUILD_SECRETS: 'NPM_TOKEN=npm-secret',
        COSIGN_KEY: 'cosign-key'
      },
      run: standIn(calls)
    })
    expect([jobs.legs, jobs.gate, jobs.merge].map(j => j.result)).toEqual([
      'success',
      'success',
      'success'
    ])
    expect(
      action(calls, 'legs').map(leg => [
        leg.inputs.gate,
        leg.inputs['gate-timeout']
      ])
    ).toEqual([
      [undefined, undefined],
      [undefined, undefined]
    ])
    const [gate] = action(calls, 'gate')
    expect(gate.inputs).toEqual({
      mode: 'gate',
      handover: JSON.stringify(jobs.legs.outputs, null, 2),
      images: 'ghcr.io/acme/app',
      platforms: 'linux/amd64,linux/arm64',
      gate: GATE,
      'gate-timeout': '120',
      logins: jobToken('ghcr.io')
    })
    expect(gate.idToken).toBe(false)
    expect(JSON.stringify(gate.inputs)).not.toMatch(
      /push-pw|npm-secret|cosign-key/
    )
  })

  it('GATE_LOGINS: the gate job logs in with them alone', async () => {
    const calls: Call[] = []
    const logins = '[{"registry":"ghcr.io","username":"reader","password":"r"}]'
    await runIt({
      inputs: { gate: GATE },
      secrets: { GATE_LOGINS: logins, REGISTRY_PASSWORD: 'push-pw' },
      run: standIn(calls)
    })
    expect(action(calls, 'gate')[0].inputs.logins).toBe(logins)
  })

  it.each([
    {
      name: 'a gate that fails: the merge is skipped',
      inputs: { gate: GATE },
      fails: 'gate',
      results: ['success', 'failure', 'skipped']
    },
    {
      name: 'no gate: the gate job is skipped, the merge runs',
      inputs: {},
      fails: '',
      results: ['success', 'skipped', 'success']
    },
    {
      name: 'push: false: nothing handed over to gate, the gate job is skipped',
      inputs: { gate: GATE, push: false },
      fails: '',
      results: ['success', 'skipped', 'success']
    },
    {
      name: 'a leg that fails: the gate job and the merge are skipped',
      inputs: { gate: GATE },
      fails: 'linux/arm64',
      results: ['failure', 'skipped', 'skipped']
    }
  ])('$name', async ({ inputs, fails, results }) => {
    const calls: Call[] = []
    const jobs = await runIt({ inputs, run: standIn(calls, fails) })
    expect([jobs.legs, jobs.gate, jobs.merge].map(j => j.result)).toEqual(
      results
    )
    expect(action(calls, 'merge')).toHaveLength(
      results[2] === 'success' ? 1 : 0
    )
  })
})

/** The `logins` value the workflow gives the action for the job's token on `registry`. */
const jobToken = (registry: string) =>
  `[{"registry":"${registry}","username":"octo","password":"ghs_token"}]`

/** A fork's pull request: its head is another repository's. */
const FORK_PR = {
  ...GITHUB,
  event_name: 'pull_request',
  event: { pull_request: { head: { repo: { full_name: 'mallory/app' } } } }
}

describe("publish.yml: the job token goes to GitHub's registry only", () => {
  it.each<{
    name: string
    images?: string
    registry?: string
    secrets: Record<string, string>
    github?: Record<string, unknown>
    login: Record<string, string>
  }>([
    {
      name: 'no secret, an image on ghcr.io: the job token for ghcr.io alone',
      secrets: {},
      login: { username: 'octo', password: '', logins: jobToken('ghcr.io') }
    },
    {
      name: 'no secret on GHES: the job token for its container registry',
      images: 'containers.ghes.example/acme/app',
      secrets: {},
      github: { ...GITHUB, server_url: 'https://ghes.example' },
      login: {
        username: 'octo',
        password: '',
        logins: jobToken('containers.ghes.example')
      }
    },
    {
      name: 'REGISTRY_USERNAME and REGISTRY_PASSWORD: no job token',
      secrets: { REGISTRY_USERNAME: 'bot', REGISTRY_PASSWORD: 'pw' },
      login: { username: 'bot', password: 'pw', logins: '' }
    },
    {
      name: 'REGISTRY_PASSWORD narrowed to Docker Hub: the job token for ghcr.io beside it',
      images: 'ghcr.io/acme/app\ndocker.io/acme/app',
      registry: 'docker.io',
      secrets: { REGISTRY_PASSWORD: 'pw' },
      login: { username: 'octo', password: 'pw', logins: jobToken('ghcr.io') }
    },
    {
      name: 'REGISTRY_PASSWORD narrowed to Docker Hub written as a URL, as docker login takes it',
      images: 'ghcr.io/acme/app\nacme/app',
      registry: 'https://index.docker.io/v1/',
      secrets: { REGISTRY_PASSWORD: 'pw' },
      login: { username: 'octo', password: 'pw', logins: jobToken('ghcr.io') }
    },
    {
      name: 'REGISTRY_LOGINS alone names every login',
      secrets: { REGISTRY_LOGINS: '- registry: docker.io' },
      login: { username: 'octo', password: '', logins: '- registry: docker.io' }
    },
    {
      name: "a fork's pull request: no secret, no job token (the action skips the logins)",
      secrets: {},
      github: FORK_PR,
      login: { username: 'octo', password: '', logins: '' }
    }
  ])('$name', async ({ images, registry = '', secrets, github, login }) => {
    const calls: Call[] = []
    await runIt({
      inputs: { registry, ...(images === undefined ? {} : { images }) },
      secrets,
      ...(github === undefined ? {} : { github }),
      run: standIn(calls)
    })
    expect(calls).toHaveLength(3)
    for (const call of calls)
      expect({
        username: call.inputs.username,
        password: call.inputs.password,
        logins: call.inputs.logins
      }).toEqual(login)
  })

  it.each<{
    name: string
    secrets: Record<string, string>
    registry?: string
    error: string
  }>([
    {
      name: 'no secret',
      secrets: {},
      error: 'REGISTRY_PASSWORD secret (or REGISTRY_LOGINS) for docker.io'
    },
    {
      name: 'REGISTRY_PASSWORD narrowed to another registry',
      secrets: { REGISTRY_PASSWORD: 'pw' },
      registry: 'quay.io',
      error: 'REGISTRY_PASSWORD secret (or REGISTRY_LOGINS) for docker.io'
    }
  ])(
    'an image on Docker Hub, $name: every job fails at its logins, no action step runs',
    async ({ secrets, registry = '', error }) => {
      const calls: Call[] = []
      const jobs = await runIt({
        inputs: { images: 'acme/app', registry },
        secrets,
        run: standIn(calls)
      })
      expect(calls).toEqual([])
      expect([jobs.legs.result, jobs.merge.result]).toEqual([
        'failure',
        'skipped'
      ])
      expect(jobs.legs.legs.flatMap(leg => leg.errors)).toEqual([
        `images: acme/app is on docker.io, and the job's token goes only to ghcr.io: set the ${error}`,
        `images: acme/app is on docker.io, and the job's token goes only to ghcr.io: set the ${error}`
      ])
    }
  )

  it('with push: false nothing needs a login: the legs run', async () => {
    const calls: Call[] = []
    await runIt({
      inputs: { images: 'acme/app', push: false },
      run: standIn(calls)
    })
    expect(calls).toHaveLength(3)
  })

  // the script's reading of an `images` line against the action's (src/settings/image-lines.ts)
  it.each([
    'ghcr.io/acme/app',
    'GHCR.IO/Acme/App',
    'acme/app',
    'app',
    'docker.io/acme/app',
    'index.docker.io/acme/app',
    'localhost/app',
    'localhost:5000/app',
    '127.0.0.1:5001/app',
    'quay.io/acme/app',
    'name=ghcr.io/acme/app',
    'name=quay.io/acme/app,enable=true',
    'name=quay.io/acme/app,enable=false',
    'ghcr/acme/app'
  ])('the images line %s is on the registry the action reads', line => {
    const [image] = parseImages([line])
    const ran = (() => {
      try {
        execFileSync('bash', ['scripts/workflow/logins.sh'], {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            IMAGES: line,
            REGISTRY: '',
            PUSH: 'true',
            HAS_PASSWORD: 'false',
            HAS_LOGINS: 'false',
            FORK: 'false',
            GITHUB_OUTPUT: '/dev/null'
          }
        })
        return 'ghcr.io'
      } catch (error) {
        const out = String((error as { stdout: string }).stdout)
        return /is on (\S+),/.exec(out)?.[1] ?? out
      }
    })()
    expect(ran).toBe(image === undefined ? 'ghcr.io' : image.registry)
  })
})

describe("publish.yml runs its own commit's action, and pins every other", () => {
  it('checks out job.workflow_repository at job.workflow_sha and runs the action there', async () => {
    const calls: Call[] = []
    const checkouts: Checkout[] = []
    await runIt({ run: standIn(calls, '', checkouts) })
    expect(checkouts).toEqual(
      Array(3).fill({
        repository: JOB.workflow_repository,
        ref: SHA,
        path: '.docker-publish-action'
      })
    )
    expect(calls.map(call => call.uses)).toEqual(
      Array(3).fill('./.docker-publish-action')
    )
  })

  it('without job.workflow_sha (GHES) every job fails first, naming why', async () => {
    const calls: Call[] = []
    const checkouts: Checkout[] = []
    const jobs = await runIt({ job: {}, run: standIn(calls, '', checkouts) })
    expect([calls, checkouts]).toEqual([[], []])
    expect(jobs.legs.legs.map(leg => leg.errors[0])).toEqual(
      Array(2).fill(
        "job.workflow_sha is empty, so this workflow cannot run its own commit's action " +
          '(GHES has no job.workflow_sha): call the action itself, pinned by SHA'
      )
    )
  })

  it('no uses: names a branch or a tag: a local path, or a full commit SHA', () => {
    const workflow = parse(readFileSync(FILE, 'utf8')) as {
      jobs: Record<string, { steps: { uses?: string }[] }>
    }
    const uses = Object.values(workflow.jobs).flatMap(job =>
      job.steps.flatMap(step => (step.uses === undefined ? [] : [step.uses]))
    )
    expect(uses.length).toBeGreaterThan(0)
    expect(
      uses.filter(
        u => !/^(\.\/[\w./-]+|[\w.-]+\/[\w./-]+@[0-9a-f]{40})$/.test(u)
      )
    ).toEqual([])
  })
})
