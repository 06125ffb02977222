/**
 * A pull request of the README's matrix workflow (issue 37): `push: ${{
 * github.event_name != 'pull_request' }}` is false, so the digest legs and the
 * merge write nothing to any registry. Each job stays green, the legs build
 * (one loads its image, as asked), the merge says in one notice that it has
 * nothing to join. Judged over registry A's HTTP API (the repositories of the
 * catalog and the repository's tags, before and after) and, where the runner
 * has an artifact service, by the stand-in's store (no leg record either).
 *
 * The legs build on the default engine's docker driver (containerd store),
 * which builds both platforms of the COPY-only fixture.
 *
 * A branch push with push: false and a registry cache (issue 55, SPEC 12):
 * the cache is read and none is written, `cache: registry,ref=…` and the
 * user's own cache-to type=registry alike (that one left out with a notice);
 * judged by the catalog, the tags and the cache ref's digest, before and after.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { randomBytes, randomUUID } from 'node:crypto'
import { BUILDERS } from '../support/builders.js'
import {
  stackRunnerServices,
  type StackServices
} from '../support/results-service/stack-services.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv, type StackRegistry } from '../support/stack-env.js'
import { listTags, readManifest } from './registry-api.js'
import { errorLines, HELLO } from './releases.js'
import type { EventName } from '../fixtures/events.js'
import { runMain, runPost, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'

jest.setTimeout(240_000)

const PLATFORMS = ['linux/amd64', 'linux/arm64']
const BUILDER = BUILDERS.find(b => b.name === 'docker 26.1 containerd store')
const { a } = stackEnv()
/** The pull-request fixture's tag (PR 42). */
const PR_TAG = 'pr-42'

/**
 * The repositories of the registry's catalog (GET /v2/_catalog, paged by its
 * `Link` header as distribution pages it) that start with `prefix`.
 */
async function repositories(
  registry: StackRegistry,
  prefix: string
): Promise<string[]> {
  const basic = `${registry.username}:${registry.password}`
  const authorization = `Basic ${Buffer.from(basic).toString('base64')}`
  const found: string[] = []
  let path: string | undefined = '/v2/_catalog?n=1000'
  while (path !== undefined) {
    const response: Response = await fetch(`http://${registry.host}${path}`, {
      headers: { Authorization: authorization }
    })
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
    const body = (await response.json()) as { repositories?: string[] }
    found.push(...(body.repositories ?? []).filter(r => r.startsWith(prefix)))
    path = /<([^>]+)>;\s*rel="next"/.exec(
      response.headers.get('link') ?? ''
    )?.[1]
  }
  return found
}

/** What registry A holds of `repo`: the catalog's entries under it and its tags. */
async function footprint(repo: string) {
  return {
    repositories: await repositories(a, repo),
    tags: await listTags(a, repo)
  }
}

let service: StackServices
/** Tags loaded into the engine by a leg, removed at the end. */
const loaded: string[] = []

beforeAll(async () => {
  service = await stackRunnerServices()
})

afterAll(async () => {
  await service?.close()
  for (const ref of loaded) await runDocker(['image', 'rm', ref])
})

interface Job {
  run: Record<string, string>
  repo: string
  /** The run's backend id, when the runner has an artifact service. */
  backend?: string
  /** The run's event: the pull request unless named. */
  event?: EventName
}

/** One job of the pull request's run, with push: false, main then post as the runner runs them. */
async function job(
  { run, repo, backend, event = 'pull-request' }: Job,
  inputs: Record<string, string>
): Promise<StepResult> {
  if (BUILDER === undefined) throw new Error('no docker 26.1 containerd store')
  const runner = runnerEnv(event, {
    ...run,
    ...(backend === undefined ? {} : await service.env(backend, randomUUID()))
  })
  const use = BUILDER.use(runner.DOCKER_CONFIG)
  const env = { ...runner, ...use.env }
  const main = await runMain(
    {
      images: `${a.host}/${repo}`,
      ...credentials(a),
      context: HELLO,
      push: 'false',
      ...use.inputs,
      ...inputs
    },
    env
  )
  await runPost(main, env)
  return main
}

/** Exit code and ::error:: lines, with the log's tail when it is not `exit 0`. */
function outcome(step: StepResult): string {
  const ended = [`exit ${step.code}`, ...errorLines(step.stdout)].join('\n')
  if (ended === 'exit 0') return ended
  const tail = `${step.stdout}\n${step.stderr}`.trim().split('\n').slice(-25)
  return [ended, '--- last lines:', ...tail].join('\n')
}

const notices = (step: StepResult) =>
  step.stdout.split('\n').filter(line => line.startsWith('::notice::'))

const NOTHING_TO_JOIN =
  '::notice::push is false: the digest legs handed nothing over, so there is nothing to join; no registry is written to'

