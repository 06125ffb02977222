/**
 * Matrix handover with no tag (issue 29), on a registry that refuses
 * deletes (test/support/refusing-registry.ts: distribution with its default
 * config, as GHCR behaves over the registry API): the digest legs hand
 * their images to the merge through the run's artifacts, served by the
 * stand-in of the runner's artifact service (test/support/results-service/),
 * which @actions/artifact, loaded by the step, talks to as to GitHub's.
 * Each job gets its own ACTIONS_RUNTIME_TOKEN (the run's backend id, a job
 * id of its own), as the runner gives them. Judged over the registry's
 * HTTP API and the stand-in's store.
 *
 * The legs build on the default engine's docker driver (containerd store),
 * which builds both platforms of the COPY-only fixture; the action uploads
 * them itself, so they reach a registry on any port (the stack's BuildKit
 * daemons push over plain HTTP only to the stack's own registries).
 */
import { describe, expect, it, jest } from '@jest/globals'
import { zipOf } from '../support/results-service/artifacts.js'
import {
  job as siteJob,
  jobSite,
  legManifests as siteLegManifests,
  newRun,
  outcome,
  PLATFORMS,
  platformManifests as sitePlatformManifests,
  succeeded,
  TAGS,
  type WorkflowRun
} from './handover-jobs.js'
import { listTags, registryState } from './registry-api.js'
import { OTHER_COMMIT, tagPush } from './releases.js'
import type { StepResult } from './runner.js'
import { uniqueRepo } from './steps.js'

jest.setTimeout(240_000)

const site = jobSite()

const job = (
  run: WorkflowRun,
  repo: string,
  inputs: Record<string, string>,
  options: { attempt?: number; artifacts?: boolean } = {}
) => siteJob(site(), run, repo, inputs, options)
const platformManifests = (repo: string, digest: string) =>
  sitePlatformManifests(site().registry, repo, digest)
const legManifests = (repo: string, steps: StepResult[]) =>
  siteLegManifests(site().registry, repo, steps)

function legs(run: WorkflowRun, repo: string): Promise<StepResult[]> {
  return Promise.all(
    PLATFORMS.map(platform =>
      job(run, repo, { mode: 'digest', platforms: platform })
    )
  )
}

function merge(
  run: WorkflowRun,
  repo: string,
  attempt: number
): Promise<StepResult> {
  return job(
    run,
    repo,
    { mode: 'merge', platforms: PLATFORMS.join(',') },
    { attempt }
  )
}

