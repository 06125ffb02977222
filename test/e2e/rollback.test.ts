/**
 * mode rollback (docs/safety.md "Rollback"): releases of the hello fixture published as the runner
 * runs a tag push, then floating tags moved back to an earlier release by a workflow_dispatch run
 * of dist/, judged by the registry's HTTP API and by the ORAS CLI, a registry client of its own
 * (Debian sid's, scripts/stack/lib/oras.sh), which lists the withdrawn mark among the referrers of
 * the release the tags left.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { generateKeyPair } from '../support/cosign.js'
import { orasDiscover, type Discovered } from '../support/oras.js'
import { stackEnv, type StackRegistry } from '../support/stack-env.js'
import { errorLines, publishRelease } from './releases.js'
import { registryState } from './registry-api.js'
import { runMain, type StepResult } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'

const WITHDRAWN = 'application/vnd.docker-publish-action.withdrawn.v1+json'
const REASON = '1.5.0 corrupts uploads (#812)'
const RUN_URL = 'https://github.com/acme/webapp/actions/runs/8123/attempts/1'

let registry: StackRegistry

beforeAll(() => {
  registry = stackEnv().a
})

/** A rollback of `repo`, run from a workflow_dispatch as octocat. */
function rollback(
  repo: string,
  inputs: Record<string, string>
): Promise<StepResult> {
  return runMain(
    {
      mode: 'rollback',
      images: `${registry.host}/${repo}`,
      logins: loginsFor(registry),
      ...inputs
    },
    runnerEnv('workflow-dispatch', {
      GITHUB_ACTOR: 'octocat',
      GITHUB_RUN_ID: '8123',
      GITHUB_RUN_ATTEMPT: '1'
    })
  )
}

/** `oras discover` of `digest` in the registry: its referrers. */
const discover = (repo: string, digest: string) =>
  orasDiscover(registry, repo, digest)

const withdrawnMarks = (found: Discovered) =>
  (found.referrers ?? []).filter(m => m.artifactType === WITHDRAWN)

/** The `pushed` output as tag → digest. */
function pushedTags(step: StepResult): Record<string, string> {
  const pushed = JSON.parse(step.outputs.pushed) as {
    ref: string
    digest: string
  }[]
  return Object.fromEntries(
    pushed.map(p => [p.ref.slice(p.ref.lastIndexOf(':') + 1), p.digest])
  )
}

/** The tags of the `skipped` output, each with its reason. */
function skippedTags(step: StepResult): Record<string, string> {
  const skipped = JSON.parse(step.outputs.skipped || '[]') as {
    ref: string
    reason: string
  }[]
  return Object.fromEntries(
    skipped.map(s => [s.ref.slice(s.ref.lastIndexOf(':') + 1), s.reason])
  )
}

const notices = (step: StepResult) =>
  step.stdout.split('\n').filter(line => line.startsWith('::notice'))

/** A release of `version` with the zero-config tags, latest following releases. */
const release = (
  repo: string,
  version: string,
  inputs: Record<string, string> = {}
) =>
  publishRelease(registry, repo, version, {
    flavor: 'latest=release',
    ...inputs
  })

/** Publishes 1.4.2, then 1.5.0; the registry after both. */
async function twoReleases(repo: string) {
  for (const version of ['1.4.2', '1.5.0']) {
    const main = await release(repo, version)
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
  }
  const state = await registryState(registry, repo)
  expect(state.latest).toBe(state['1.5.0'])
  expect(state['1']).toBe(state['1.5.0'])
  return state
}