describe.each([
  { route: 'with an artifact service', artifacts: true },
  { route: 'without one (the tag route)', artifacts: false }
])(
  'a pull request of the matrix workflow, push: false, $route',
  ({ artifacts }) => {
    const repo = uniqueRepo('no-push')
    const backend = artifacts ? randomUUID() : undefined
    const run = {
      GITHUB_RUN_ID: String(randomBytes(4).readUInt32BE()),
      GITHUB_RUN_ATTEMPT: '1'
    }
    const pr: Job = { run, repo, ...(backend && { backend }) }

    it('legs and merge are green; the registry is as before, no artifact, one notice', async () => {
      const before = await footprint(repo)
      expect(before).toEqual({ repositories: [], tags: [] })
      const legs = await Promise.all(
        PLATFORMS.map((platform, i) =>
          job(pr, {
            mode: 'digest',
            platforms: platform,
            load: String(i === 0)
          })
        )
      )
      loaded.push(`${a.host}/${repo}:${PR_TAG}`)
      const merge = await job(pr, {
        mode: 'merge',
        platforms: PLATFORMS.join(',')
      })
      expect([...legs, merge].map(outcome)).toEqual([
        'exit 0',
        'exit 0',
        'exit 0'
      ])
      expect(await footprint(repo)).toEqual(before)
      expect(
        backend === undefined ? [] : await service.artifacts(backend)
      ).toEqual([])
      expect(notices(merge)).toEqual([NOTHING_TO_JOIN])
      expect(JSON.parse(merge.outputs.plan ?? 'null')).toEqual([])
      expect(merge.outputs.pushed).toBe('[]')
      legs.forEach((leg, i) =>
        expect(notices(leg)).toEqual([
          `::notice::push is false: this leg builds ${PLATFORMS[i]} and hands nothing over to the merge; no registry is written to`
        ])
      )
      // the leg with load: true put the image in the engine, under the PR's tag
      const inspect = await runDocker([
        'image',
        'inspect',
        '--format',
        '{{.Id}}',
        `${a.host}/${repo}:${PR_TAG}`
      ])
      expect(inspect.code).toBe(0)
    })

    it("the merge's dry run says so in its plan, and has no step", async () => {
      const dry = await job(pr, {
        mode: 'merge',
        platforms: PLATFORMS.join(','),
        'dry-run': 'true'
      })
      expect(outcome(dry)).toBe('exit 0')
      expect(dry.stdout).toContain(
        `Note: ${NOTHING_TO_JOIN.slice('::notice::'.length)}`
      )
      expect(dry.stdout).toMatch(/Steps:\n\s+\(none\)/)
      expect(await footprint(repo)).toEqual({ repositories: [], tags: [] })
    })
  }
)

describe('a branch push with push: false and a registry cache', () => {
  /** What registry A holds of the image and its cache, the cache ref's digest included. */
  const state = async (repo: string) => ({
    ...(await footprint(repo)),
    cache: (await readManifest(a, `${repo}-cache`, 'main')).digest
  })

  it.each<{
    name: string
    inputs: (cacheRef: string) => Record<string, string>
    notices: (cacheRef: string) => string[]
  }>([
    {
      name: 'cache: registry,ref=…',
      inputs: ref => ({ cache: `registry,ref=${ref}` }),
      notices: () => []
    },
    {
      name: "the user's cache-from and cache-to type=registry",
      inputs: ref => ({
        'cache-from': `type=registry,ref=${ref}`,
        'cache-to': `type=registry,ref=${ref},mode=max`
      }),
      notices: ref => [
        `::notice::cache-to type=registry,ref=${ref},mode=max is not written: push: false writes to no registry`
      ]
    }
  ])(
    '$name: green, the catalog, the tags and the cache ref as before',
    async ({ inputs, notices: expected }) => {
      const repo = uniqueRepo('no-push-cache')
      const cacheRef = `${a.host}/${repo}-cache:main`
      const push: Job = { run: {}, repo, event: 'push-branch' }
      // an earlier push run wrote the cache (and the branch's tag) from other content
      const seeded = await job(push, {
        push: 'true',
        cache: `registry,ref=${cacheRef}`
      })
      expect(outcome(seeded)).toBe('exit 0')
      const before = await state(repo)
      expect(before.repositories.sort()).toEqual([repo, `${repo}-cache`])
      const run = await job(push, {
        ...inputs(cacheRef),
        context: 'test/fixtures/contexts/build-args'
      })
      expect(outcome(run)).toBe('exit 0')
      expect(run.stdout).toContain(`importing cache manifest from ${cacheRef}`)
      expect(await state(repo)).toEqual(before)
      expect(notices(run)).toEqual(expected(cacheRef))
    }
  )
})
