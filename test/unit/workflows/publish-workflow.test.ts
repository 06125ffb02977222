/**
 * .github/workflows/publish.yml read by GitHub's own parser and its expressions evaluated by
 * GitHub's own evaluator (test/support/workflow-runner.ts), with a stand-in action that returns
 * the outputs a digest leg sets: the runner map, the QEMU fallback, the handover through `needs`.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { legOutputs } from '../../../src/settings/leg-outputs.js'
import {
  readWorkflow,
  runWorkflow,
  type ActionRunner
} from '../../support/workflow-runner.js'

const FILE = '.github/workflows/publish.yml'
const DIGEST = `sha256:${'a'.repeat(64)}`
const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, unknown>
}

interface Call {
  inputs: Record<string, string>
  runsOn: unknown
}

/** A stand-in of the action: a digest leg's outputs, a merge's digest; `fails` a platform. */
function standIn(calls: Call[], fails = ''): ActionRunner {
  return async (_uses, inputs, leg) => {
    await Promise.resolve()
    calls.push({ inputs, runsOn: leg.runsOn })
    if (inputs.mode === 'merge')
      return { ok: true, outputs: { digest: DIGEST } }
    const platform = inputs.platforms
    if (platform === fails) return { ok: false, outputs: {} }
    return { ok: true, outputs: legOutputs(platform, [DIGEST]) }
  }
}

const GITHUB = { actor: 'octo', token: 'ghs_token', repository: 'acme/app' }

describe('publish.yml, as GitHub parses and evaluates it', () => {
  it('parses with no error, and each step gives only inputs action.yml declares', async () => {
    const template = await readWorkflow(FILE)
    const calls: Call[] = []
    await runWorkflow(FILE, {
      inputs: { images: 'ghcr.io/acme/app' },
      github: GITHUB,
      run: standIn(calls)
    })
    expect(template.jobs.map(job => job.id.value)).toEqual(['legs', 'merge'])
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
    const jobs = await runWorkflow(FILE, {
      inputs: { images: 'ghcr.io/acme/app', ...inputs },
      github: GITHUB,
      run: standIn(calls)
    })
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
    { name: 'no environment', environment: '' },
    { name: 'an environment: every job runs in it', environment: 'production' }
  ])('$name', async ({ environment }) => {
    const jobs = await runWorkflow(FILE, {
      inputs: { images: 'ghcr.io/acme/app', environment },
      github: GITHUB,
      run: standIn([])
    })
    const legs = [...jobs.legs.legs, ...jobs.merge.legs]
    expect(legs.map(leg => leg.environment)).toEqual([
      environment,
      environment,
      environment
    ])
  })

  it('a failed leg skips the merge; re-running the failed jobs runs only that leg', async () => {
    const calls: Call[] = []
    const call = { inputs: { images: 'ghcr.io/acme/app' }, github: GITHUB }
    const first = await runWorkflow(FILE, {
      ...call,
      run: standIn(calls, 'linux/arm64')
    })
    expect([first.legs.result, first.merge.result]).toEqual([
      'failure',
      'skipped'
    ])
    calls.length = 0
    const rerun = await runWorkflow(FILE, {
      ...call,
      run: standIn(calls),
      previous: first
    })
    expect(calls.map(c => `${c.inputs.mode} ${c.inputs.platforms}`)).toEqual([
      'digest linux/arm64',
      'merge linux/amd64,linux/arm64'
    ])
    expect(rerun.merge.result).toBe('success')
  })

  it.each<{
    name: string
    secrets: Record<string, string>
    login: Record<string, string>
  }>([
    {
      name: 'no secret: the job token for github.actor',
      secrets: {},
      login: { username: 'octo', password: 'ghs_token', logins: '' }
    },
    {
      name: 'REGISTRY_USERNAME and REGISTRY_PASSWORD',
      secrets: { REGISTRY_USERNAME: 'bot', REGISTRY_PASSWORD: 'pw' },
      login: { username: 'bot', password: 'pw', logins: '' }
    },
    {
      name: 'REGISTRY_LOGINS alone names every login',
      secrets: { REGISTRY_LOGINS: '- registry: docker.io' },
      login: { username: 'octo', password: '', logins: '- registry: docker.io' }
    }
  ])('logins: $name', async ({ secrets, login }) => {
    const calls: Call[] = []
    await runWorkflow(FILE, {
      inputs: { images: 'ghcr.io/acme/app' },
      secrets,
      github: GITHUB,
      run: standIn(calls)
    })
    for (const call of calls)
      expect({
        username: call.inputs.username,
        password: call.inputs.password,
        logins: call.inputs.logins
      }).toEqual(login)
  })
})
