/**
 * Warm builds on cold runners, with no cache settings (SPEC 11, issue 28):
 * the second commit of an app, on a builder that kept nothing of the first
 * (its cache records pruned, its images gone), reuses the dependency step
 * from the image's own earlier tag in the registry (the inline cache); a
 * pull request reads the push runs' cache and writes none they read; a
 * cache-to the builder cannot export fails before anything runs. GitHub's
 * cache service cannot run here: `cache: local` stands in where an export
 * path is needed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMain, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import { executedLines, planLine, planOf } from './field-support.js'
import { listTags, readJson, readManifest } from './registry-api.js'
import { runDocker } from '../support/docker-cli.js'
import {
  appContext,
  coldRunner,
  commitEnv,
  ranDependencies,
  registryBase
} from '../support/app-commits.js'
import {
  DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  builderNamed,
  type StackBuilder
} from '../support/builders.js'
import { stackEnv, type StackRegistry } from '../support/stack-env.js'

let base = ''

beforeAll(() => {
  base = registryBase(stackEnv().a)
})

/** An app of its own (repository and nonce) on one builder. */
function app(builder: StackBuilder) {
  const { a } = stackEnv()
  const repo = uniqueRepo('cache-auto')
  const nonce = repo.replace(/\W/g, '-')
  const image = `${a.host}/${repo}`
  /** One run of commit `commit` (a push by default), after making the runner cold. */
  const run = async (
    commit: number,
    inputs: Record<string, string> = {},
    event: Record<string, string> = commitEnv(commit)
  ): Promise<StepResult> => {
    const { DOCKER_CONFIG } = runnerEnv('push-branch')
    const use = builder.use(DOCKER_CONFIG)
    coldRunner({ ...use.env, DOCKER_CONFIG }, use.builder, nonce)
    return runMain(
      {
        images: image,
        ...credentials(a),
        context: appContext(
          nonce,
          commit,
          0,
          use.builder === 'default' ? undefined : base
        ),
        provenance: 'false',
        ...use.inputs,
        ...inputs
      },
      { ...event, DOCKER_CONFIG, ...use.env }
    )
  }
  return { run, repo, image, registry: a }
}

function succeeded(step: StepResult): StepResult {
  expect(step.stdout).not.toMatch(/::error::/)
  expect(step.code).toBe(0)
  return step
}

const COLD = [
  'docker 26.1 containerd store',
  'docker 26.1 classic store',
  'docker 28.5 classic store',
  ...DOCKER_29_CLASSIC,
  RUNNER_CONTAINERD,
  'docker-container on 26.1 containerd',
  'docker-container on 28.5 classic'
].map(name => ({ name, builder: builderNamed(name) }))

