/**
 * Re-runs of a matrix release through the run's artifacts (issue 36), under
 * both name rules GitHub has shown (test/support/results-service/artifacts.ts):
 * `per-run` (a re-run job's upload of a name an earlier attempt used: 409) and
 * `per-attempt` (the re-run's artifact beside the earlier one). One workflow
 * run per rule goes through the re-run kinds one after another, each attempt
 * labelling its legs with its number, so each attempt's image has a digest of
 * its own and the merged index shows which leg it joined. Judged over the
 * registry's HTTP API (exactly the asked tags, the index's platform
 * manifests) on a registry that refuses deletes. Then the artifact service's
 * faults: each ends the job within its bound, naming the service, no tag moved.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import type { NameRule } from '../support/results-service/artifacts.js'
import {
  job,
  jobSite,
  newRun,
  outcome,
  platformManifests,
  succeeded,
  TAGS
} from './handover-jobs.js'
import { listTags, registryState } from './registry-api.js'
import type { StepResult } from './runner.js'
import { uniqueRepo } from './steps.js'
import { reliabilityRecorder } from '../support/reliability.js'

jest.setTimeout(600_000)

const site = jobSite()

const ARCH = { 'linux/amd64': 'amd64', 'linux/arm64': 'arm64' } as const
type Platform = keyof typeof ARCH
const SERVICE_FAILED = (what: string) =>
  new RegExp(
    `^exit 1\\n::error::.*the run's artifact service: ${what} failed: `
  )

describe.each<NameRule>(['per-run', 'per-attempt'])(
  're-runs under the %s name rule',
  rule => {
    // one workflow run; each case releases its own repository (a release
    // stands once made: a later attempt's merge keeps it, docs/safety.md)
    const run = newRun()
    /** Every job's log, to see that none met a name conflict. */
    const logs: string[] = []

    beforeAll(async () => {
      await site().service.setNameRule(rule)
      await site().service.clearFaults()
    })

    /** The repository of one case, and the platform manifest each attempt's leg built there. */
    function release(name: string) {
      const repo = uniqueRepo(`handover/${rule}-${name}`)
      const built: Record<string, Record<number, string>> = {}

      async function leg(platform: Platform, attempt: number) {
        const step = await job(
          site(),
          run,
          repo,
          { mode: 'digest', platforms: platform, labels: `attempt=${attempt}` },
          { attempt }
        )
        logs.push(step.stdout)
        if (step.code === 0) {
          const digest = step.outputs.digest
          const manifests = await platformManifests(
            site().registry,
            repo,
            digest
          )
          built[platform] = {
            ...built[platform],
            [attempt]: manifests[ARCH[platform]]
          }
        }
        return step
      }

      async function merge(attempt: number) {
        const step = await job(
          site(),
          run,
          repo,
          { mode: 'merge', platforms: 'linux/amd64,linux/arm64' },
          { attempt }
        )
        logs.push(step.stdout)
        return step
      }

      /** What a merge left: its outcome, the registry's tags, the legs its index joined. */
      async function result(step: StepResult) {
        const merged = step.outputs.digest
        const state = await registryState(site().registry, repo)
        return {
          outcome: outcome(step, 'exit 0'),
          tags: Object.fromEntries(
            Object.entries(state).map(([tag, digest]) => [
              tag,
              digest === merged ? 'the merged index' : digest
            ])
          ),
          legs:
            step.code === 0
              ? await platformManifests(site().registry, repo, merged)
              : {}
        }
      }

      /** Exactly the asked tags, on an index of the legs of these attempts. */
      const joined = (amd64: number, arm64: number) => ({
        outcome: 'exit 0',
        tags: Object.fromEntries(TAGS.map(tag => [tag, 'the merged index'])),
        legs: {
          amd64: built['linux/amd64'][amd64],
          arm64: built['linux/arm64'][arm64]
        }
      })

      const tags = () => listTags(site().registry, repo)
      return { repo, leg, merge, result, joined, tags }
    }

    it('re-run failed jobs, a leg failed before its upload (CreateArtifact 403, naming the service); the re-run leg’s finalize fails once (400) and it uploads again under a name of its own', async () => {
      const { leg, merge, result, joined, tags } = release('before-upload')
      succeeded(await leg('linux/amd64', 1))
      await site().service.fault('CreateArtifact', { status: 403, times: 1 })
      const failed = await leg('linux/arm64', 1)
      expect(outcome(failed, 'exit 1')).toMatch(
        SERVICE_FAILED('the upload of docker-publish-leg-.*-a1')
      )
      expect(failed.stdout).toMatch(/\(403\)/)
      expect(await tags()).toEqual([])
      await site().service.fault('FinalizeArtifact', { status: 400, times: 1 })
      const again = await leg('linux/arm64', 2)
      succeeded(again)
      expect(again.stdout).toMatch(
        /Failed to FinalizeArtifact.*\(400\).*; uploading it again under another name/
      )
      const arm64 = (await site().service.artifacts(run.backend))
        .filter(a => a.attempt === 2 && a.name.includes('-before-upload-'))
        .map(
          a => `${a.name.replace(/^.*-[0-9a-f]{12}-a/, '-a')} ${a.finalized}`
        )
      // the first upload stays unfinalized, keeping its name in that job
      expect(arm64.sort()).toEqual([
        '-a2 false',
        expect.stringMatching(/^-a2-[0-9a-f]+ true$/)
      ])
      expect(await result(await merge(2))).toEqual(joined(1, 2))
    })

    it('re-run failed jobs, a leg failed after its upload: its leg again, the merge joins it and the first attempt’s other', async () => {
      const { leg, merge, result, joined } = release('after-upload')
      const first = await Promise.all([
        leg('linux/amd64', 1),
        leg('linux/arm64', 1)
      ])
      first.forEach(succeeded)
      // the arm64 job failed after the step: only it is re-run
      succeeded(await leg('linux/arm64', 2))
      expect(await result(await merge(2))).toEqual(joined(1, 2))
    })

    it('re-run all jobs after the merge failed to list (400, naming the service, no tag): the merge joins the second attempt’s legs', async () => {
      const { leg, merge, result, joined, tags } = release('all-jobs')
      const first = await Promise.all([
        leg('linux/amd64', 1),
        leg('linux/arm64', 1)
      ])
      first.forEach(succeeded)
      await site().service.fault('ListArtifacts', { status: 400, times: 1 })
      const failed = await merge(1)
      expect(outcome(failed, 'exit 1')).toMatch(
        SERVICE_FAILED("the list of the run's artifacts")
      )
      expect(await tags()).toEqual([])
      const second = await Promise.all([
        leg('linux/amd64', 2),
        leg('linux/arm64', 2)
      ])
      second.forEach(succeeded)
      expect(await result(await merge(2))).toEqual(joined(2, 2))
    })

    it('re-run only the merge, after its download failed (GetSignedArtifactURL 400, naming the service, no tag)', async () => {
      const { leg, merge, result, joined, tags } = release('merge-only')
      const first = await Promise.all([
        leg('linux/amd64', 1),
        leg('linux/arm64', 1)
      ])
      first.forEach(succeeded)
      await site().service.fault('GetSignedArtifactURL', {
        status: 400,
        times: 1
      })
      const failed = await merge(1)
      expect(outcome(failed, 'exit 1')).toMatch(
        SERVICE_FAILED('the download of docker-publish-leg-.*-a1')
      )
      expect(await tags()).toEqual([])
      expect(await result(await merge(2))).toEqual(joined(1, 1))
    })

    it('two attempts racing: attempt 1’s amd64 leg uploads after attempt 2’s, both merges run at once and end on the second attempt’s legs', async () => {
      const { leg, merge, result, joined } = release('racing')
      const second = await Promise.all([
        leg('linux/amd64', 2),
        leg('linux/arm64', 2)
      ])
      second.forEach(succeeded)
      succeeded(await leg('linux/amd64', 1))
      const merges = await Promise.all([merge(1), merge(2)])
      for (const step of merges)
        expect(await result(step)).toEqual(joined(2, 2))
    })

    it('no job met a name conflict', () => {
      expect(logs.length).toBeGreaterThanOrEqual(23)
      expect(logs.join('\n')).not.toMatch(/\(409\)|already exists/)
    })
  }
)

