import { beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { publishedTags, readManifest } from './registry-api.js'
import { runMain, runPost } from './runner.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'

let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

describe('distributed multi-arch: digest legs, then merge', () => {
  // attempt 2: GitHub's "Re-run failed jobs" re-runs the merge alone, with the run's next attempt
  it.each(['1', '2'])(
    'joins the platforms the matrix built into one index under the computed tags (the merge in attempt %s)',
    async mergeAttempt => {
      const repo = uniqueRepo('matrix')
      const { a } = stack
      // one workflow run: every job shares GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT
      const run = {
        GITHUB_RUN_ID: String(randomBytes(4).readUInt32BE()),
        GITHUB_RUN_ATTEMPT: '1'
      }
      const job = async (inputs: Record<string, string>, attempt = '1') => {
        const env = runnerEnv('push-tag', {
          ...run,
          GITHUB_RUN_ATTEMPT: attempt
        })
        const main = await runMain(
          {
            images: `${a.host}/${repo}`,
            ...credentials(a),
            context: 'test/fixtures/contexts/hello',
            ...inputs
          },
          env
        )
        await runPost(main, env)
        return main
      }
      const legs = await Promise.all(
        ['linux/amd64', 'linux/arm64'].map(platform =>
          job({ mode: 'digest', platforms: platform })
        )
      )
      for (const leg of legs) expect(leg.code).toBe(0)
      // each leg's handover: its image named by a one-entry index, nothing else
      const handovers = [
        `build-${run.GITHUB_RUN_ID}-linux-amd64`,
        `build-${run.GITHUB_RUN_ID}-linux-arm64`
      ]
      expect(await publishedTags(a, repo)).toEqual(handovers)

      const merge = await job(
        { mode: 'merge', platforms: 'linux/amd64,linux/arm64' },
        mergeAttempt
      )
      expect(merge.stdout).not.toMatch(/::error::/)
      expect(merge.code).toBe(0)
      // the merge deleted the handover indexes: only the asked tags are left
      expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
      const index = await readManifest(a, repo, '1.2.3')
      expect(index.platforms).toEqual(['linux/amd64', 'linux/arm64'])
      expect(merge.outputs.digest).toBe(index.digest)
      expect((await readManifest(a, repo, '1')).digest).toBe(index.digest)
      const entries = async (reference: string) => {
        const response = await fetch(
          `http://${a.host}/v2/${repo}/manifests/${reference}`,
          {
            headers: {
              Authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`,
              Accept:
                'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
            }
          }
        )
        const body = (await response.json()) as {
          manifests?: { digest: string }[]
        }
        return body.manifests?.map(m => m.digest) ?? [reference]
      }
      // each leg pushed its platform's image, as an index with buildx's
      // default provenance where the builder makes one (as build-push-action's
      // legs do): the merge holds exactly the legs' manifests, as imagetools
      // create joins them in the trio's workflow
      const legEntries = (
        await Promise.all(legs.map(leg => entries(leg.outputs.digest)))
      ).flat()
      expect((await entries('1.2.3')).sort()).toEqual(legEntries.sort())
    }
  )

  it('says which platform the merge cannot find', async () => {
    const { a } = stack
    const main = await runMain(
      {
        mode: 'merge',
        images: `${a.host}/${uniqueRepo('nolegs')}`,
        ...credentials(a),
        platforms: 'linux/amd64'
      },
      runnerEnv('push-tag', { GITHUB_RUN_ID: '1' })
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(
      /::error::input "platforms": no linux\/amd64 build of this run at .*:build-1-linux-amd64: did its mode: digest job succeed\?/
    )
  })

  it('refuses a digest leg with more than one platform', async () => {
    const main = await runMain(
      {
        mode: 'digest',
        images: 'ghcr.io/a/b',
        platforms: 'linux/amd64,linux/arm64'
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(
      /::error::input "platforms".*mode "digest" builds one platform per runner/
    )
  })
})