describe('the second commit on a cold runner, no cache settings', () => {
  it.each(COLD)(
    '$name: the dependency step comes from the image in the registry',
    async ({ name, builder }) => {
      const { run, repo, registry } = app(builder)
      const first = succeeded(await run(1))
      expect(ranDependencies(first.stdout)).toBe(true)
      expect(first.stdout).toContain('--cache-to type=inline')
      const second = succeeded(await run(2))
      // the plan says what auto decided, and the build imported the branch's tag
      expect(second.stdout).toMatch(
        /Cache:\n {2}auto: .*the inline cache, exported with the image; imports from tickets-DM-42 \(this run's tag\)/
      )
      expect(second.stdout).toContain(
        `--cache-from type=registry,ref=${registry.host}/${repo}:tickets-DM-42`
      )
      expect(ranDependencies(second.stdout)).toBe(false)
      // dockerd's BuildKit on the classic store reads the cache from the engine: pulled first
      const pulls = /\ncache {5}docker pull /.test(second.stdout)
      expect(pulls).toBe(/^docker [\d.]+ classic store$/.test(name))
      // the log and the job summary say what the cache did
      expect(second.stdout).toMatch(/Cache: [1-9]\d* of \d+ steps cached/)
      expect(second.summary).toMatch(/ · Cache: [1-9]\d* of \d+ steps cached/)
      // auto wrote no tag: the registry holds the asked one only
      expect(await listTags(registry, repo)).toEqual(['tickets-DM-42'])
    }
  )

  it.each(
    ['docker 28.5 classic store', 'docker-container on 26.1 containerd'].map(
      name => ({ name, builder: builderNamed(name) })
    )
  )(
    '$name, cache: off: the cold runner runs the step again (the control)',
    async ({ builder }) => {
      const { run } = app(builder)
      succeeded(await run(1, { cache: 'off' }))
      const second = succeeded(await run(2, { cache: 'off' }))
      expect(second.stdout).not.toContain('--cache-')
      expect(ranDependencies(second.stdout)).toBe(true)
    }
  )
})

interface ManifestJson {
  layers: { digest: string }[]
}

/** Runs docker against the 28.5 containerd-store engine (it checks each layer's diff_id as it unpacks) with a login to `registry`. */
async function otherEngine(registry: StackRegistry) {
  const env = {
    DOCKER_HOST: stackEnv().field.containerdDockerHost,
    DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'dpa-pull-'))
  }
  const docker = async (args: string[], input?: string) => {
    const result = await runDocker(args, { env, input })
    if (result.code !== 0)
      throw new Error(`docker ${args.join(' ')}: ${result.stderr}`)
    return result.stdout.trim()
  }
  await docker(
    ['login', registry.host, '-u', registry.username, '--password-stdin'],
    registry.password
  )
  return docker
}

describe('the layers the registry holds are not written out again: a classic save, an exported layout', () => {
  it.each(
    [
      {
        name: 'docker 28.5 classic store',
        held: /save: [1-9]\d* layers? taken as the registry holds (it|them) gzipped/
      },
      {
        name: RUNNER_CONTAINERD,
        // told only of the seeds still empty once the image was exported
        held: /build: [1-9]\d* layers? not copied out of the builder: the registry holds/
      }
    ].map(row => ({ ...row, builder: builderNamed(row.name) }))
  )(
    '$name: the second commit names the registry blobs, mounts them into a second repository, and pulls and runs elsewhere',
    async ({ builder, held }) => {
      const { run, repo, image, registry } = app(builder)
      const second = uniqueRepo('cache-auto-second')
      succeeded(await run(1))
      const before = await readJson<ManifestJson>(
        registry,
        repo,
        'manifests/tickets-DM-42'
      )
      const step = succeeded(
        await run(2, { images: `${image}\n${registry.host}/${second}` })
      )
      expect(step.stdout).toMatch(held)
      // their reads are a step of the run's plan, logged as it ran them: the imported tag's
      const heldSteps = planOf(step)
        .filter(entry => entry.step === 'layers')
        .map(planLine)
      expect(heldSteps).toEqual([
        expect.stringMatching(`/v2/${repo}/manifests/tickets-DM-42$`)
      ])
      expect(executedLines(step, ['layers'])).toEqual(heldSteps)
      const after = await readJson<ManifestJson>(
        registry,
        repo,
        'manifests/tickets-DM-42'
      )
      // every layer below the sources' COPY is the registry's blob of commit 1
      const kept = after.layers.slice(0, -1).map(l => l.digest)
      expect(kept).toEqual(before.layers.slice(0, -1).map(l => l.digest))
      expect(after.layers.at(-1)?.digest).not.toBe(before.layers.at(-1)?.digest)
      // the second repository got them mounted, not uploaded
      expect(step.stdout).toMatch(
        new RegExp(
          `${second}@sha256:[0-9a-f]+: [\\d.]+ [kK]?B uploaded, [1-9][\\d.]* [kKM]?B mounted`
        )
      )
      expect(await listTags(registry, second)).toEqual(['tickets-DM-42'])
      const docker = await otherEngine(registry)
      for (const name of [repo, second]) {
        const { digest } = await readManifest(registry, name, 'tickets-DM-42')
        const pulled = `${registry.host}/${name}@${digest}`
        await docker(['pull', pulled])
        expect(
          await docker(['run', '--rm', pulled, 'cat', '/app/src.txt'])
        ).toBe('commit 2')
      }
    }
  )
})

