/**
 * The publish suite on every builder and engine of the stack (issue 27):
 * each case of CASES runs on the builders its `on` names
 * (test/support/builders.ts), under a title that names the builder, and is
 * judged by the registry over its HTTP API (tags, manifests, digests,
 * platforms) and by the step's outputs and summary. Every case also checks
 * that the registry holds exactly the asked tags. A builder whose part of
 * the stack is missing fails each of its cases, saying what is missing.
 * Re-run and promote reuse the builder's release (one build fewer each).
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import type { EventName } from '../fixtures/events.js'
import {
  BUILDERS,
  type Engine,
  type StackBuilder
} from '../support/builders.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv } from '../support/stack-env.js'
import {
  publishedTags,
  readJson,
  readManifest,
  registryState
} from './registry-api.js'
import { HELLO, RELEASE_TAGS, errorLines } from './releases.js'
import { postRuns, runMain, runPost, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'

jest.setTimeout(180_000)

const BROKEN = 'test/fixtures/contexts/broken'
const PLATFORMS = ['linux/amd64', 'linux/arm64']
/** The tag of the push-branch fixture's branch (tickets/DM-42). */
const BRANCH_TAG = 'tickets-DM-42'
const { a } = stackEnv()

interface Step extends StepResult {
  /** Where the step's `load` put the image. */
  engine: Engine
  /** The builder the row means. */
  builder: string
}

/** A repository of its own for one case on one builder. */
function repoFor(builder: StackBuilder, name: string): string {
  const slug = builder.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  return uniqueRepo(`matrix/${slug}/${name}`)
}

/** A new workflow run's id and first attempt: every job of one run shares them. */
function workflowRun(): Record<string, string> {
  const id = randomBytes(4).readUInt32BE()
  return { GITHUB_RUN_ID: String(id), GITHUB_RUN_ATTEMPT: '1' }
}

/** Main (and post, where the runner starts it) of the hello fixture to registry A, on `builder`. */
async function step(
  builder: StackBuilder,
  repo: string,
  event: EventName,
  inputs: Record<string, string | undefined> = {},
  extra: Record<string, string> = {}
): Promise<Step> {
  const runner = runnerEnv(event, extra)
  const use = builder.use(runner.DOCKER_CONFIG)
  const env = { ...runner, ...use.env }
  const main = await runMain(
    {
      images: `${a.host}/${repo}`,
      ...credentials(a),
      context: HELLO,
      ...use.inputs,
      ...inputs
    },
    env
  )
  if (postRuns(main.code === 0 ? 'success' : 'failure'))
    await runPost(main, env)
  return { ...main, engine: use.engine, builder: use.builder }
}

/** The `pushed` output as tag → digest. */
function pushedOutput(run: StepResult): Record<string, string> {
  const pushed = JSON.parse(run.outputs.pushed ?? '[]') as {
    ref: string
    digest: string
  }[]
  return Object.fromEntries(
    pushed.map(p => [p.ref.slice(p.ref.lastIndexOf(':') + 1), p.digest])
  )
}

/** The summary's row of one reference. */
function summaryRow(run: StepResult, ref: string): string {
  return run.summary.split('\n').find(line => line.includes(`\`${ref}\``)) ?? ''
}

/**
 * How a step ended: its exit code and ::error:: lines, and when that is not
 * `expected` also its last log lines (jest prints them on a mismatch).
 */
function outcome(run: StepResult, expected: string): string {
  const errors = errorLines(run.stdout)
  const ended = [`exit ${run.code}`, ...errors].join('\n')
  if (ended === expected) return ended
  const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15)
  return [ended, '--- last lines:', ...tail].join('\n')
}

/** Exit 0, no ::error:: line, and no line of the log that says ERROR (SPEC 6: the log tells the truth). */
function expectSucceeded(run: StepResult): void {
  expect(outcome(run, 'exit 0')).toBe('exit 0')
  expect(run.stdout.split('\n').filter(line => /\bERROR\b/.test(line))).toEqual(
    []
  )
}

/** The build ran on the row's builder, as buildx's metadata names it. */
function expectBuiltOn(run: Step): void {
  const metadata = JSON.parse(run.outputs.metadata ?? '{}') as {
    'buildx.build.ref'?: string
  }
  expect(metadata['buildx.build.ref']?.split('/')[0]).toBe(run.builder)
}

/** Exit 1 and one ::error:: line, matching `error`. */
function expectFailed(run: StepResult, error: RegExp): void {
  const line = errorLines(run.stdout).find(l => error.test(l)) ?? `${error}`
  expect(outcome(run, `exit 1\n${line}`)).toBe(`exit 1\n${line}`)
}

/**
 * The step succeeded and the registry holds exactly `tags`, each on the
 * digest the step's outputs (digest, pushed) and summary name: returns
 * that digest.
 */
async function expectPublished(
  run: StepResult,
  repo: string,
  tags: string[]
): Promise<string> {
  expectSucceeded(run)
  const digest = run.outputs.digest
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
  const expected = Object.fromEntries(tags.map(tag => [tag, digest]))
  expect(await registryState(a, repo)).toEqual(expected)
  expect(pushedOutput(run)).toEqual(expected)
  expect(tags.map(tag => summaryRow(run, `${a.host}/${repo}:${tag}`))).toEqual(
    tags.map(() => expect.stringContaining(digest))
  )
  return digest
}