const ARTIFACT_FAULTS = "the run's artifact service (a matrix's handover)"
const record = reliabilityRecorder('handover-faults')

describe('faults of the artifact service end the job within its bound, naming it, no tag moved', () => {
  const repo = uniqueRepo('handover/faults')
  const run = newRun()
  // the bound: registry-timeout × (retries + 1) = 10 s per call to the service
  const BOUND = { 'registry-timeout': '5', retries: '1' }
  let released: Record<string, string> = {}

  beforeAll(async () => {
    await site().service.setNameRule('per-run')
    await site().service.clearFaults()
    const legs = await Promise.all(
      ['linux/amd64', 'linux/arm64'].map(platform =>
        job(site(), run, repo, { mode: 'digest', platforms: platform })
      )
    )
    legs.forEach(succeeded)
    const merged = await job(site(), run, repo, {
      mode: 'merge',
      platforms: 'linux/amd64,linux/arm64'
    })
    succeeded(merged)
    released = await registryState(site().registry, repo)
  })

  /** What the registry holds after a case: the release as it stood, or what moved. */
  const left = async () =>
    JSON.stringify(await registryState(site().registry, repo)) ===
    JSON.stringify(released)
      ? `nothing moved (${Object.keys(released).sort().join(', ')} as released)`
      : 'tags moved since the release'

  const merge = (attempt: number) =>
    job(
      site(),
      run,
      repo,
      { mode: 'merge', platforms: 'linux/amd64,linux/arm64', ...BOUND },
      { attempt }
    )

  it.each([
    {
      name: 'the list hangs',
      method: 'ListArtifacts',
      what: "the list of the run's artifacts",
      why: /no answer within 10 s/
    },
    {
      name: 'the download is refused (GetSignedArtifactURL 400)',
      method: 'GetSignedArtifactURL',
      what: 'the download of docker-publish-leg-.*-a1',
      why: /\(400\)/,
      status: 400
    },
    {
      name: 'the download hangs (blob GET)',
      method: 'blob GET',
      what: 'the download of docker-publish-leg-.*-a1',
      why: /no answer within 10 s/
    }
  ])(
    'merge: $name',
    ({ name, method, what, why, status }) =>
      record(ARTIFACT_FAULTS, `merge: ${name}`, async c => {
        await site().service.fault(
          method,
          status === undefined ? { hang: true } : { status }
        )
        try {
          const failed = await c.time(() => merge(2))
          expect(outcome(failed, 'exit 1')).toMatch(SERVICE_FAILED(what))
          expect(failed.stdout).toMatch(why)
        } finally {
          await site().service.clearFaults()
        }
        c.left(await left())
        expect(await registryState(site().registry, repo)).toEqual(released)
      }),
    // the test's own bound: the step's build and the 10 s, well under it
    120_000
  )

  it('leg: a second job of the same attempt uploading the same leg meets a 409, and uploads under a name of its own', () =>
    record(
      ARTIFACT_FAULTS,
      'leg: a second job of the same attempt uploading the same leg meets a 409, and uploads under a name of its own',
      async c => {
        const again = await c.time(() =>
          job(site(), run, repo, { mode: 'digest', platforms: 'linux/amd64' })
        )
        succeeded(again)
        expect(again.stdout).toMatch(
          /Failed to CreateArtifact.*\(409\) Conflict: an artifact with this name already exists on the workflow run; uploading it again under another name/
        )
        expect(again.stdout).toMatch(
          /handed over as the run's artifact docker-publish-leg-.*-amd64-[0-9a-f]{12}-a1-[0-9a-f]+ /
        )
        c.left(await left())
      }
    ))

  it('merge: a list answering 503 twice is retried by the client, and the release goes on', () =>
    record(
      ARTIFACT_FAULTS,
      'merge: a list answering 503 twice is retried by the client, and the release goes on',
      async c => {
        await site().service.fault('ListArtifacts', { status: 503, times: 2 })
        succeeded(await c.time(() => merge(3)))
        expect(await listTags(site().registry, repo)).toEqual(TAGS)
        c.left(`merged again: ${TAGS.join(', ')}`)
      }
    ))

  it(
    'leg: the upload hangs (CreateArtifact)',
    () =>
      record(
        ARTIFACT_FAULTS,
        'leg: the upload hangs (CreateArtifact)',
        async c => {
          await site().service.fault('CreateArtifact', { hang: true })
          try {
            const failed = await c.time(() =>
              job(
                site(),
                run,
                repo,
                { mode: 'digest', platforms: 'linux/amd64', ...BOUND },
                { attempt: 4 }
              )
            )
            expect(outcome(failed, 'exit 1')).toMatch(
              SERVICE_FAILED('the upload of docker-publish-leg-.*-a4')
            )
            expect(failed.stdout).toMatch(/no answer within 10 s/)
          } finally {
            await site().service.clearFaults()
          }
          c.left(await left())
          expect(await registryState(site().registry, repo)).toEqual(released)
        }
      ),
    120_000
  )
})