/** Every file under a folder with its content's sha256, sorted. */
function folderState(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => {
      const path = join(entry.parentPath, entry.name)
      const hash = createHash('sha256').update(readFileSync(path))
      return `${path.slice(dir.length)} ${hash.digest('hex')}`
    })
    .sort()
}

describe('a pull request reads the push runs cache and writes none they read', () => {
  const builder = builderNamed('docker-container on 26.1 containerd')

  it('cache: local (the stand-in for GitHub cache service): the push runs folder is left as it was', async () => {
    const { run } = app(builder)
    const dir = mkdtempSync(join(tmpdir(), 'dpa-cache-'))
    const cache = { cache: `local,dir=${dir}` }
    succeeded(await run(1, cache))
    const pushFolder = readdirSync(dir).find(name => !name.includes('-pr-'))
    expect(pushFolder).toBeDefined()
    const before = folderState(join(dir, pushFolder as string))
    expect(before.length).toBeGreaterThan(0)
    const pr = succeeded(await run(2, cache, { ...runnerEnv('pull-request') }))
    expect(pr.stdout).toContain(
      "pull request #42: reads the push runs' cache, writes only the folder"
    )
    // read the push's cache on a cold runner, wrote its own folder only
    expect(ranDependencies(pr.stdout)).toBe(false)
    expect(folderState(join(dir, pushFolder as string))).toEqual(before)
    expect(readdirSync(dir).sort()).toEqual(
      [pushFolder, `${pushFolder}-pr-42`].sort()
    )
  })

  it('auto on the classic store: the pull request exports no cache', async () => {
    const { run, repo, registry } = app(
      builderNamed('docker 28.5 classic store')
    )
    succeeded(await run(1))
    const pr = succeeded(await run(2, {}, { ...runnerEnv('pull-request') }))
    expect(pr.stdout).toContain('pull request #42 exports no cache')
    expect(pr.stdout).not.toContain('--cache-to')
    expect(await listTags(registry, repo)).toEqual(['pr-42', 'tickets-DM-42'])
  })
})

describe('the dry run prints what auto decided', () => {
  it('docker 28.5 classic store: inline, and the tag it imports from (read with the credentials)', async () => {
    const { run, registry, repo } = app(
      builderNamed('docker 28.5 classic store')
    )
    succeeded(await run(1))
    const dry = succeeded(await run(2, { 'dry-run': 'true' }))
    expect(dry.stdout).toMatch(
      /Cache:\n {2}auto: default \(driver docker\) on the classic image store exports only the inline cache: the inline cache, exported with the image; imports from tickets-DM-42 \(this run's tag\)/
    )
    expect(dry.stdout).toContain(
      `--cache-from type=registry,ref=${registry.host}/${repo}:tickets-DM-42 --cache-to type=inline`
    )
  })
})

describe('a cache-to the builder cannot export fails before anything runs', () => {
  it.each([
    { name: 'docker 28.5 classic store', line: 'type=gha,mode=max' },
    {
      name: 'docker 26.1 classic store',
      line: 'type=registry,ref=example.test/o/cache:x'
    }
  ])('$name, cache-to $line', async ({ name, line }) => {
    const { run } = app(builderNamed(name))
    // named: with no builder input the step makes a builder that can (own-builder.test.ts)
    const step = await run(1, { 'cache-to': line, builder: 'default' })
    expect(step.code).not.toBe(0)
    expect(step.stdout).toMatch(
      /::error::input "cache-to": invalid value ".*": the builder default \(driver docker\) on the classic image store cannot export a type=(gha|registry) cache \(only type=inline\); add docker\/setup-buildx-action/
    )
    expect(step.stdout).not.toMatch(/\[command\].*buildx build/)
  })
})