interface Release {
  repo: string
  digest: string
  state: Record<string, string>
  run: Record<string, string>
}

const releases = new Map<StackBuilder, Promise<Release>>()

/** The builder's release of v1.2.3 (push-tag), built once for the cases that start from it. */
function releaseOf(builder: StackBuilder): Promise<Release> {
  const found = releases.get(builder)
  if (found !== undefined) return found
  const released = (async () => {
    const repo = repoFor(builder, 'release')
    const run = workflowRun()
    const main = await step(builder, repo, 'push-tag', {}, run)
    const digest = await expectPublished(main, repo, RELEASE_TAGS)
    expectBuiltOn(main)
    return { repo, digest, state: await registryState(a, repo), run }
  })()
  releases.set(builder, released)
  return released
}

/** What `docker -H <host> image inspect` says the id of `ref` is. */
async function localImageId(engine: Engine, ref: string): Promise<string> {
  const inspect = await runDocker(
    ['image', 'inspect', '--format', '{{.Id}}', ref],
    { env: { DOCKER_HOST: engine.host } }
  )
  return inspect.code === 0
    ? inspect.stdout.trim()
    : `${ref} not in ${engine.host}: ${inspect.stderr.trim()}`
}

interface ImageJson {
  config?: { digest: string }
  manifests?: {
    digest: string
    platform?: { os: string; architecture: string }
  }[]
}

/** The config digest of the linux/amd64 image a pushed digest names. */
async function configDigest(repo: string, digest: string): Promise<string> {
  const top = await readJson<ImageJson>(a, repo, `manifests/${digest}`)
  const amd64 = top.manifests?.find(
    m => m.platform?.os === 'linux' && m.platform.architecture === 'amd64'
  )
  const image =
    top.manifests === undefined
      ? top
      : await readJson<ImageJson>(a, repo, `manifests/${amd64?.digest}`)
  return image.config?.digest ?? `no config in ${JSON.stringify(image)}`
}

/** Tags loaded into an engine by a case, removed after the builder's cases. */
const loaded: { engine: Engine; ref: string }[] = []

async function release(builder: StackBuilder): Promise<void> {
  await releaseOf(builder)
}

async function twoPlatforms(builder: StackBuilder): Promise<void> {
  const repo = repoFor(builder, 'platforms')
  const run = await step(builder, repo, 'push-tag', {
    platforms: PLATFORMS.join(',')
  })
  const digest = await expectPublished(run, repo, RELEASE_TAGS)
  expectBuiltOn(run)
  const index = await readManifest(a, repo, '1.2.3')
  expect(index.platforms).toEqual(PLATFORMS)
  expect(index.digest).toBe(digest)
  if (builder.nodes !== undefined) expectEachOnItsNode(run, builder.nodes)
}

/**
 * A builder of several nodes: the summary and log name the node of each
 * platform, and the platforms' builds ran side by side (each one's command
 * started before the other's last line), each line of the log under its
 * platform.
 */
function expectEachOnItsNode(run: Step, nodes: Record<string, string>): void {
  const lines = run.stdout.split('\n')
  const commandAt = (platform: string) =>
    lines.findIndex(line => line.startsWith(`[${platform}] [command]`))
  const lastAt = (platform: string) =>
    lines.map(line => line.startsWith(`[${platform}] `)).lastIndexOf(true)
  for (const [platform, node] of Object.entries(nodes)) {
    expect(run.summary).toContain(`${platform} (node \`${node}\`)`)
    expect(run.stdout).toContain(`${platform}: built on node ${node}`)
    for (const other of Object.keys(nodes))
      expect(commandAt(platform)).toBeLessThan(lastAt(other))
  }
}

/**
 * The classic store's docker driver (a stock runner): the step makes a
 * docker-container builder for the run, builds both platforms with it and
 * removes the builder, its container and its volume (test/e2e/own-builder.test.ts
 * checks the engine and the failure and cancel paths).
 */