describe('mode rollback', () => {
  it('moves latest and 1 back to 1.4.2, marks 1.5.0 withdrawn, and no re-run of 1.5.0 moves them onto it; 1.5.1 does', async () => {
    const repo = uniqueRepo('rollback')
    const released = await twoReleases(repo)
    const asked = { source: '1.4.2', tags: 'latest\n1', reason: REASON }
    // the dry run: the very steps, what the guards would do, nothing written
    const dry = await rollback(repo, { ...asked, 'dry-run': 'true' })
    expect(dry.code).toBe(0)
    const planned = JSON.parse(dry.outputs.plan) as { step: string }[]
    expect([...new Set(planned.map(p => p.step))]).toEqual([
      'release',
      'read',
      'withdrawn',
      'tag',
      'read-back',
      'withdraw'
    ])
    expect(dry.stdout).toContain(
      `${registry.host}/${repo}:latest moves after the exact tags (floating tag)`
    )
    expect(await registryState(registry, repo)).toEqual(released)

    const back = await rollback(repo, asked)
    expect(errorLines(back.stdout)).toEqual([])
    expect(back.code).toBe(0)
    const after = await registryState(registry, repo)
    expect(after.latest).toBe(released['1.4.2'])
    expect(after['1']).toBe(released['1.4.2'])
    // only the named tags moved: the exact tags and 1.5 are as they were
    expect(after['1.5.0']).toBe(released['1.5.0'])
    expect(after['1.4.2']).toBe(released['1.4.2'])
    expect(after['1.5']).toBe(released['1.5'])
    expect(pushedTags(back)).toEqual({
      latest: released['1.4.2'],
      '1': released['1.4.2']
    })
    expect(notices(back).join('\n')).toContain(
      `${registry.host}/${repo}:latest moved back from ${released['1.5.0']} (1.5.0) to ` +
        `${released['1.4.2']} (1.4.2)`
    )
    expect(back.summary).toContain('#### Rollback')
    // latest under the default flavor: the next push of the default branch moves it again
    const undone =
      'latest goes back to 1.4.2, but with the default flavor the next push of the default ' +
      'branch moves it again'
    expect(notices(back).join('\n')).toContain(undone)
    expect(back.summary).toContain(undone)

    // the mark, as another client reads it
    const marks = withdrawnMarks(await discover(repo, released['1.5.0']))
    expect(marks).toHaveLength(1)
    expect(marks[0].annotations).toMatchObject({
      'vnd.docker-publish-action.withdrawn.reason': REASON,
      'vnd.docker-publish-action.withdrawn.actor': 'octocat',
      'vnd.docker-publish-action.withdrawn.run': RUN_URL
    })
    expect(withdrawnMarks(await discover(repo, released['1.4.2']))).toEqual([])

    // a re-run of 1.5.0's job: its exact tag stays, no floating tag moves onto it, and it says why
    const rerun = await release(repo, '1.5.0')
    expect(errorLines(rerun.stdout)).toEqual([])
    expect(rerun.code).toBe(0)
    const held = skippedTags(rerun)
    expect(Object.keys(held).sort()).toEqual(['1', 'latest'])
    expect(held.latest).toMatch(
      /withdrawn by octocat .*1\.5\.0 corrupts uploads \(#812\)/
    )
    expect(await registryState(registry, repo)).toEqual(after)

    // the next release moves them forward as usual
    const next = await release(repo, '1.5.1')
    expect(errorLines(next.stdout)).toEqual([])
    expect(next.code).toBe(0)
    const forward = await registryState(registry, repo)
    expect(forward.latest).toBe(forward['1.5.1'])
    expect(forward['1']).toBe(forward['1.5.1'])
    expect(forward['1.5.0']).toBe(released['1.5.0'])

    // a rollback to where the tags are already changes nothing, and says so
    const again = await rollback(repo, {
      source: '1.5.1',
      tags: 'latest',
      reason: 'checking'
    })
    expect(again.code).toBe(0)
    expect(pushedTags(again)).toEqual({})
    expect(notices(again).join('\n')).toMatch(
      /latest already on .*nothing to change/
    )
    expect(withdrawnMarks(await discover(repo, forward['1.5.1']))).toEqual([])
  })

  it('with verify-key, an unsigned source fails and moves nothing, a signed one moves; bad inputs fail before anything changes', async () => {
    const repo = uniqueRepo('rollback-gated')
    const released = await twoReleases(repo)
    const keys = await generateKeyPair('rollback-test')
    const refused = await rollback(repo, {
      source: '1.4.2',
      tags: 'latest\n1',
      reason: REASON,
      'verify-key': keys.publicKey
    })
    expect(refused.code).not.toBe(0)
    expect(errorLines(refused.stdout).join('\n')).toMatch(
      /input "verify-key": no signature on .*@sha256:/
    )
    expect(await registryState(registry, repo)).toEqual(released)
    expect(withdrawnMarks(await discover(repo, released['1.5.0']))).toEqual([])

    // reads: whether the refusal comes after the registry was asked (a plan group was printed)
    const rows: {
      name: string
      inputs: Record<string, string>
      error: RegExp
      reads?: boolean
    }[] = [
      {
        name: 'no reason',
        inputs: { source: '1.4.2', tags: 'latest' },
        error:
          /^::error::input "reason": invalid value "": mode "rollback" needs one line/
      },
      {
        name: 'an exact tag among the tags',
        inputs: { source: '1.4.2', tags: 'latest\n1.5.0', reason: REASON },
        error:
          /^::error::input "tags": invalid value "1\.5\.0": mode "rollback" moves floating tags only/
      },
      {
        name: 'a source that is not in the repository',
        inputs: { source: '1.3.9', tags: 'latest', reason: REASON },
        error: /^::error::input "source": .*:1\.3\.9 was not found/,
        reads: true
      },
      {
        name: 'tags: 1 with source: 2.0.0',
        inputs: { source: '2.0.0', tags: '1', reason: REASON },
        error:
          /^::error::input "source": invalid value "2\.0\.0": mode "rollback" moves tags back within their line.*; not in the line of tag "1"$/
      },
      {
        name: 'source: pr-42',
        inputs: { source: 'pr-42', tags: 'latest', reason: REASON },
        error:
          /^::error::input "source": invalid value "pr-42": .*; no release$/
      },
      {
        name: 'tags: 1.4 with source: 1.5.0',
        inputs: { source: '1.5.0', tags: '1.4', reason: REASON },
        error:
          /^::error::input "source": invalid value "1\.5\.0": .*; not in the line of tag "1\.4"$/
      }
    ]
    for (const row of rows) {
      const failed = await rollback(repo, row.inputs)
      expect({ row: row.name, code: failed.code }).toEqual({
        row: row.name,
        code: 1
      })
      const errors = errorLines(failed.stdout)
      expect({ row: row.name, errors: errors.length }).toEqual({
        row: row.name,
        errors: 1
      })
      expect(errors[0]).toMatch(row.error)
      expect({
        row: row.name,
        reads: failed.stdout.includes('::group::')
      }).toEqual({
        row: row.name,
        reads: row.reads ?? false
      })
      expect(await registryState(registry, repo)).toEqual(released)
    }

    // once 1.4.2 is signed (its job run again with sign: key), the same rollback goes through
    const signed = await release(repo, '1.4.2', {
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': keys.password
    })
    expect(signed.code).toBe(0)
    const verified = await rollback(repo, {
      source: '1.4.2',
      tags: 'latest\n1',
      reason: REASON,
      'verify-key': keys.publicKey,
      flavor: 'latest=release'
    })
    expect(errorLines(verified.stdout)).toEqual([])
    expect(verified.code).toBe(0)
    // releases that move latest only: no notice that a push moves it again
    expect(notices(verified).join('\n')).not.toContain(
      'with the default flavor'
    )
    const after = await registryState(registry, repo)
    expect([after.latest, after['1']]).toEqual([
      released['1.4.2'],
      released['1.4.2']
    ])
  })
})