describe('digest legs + merge through the run artifacts, on a registry that refuses deletes', () => {
  const repo = uniqueRepo('handover/artifacts')
  const first = newRun()
  let firstLegs: Record<string, string> = {}
  let merged = ''

  it('two legs + merge of v3.0.0: the registry holds exactly 3, 3.0, 3.0.0', async () => {
    const built = await legs(first, repo)
    built.forEach(succeeded)
    firstLegs = await legManifests(repo, built)
    // no tag of any kind after the legs; each leg's artifact in the run
    expect(await listTags(site().registry, repo)).toEqual([])
    expect(
      (await site().service.artifacts(first.backend)).map(a => a.name).sort()
    ).toEqual([
      expect.stringMatching(
        /^docker-publish-leg-.*-linux-amd64-[0-9a-f]{12}-a1$/
      ),
      expect.stringMatching(
        /^docker-publish-leg-.*-linux-arm64-[0-9a-f]{12}-a1$/
      )
    ])
    // each leg: the artifact made, its blob put in blocks, then finalized
    const upload = [
      'POST CreateArtifact',
      'PUT blob comp=block',
      'PUT blob comp=blocklist',
      'POST FinalizeArtifact'
    ]
    expect(await site().service.takeRequests()).toEqual(
      expect.arrayContaining([...upload, ...upload])
    )
    const run = await merge(first, repo, 1)
    succeeded(run)
    // the merge: the run's list once, then each leg's artifact found and read
    expect(await site().service.takeRequests()).toEqual([
      'POST ListArtifacts',
      ...PLATFORMS.flatMap(() => [
        'POST ListArtifacts',
        'POST GetSignedArtifactURL',
        'GET blob'
      ])
    ])
    merged = run.outputs.digest
    expect(await registryState(site().registry, repo)).toEqual(
      Object.fromEntries(TAGS.map(tag => [tag, merged]))
    )
    expect(await platformManifests(repo, merged)).toEqual(firstLegs)
    expect(run.stdout).not.toMatch(/handover tag/)
  })

  it('the registry refuses deletes (405), so a handover tag would have stayed', async () => {
    const response = await fetch(
      `http://${site().registry.host}/v2/${repo}/manifests/${firstLegs.amd64}`,
      {
        method: 'DELETE',
        headers: {
          Authorization: `Basic ${Buffer.from(`${site().registry.username}:${site().registry.password}`).toString('base64')}`
        }
      }
    )
    expect(response.status).toBe(405)
  })

  it('a re-run of the merge (attempt 2, a new job) finds the legs again', async () => {
    const run = await merge(first, repo, 2)
    succeeded(run)
    expect(run.outputs.digest).toBe(merged)
    expect(await listTags(site().registry, repo)).toEqual(TAGS)
  })

  it("a second run's legs (another run id and commit) are not picked by the first run's merge", async () => {
    const second = newRun(OTHER_COMMIT)
    const built = await legs(second, repo)
    built.forEach(succeeded)
    const secondLegs = await legManifests(repo, built)
    // another commit: other images, so a mix would show
    expect(secondLegs.amd64).not.toBe(firstLegs.amd64)
    const run = await merge(first, repo, 3)
    succeeded(run)
    expect(run.outputs.digest).toBe(merged)
    expect(await platformManifests(repo, merged)).toEqual(firstLegs)
    expect(await listTags(site().registry, repo)).toEqual(TAGS)

    // planted: the second run's amd64 leg artifact put into the first run,
    // newer than its own leg of that name
    const theirs = (await site().service.artifacts(second.backend)).find(a =>
      a.name.includes('linux-amd64')
    )
    if (theirs === undefined) throw new Error('the second run has no amd64 leg')
    await site().service.plant(first.backend, theirs)
    const refused = await merge(first, repo, 4)
    expect(outcome(refused, 'exit 1')).toMatch(
      new RegExp(
        `^exit 1\\n::error::.*the leg artifact ${theirs.name} is refused: runId "${second.id}", not "${first.id}"; sha "${OTHER_COMMIT}", not "[0-9a-f]{40}", so it is not a leg of this run`
      )
    )
    expect(await registryState(site().registry, repo)).toEqual(
      Object.fromEntries(TAGS.map(tag => [tag, merged]))
    )
  })

  it('a leg record of this run naming a digest the registry does not hold is refused', async () => {
    const amd64 = (await site().service.artifacts(first.backend)).find(a =>
      a.name.includes('linux-amd64')
    )
    if (amd64 === undefined) throw new Error('the first run has no amd64 leg')
    const absent = `sha256:${'0'.repeat(64)}`
    const record = {
      image: `${site().registry.host}/${repo}`,
      platform: 'linux/amd64',
      digest: absent,
      runId: first.id,
      attempt: '1',
      sha: tagPush('3.0.0').GITHUB_SHA,
      repository: tagPush('3.0.0').GITHUB_REPOSITORY
    }
    await site().service.plant(first.backend, {
      name: amd64.name,
      content: zipOf('leg.json', Buffer.from(JSON.stringify(record))),
      contentType: 'application/zip'
    })
    const refused = await merge(first, repo, 5)
    expect(outcome(refused, 'exit 1')).toMatch(
      new RegExp(
        `^exit 1\\n::error::.*artifact ${amd64.name} names ${site().registry.host}/${repo}@${absent}, which registry ${site().registry.host} does not hold`
      )
    )
    expect(await listTags(site().registry, repo)).toEqual(TAGS)
  })
})

describe('without an artifact service (the tag route)', () => {
  it('the legs hand over by tag, and the log and summary say such tags stay where deletes are refused', async () => {
    const repo = uniqueRepo('handover/tags')
    const run = newRun()
    const leg = await job(
      run,
      repo,
      { mode: 'digest', platforms: 'linux/amd64' },
      { artifacts: false }
    )
    succeeded(leg)
    const merged = await job(
      run,
      repo,
      { mode: 'merge', platforms: 'linux/amd64' },
      { artifacts: false }
    )
    succeeded(merged)
    const stays =
      /hand over through build-.*tags: the merge deletes them, but on a registry that refuses deletes \(GHCR, distribution without storage\.delete\) they stay/
    for (const step of [leg, merged]) {
      expect(step.stdout).toMatch(stays)
      expect(step.summary).toMatch(stays)
    }
    expect(merged.stdout).toMatch(
      /linux\/amd64 leg's handover tag stays, as the registry refused to delete it/
    )
    expect(await listTags(site().registry, repo)).toEqual(
      [...TAGS, `build-${run.id}-linux-amd64`].sort()
    )
  })
})