async function twoPlatformsOwnBuilder(builder: StackBuilder): Promise<void> {
  const repo = repoFor(builder, 'platforms')
  const run = await step(builder, repo, 'push-tag', {
    platforms: PLATFORMS.join(',')
  })
  const digest = await expectPublished(run, repo, RELEASE_TAGS)
  expect(run.stdout).toMatch(
    /Builder: docker-publish-\S+ \(driver docker-container, made for this run/
  )
  expect(run.summary).toMatch(/Builder made for this run: set up in/)
  const index = await readManifest(a, repo, '1.2.3')
  expect(index.platforms).toEqual(PLATFORMS)
  expect(index.digest).toBe(digest)
}

async function rerun(builder: StackBuilder): Promise<void> {
  const first = await releaseOf(builder)
  const again = await step(
    builder,
    first.repo,
    'push-tag',
    {},
    { ...first.run, GITHUB_RUN_ATTEMPT: '2' }
  )
  expectSucceeded(again)
  expect(await registryState(a, first.repo)).toEqual(first.state)
  expect(JSON.parse(again.outputs.pushed)).toEqual([])
  expect(again.outputs.digest).toBe(first.digest)
}

async function legsAndMerge(builder: StackBuilder): Promise<void> {
  const repo = repoFor(builder, 'legs')
  const run = workflowRun()
  const legs = await Promise.all(
    PLATFORMS.map(platform =>
      step(
        builder,
        repo,
        'push-tag',
        { mode: 'digest', platforms: platform },
        run
      )
    )
  )
  for (const leg of legs) {
    expectSucceeded(leg)
    expectBuiltOn(leg)
  }
  // each leg's handover tag, nothing else
  expect(await publishedTags(a, repo)).toEqual(
    PLATFORMS.map(p => `build-${run.GITHUB_RUN_ID}-${p.replace('/', '-')}`)
  )
  const merge = await step(
    builder,
    repo,
    'push-tag',
    { mode: 'merge', platforms: PLATFORMS.join(',') },
    run
  )
  const digest = await expectPublished(merge, repo, RELEASE_TAGS)
  const index = await readManifest(a, repo, digest)
  expect(index.platforms).toEqual(PLATFORMS)
}

function loadAndPush(event: EventName, tags: string[]) {
  return async (builder: StackBuilder): Promise<void> => {
    const repo = repoFor(builder, 'load')
    const run = await step(builder, repo, event, { load: 'true' })
    const refs = tags.map(tag => `${a.host}/${repo}:${tag}`)
    loaded.push(...refs.map(ref => ({ engine: run.engine, ref })))
    const digest = await expectPublished(run, repo, tags)
    expectBuiltOn(run)
    // the bytes tested locally are the bytes pushed: the containerd store
    // names an image by its manifest (or index), the classic one by its config
    const id =
      run.engine.store === 'containerd'
        ? digest
        : await configDigest(repo, digest)
    expect(
      await Promise.all(refs.map(ref => localImageId(run.engine, ref)))
    ).toEqual(refs.map(() => id))
  }
}

async function promote(builder: StackBuilder): Promise<void> {
  const source = await releaseOf(builder)
  const repo = repoFor(builder, 'promoted')
  const run = await step(builder, repo, 'push-tag', {
    mode: 'promote',
    source: `${a.host}/${source.repo}:1.2.3`,
    context: undefined
  })
  expect(await expectPublished(run, repo, RELEASE_TAGS)).toBe(source.digest)
}

async function failingBuild(builder: StackBuilder): Promise<void> {
  const repo = repoFor(builder, 'broken')
  const run = await step(builder, repo, 'push-tag', { context: BROKEN })
  expectFailed(run, /^::error::.*this-file-does-not-exist\.txt/)
  expect(await publishedTags(a, repo)).toEqual([])
}

interface MatrixCase {
  name: string
  /** The builders it runs on. */
  on: (builder: StackBuilder) => boolean
  /** Why the others are left out, when some are. */
  leftOut?: string
  test: (builder: StackBuilder) => Promise<void>
}

const everywhere = () => true

/** The cases, and which builders each runs on. */
const CASES: MatrixCase[] = [
  {
    name: 'release v1.2.3: exactly 1, 1.2, 1.2.3, the digest the registry holds',
    on: everywhere,
    test: release
  },
  {
    name: 'two platforms: one index of both under exactly the asked tags',
    on: builder => builder.multiPlatform,
    leftOut:
      "the classic store's docker driver builds one platform (next case)",
    test: twoPlatforms
  },
  {
    name: 'two platforms: a docker-container builder made for the run, then removed',
    on: builder => !builder.multiPlatform,
    leftOut: 'the others build both platforms themselves (case above)',
    test: twoPlatformsOwnBuilder
  },
  {
    name: 're-run of the release (attempt 2): succeeds, changes nothing',
    on: everywhere,
    test: rerun
  },
  {
    name: 'digest legs + merge: one index under the computed tags',
    on: everywhere,
    test: legsAndMerge
  },
  {
    name: "load + push, one tag: pushed, and in the engine's store",
    on: everywhere,
    test: loadAndPush('push-branch', [BRANCH_TAG])
  },
  {
    name: "load + push, three tags: pushed, and in the engine's store",
    on: everywhere,
    test: loadAndPush('push-tag', RELEASE_TAGS)
  },
  {
    name: 'promote the release to another repository: same digest, exact tags',
    on: everywhere,
    test: promote
  },
  {
    name: 'a failing build: exit 1, one ::error:: line, no tag',
    on: everywhere,
    test: failingBuild
  }
]

describe.each(BUILDERS)('$name', builder => {
  afterAll(async () => {
    const mine = loaded.splice(0)
    for (const { engine, ref } of mine)
      await runDocker(['image', 'rm', ref], {
        env: { DOCKER_HOST: engine.host }
      })
  })

  it.each(CASES.filter(c => c.on(builder)))('$name', async ({ test }) => {
    expect.hasAssertions()
    await test(builder)
  })
})
