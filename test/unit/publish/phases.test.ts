import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  DockerCommandError,
  type DockerRunner
} from '../../../src/docker/runner.js'
import type { Builder } from '../../../src/plan/builder.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import { runPipeline } from '../../../src/publish/phases.js'
import { tagRows } from '../../../src/publish/outcome.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { testPublishEnv } from '../../support/publish-env.js'
import { PASSWORD, releaseRun } from '../docker/run-fixture.js'
import { readDockerConfig } from '../../../src/docker/config.js'
import type { Settings } from '../../../src/settings/settings.js'
import type { Tag } from '../../../src/tags/tag-types.js'
import { savedTar } from '../../support/saved-tar.js'

// The executor on a builder this machine cannot run (no buildkitd image):
// docker-container, as docker/setup-buildx-action leaves it. The fake
// docker pushes by digest into an in-memory registry, as BuildKit does.

const IMAGE = 'ghcr.io/octo/app'
const CONTAINER: Builder = { name: 'builder-1', driver: 'docker-container' }

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-pipeline-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/**
 * A docker whose build pushes by digest (under its --tag, if it has one: the
 * docker driver's staging tag) and writes buildx's metadata.
 */
/** The run's env in `dir` (its temp folder and docker config), with the settings' logins. */
const runEnv = (
  docker: DockerRunner,
  registry: MemoryRegistry,
  dir: string,
  settings: Settings,
  warnings: string[],
  infos?: string[]
) =>
  testPublishEnv({
    docker,
    registry,
    tempDir: dir,
    dockerConfig: dir,
    logins: settings.logins,
    warnings,
    infos
  })

function buildkitDocker(
  registry: MemoryRegistry,
  body: string,
  labels: Record<string, string>,
  removeImage: () => Promise<void>,
  buildError?: string,
  command?: (args: string[]) => Promise<void>
) {
  const calls: string[][] = []
  const docker: DockerRunner = {
    async run(args) {
      calls.push(args)
      if (args[1] === 'build' && buildError !== undefined)
        throw new DockerCommandError(args, 1, buildError)
      if (args[0] === 'image' && args[1] === 'rm') await removeImage()
      await command?.(args)
      const metadata = args.indexOf('--metadata-file')
      const tag = args.indexOf('--tag')
      if (args[1] === 'build' && metadata >= 0) {
        const staging = tag >= 0 ? args[tag + 1].split(':').at(-1) : undefined
        const { digest } = registry.push(IMAGE, body, staging, labels)
        writeFileSync(
          args[metadata + 1],
          JSON.stringify({ 'containerimage.digest': digest })
        )
      }
      return { stdout: '', stderr: '' }
    }
  }
  return { docker, calls }
}

interface Options {
  /** The commit the build says it is of (default: this run's). */
  revision?: string
  'immutable-tags'?: string
  builder?: Builder
  /** What `docker image rm` does (default: done at once). */
  removeImage?: () => Promise<void>
  /** The build fails, saying this. */
  buildError?: string
  /** Where the run's warnings go. */
  warnings?: string[]
  /** The release's tags, in place of those of `ref`. */
  tags?: Tag[]
  /** What each docker command does too. */
  command?: (args: string[]) => Promise<void>
  /** Where the run's info lines go. */
  infos?: string[]
}

async function publish(
  registry: MemoryRegistry,
  body: string,
  ref: string,
  options: Options = {}
) {
  const { settings, publication } = await releaseRun({
    images: IMAGE,
    logins: '',
    secrets: '',
    tags: '',
    'immutable-tags': options['immutable-tags'] ?? 'error'
  })
  const release = { ...publication }
  if (ref !== '1.2.3') {
    const [major, minor] = ref.split('.')
    release.tags = [
      { name: ref, kind: 'version' },
      {
        name: `${major}.${minor}`,
        kind: 'floating',
        line: { scope: 'minor', version: ref }
      },
      { name: major, kind: 'floating', line: { scope: 'major', version: ref } }
    ]
  }
  if (options.tags !== undefined) release.tags = options.tags
  release.refs = release.tags.map(t => `${IMAGE}:${t.name}`)
  const files = {
    metadata: join(dir, 'metadata.json'),
    iid: join(dir, 'iid'),
    layout: '/run/layout',
    secretSpecs: []
  }
  const pipeline = pipelineFor({
    settings,
    publication: release,
    builder: options.builder ?? CONTAINER,
    files,
    userConfig: join(dir, 'user-docker-config')
  })
  const revision = 'org.opencontainers.image.revision'
  const labels = {
    ...release.labels,
    [revision]: options.revision ?? release.labels[revision]
  }
  const { docker, calls } = buildkitDocker(
    registry,
    body,
    labels,
    options.removeImage ?? (() => Promise.resolve()),
    options.buildError,
    options.command
  )
  const warnings = options.warnings ?? []
  const env = runEnv(docker, registry, dir, settings, warnings, options.infos)
  const result = await runPipeline(settings, release, pipeline, env)
  return { result, calls, warnings, release }
}

describe('runPipeline on a docker-container builder', () => {
  it('pushes by digest, then points every tag at it: no local store, no docker push', async () => {
    const registry = new MemoryRegistry()
    const { result, calls } = await publish(registry, '{"v":1}', '1.2.3')
    const digest = result.digest
    expect(registry.tagsOf(IMAGE)).toEqual({
      '1.2.3': digest,
      '1.2': digest,
      '1': digest
    })
    // the login is the registry client's, written to the run's config: no docker login
    expect(calls.map(argv => argv.slice(0, 2).join(' '))).toEqual([
      'buildx build'
    ])
    expect(readDockerConfig(dir).auths).toEqual({
      'ghcr.io': { auth: Buffer.from(`octo:${PASSWORD}`).toString('base64') }
    })
    expect(calls[0]).toContain('--builder')
    expect(calls[0].join(' ')).not.toMatch(/--load|--tag/)
    expect(result.pushed.map(p => p.ref)).toEqual(
      ['1.2.3', '1.2', '1'].map(t => `${IMAGE}:${t}`)
    )
  })

  const OWN: Builder = {
    name: 'docker-publish-abc',
    driver: 'docker-container',
    own: { driver: 'docker-container', driverOpts: [], reason: 'a test' }
  }
  const NODE = 'buildx_buildkit_docker-publish-abc0'

  it("the run's own builder: its node's container removed, forced, and its state volume only once the container is gone", async () => {
    const events: string[] = []
    const { result } = await publish(new MemoryRegistry(), '{"v":1}', '1.2.3', {
      builder: OWN,
      command: async args => {
        if (args[0] === 'volume') events.push(args.join(' '))
        if (args[0] !== 'rm') return
        for (let tick = 0; tick < 5; tick++)
          await new Promise(resolve => setImmediate(resolve))
        events.push(`${args.join(' ')}: gone`)
      }
    })
    expect(events).toEqual([
      `rm --force --volumes ${NODE}: gone`,
      `volume rm --force ${NODE}_state`
    ])
    expect(result.pushed).toHaveLength(3)
  })

  it.each([
    {
      name: 'already gone: no warning, the volume removed, the removal told',
      said: `Error response from daemon: No such container: ${NODE}`,
      volume: true,
      warnings: [],
      told: true
    },
    {
      name: 'refused: one warning for each of the two left, the volume not tried, no removal told',
      said: 'Error response from daemon: removal of container is already in progress',
      volume: false,
      warnings: [
        'cleanup: Error response from daemon: removal of container is already in progress',
        `cleanup: ${NODE}_state kept: its container could not be removed`
      ],
      told: false
    }
  ])(
    "the own builder's container removal $name",
    async ({ said, volume, warnings, told }) => {
      const commands: string[] = []
      const infos: string[] = []
      const run = await publish(new MemoryRegistry(), '{"v":1}', '1.2.3', {
        builder: OWN,
        infos,
        command: args => {
          commands.push(args[0])
          return args[0] === 'rm'
            ? Promise.reject(new Error(said))
            : Promise.resolve()
        }
      })
      expect(run.result.pushed).toHaveLength(3)
      expect(commands.includes('volume')).toBe(volume)
      expect(run.warnings).toEqual(warnings)
      expect(
        infos.some(line => /builder for this run was removed/.test(line))
      ).toBe(told)
    }
  )

  it('a backport after a newer release keeps 1 where it is (guards on a fresh read)', async () => {
    const registry = new MemoryRegistry()
    const newer = await publish(registry, '{"v":150}', '1.5.0')
    const backport = await publish(registry, '{"v":145}', '1.4.5')
    expect(registry.tagsOf(IMAGE)).toMatchObject({
      '1.5.0': newer.result.digest,
      '1': newer.result.digest,
      '1.4.5': backport.result.digest,
      '1.4': backport.result.digest
    })
    expect(backport.result.skipped.map(s => s.ref)).toEqual([`${IMAGE}:1`])
  })

  it('a release tag on another digest stops the run before any tag moves', async () => {
    const registry = new MemoryRegistry()
    await publish(registry, '{"v":1}', '1.2.3', { revision: 'an older commit' })
    const before = registry.tagsOf(IMAGE)
    await expect(publish(registry, '{"v":2}', '1.2.3')).rejects.toThrow(
      /release tags are immutable/
    )
    expect(registry.tagsOf(IMAGE)).toEqual(before)
  })
})

describe('runPipeline: re-runs of the same commit', () => {
  it('a release built from this commit is this release: nothing rewritten, success', async () => {
    const registry = new MemoryRegistry()
    const first = await publish(registry, '{"build":1}', '1.2.3')
    const before = registry.tagsOf(IMAGE)
    const rerun = await publish(registry, '{"build":2}', '1.2.3')
    expect(registry.tagsOf(IMAGE)).toEqual(before)
    expect(rerun.result.digest).toBe(first.result.digest)
    expect(rerun.result.pushed).toEqual([])
    expect(registry.calls.filter(c => c.startsWith('PUT'))).toHaveLength(3)
  })

  it('a re-run converges the floating tags on the release', async () => {
    const registry = new MemoryRegistry()
    const first = await publish(registry, '{"build":1}', '1.2.3')
    registry.retag(IMAGE, '1', 'sha256:' + '0'.repeat(64))
    registry.push(IMAGE, 'elsewhere', '1', {})
    await publish(registry, '{"build":2}', '1.2.3')
    expect(registry.tagsOf(IMAGE)['1']).toBe(first.result.digest)
  })

  it('immutable-tags: overwrite publishes the new build instead', async () => {
    const registry = new MemoryRegistry()
    await publish(registry, '{"build":1}', '1.2.3')
    const rerun = await publish(registry, '{"build":2}', '1.2.3', {
      'immutable-tags': 'overwrite'
    })
    expect(registry.tagsOf(IMAGE)['1.2.3']).toBe(rerun.result.digest)
  })
})

describe('runPipeline: two releases at once', () => {
  it('a newer release published meanwhile takes the floating tag back (repair)', async () => {
    const registry = new MemoryRegistry()
    // the other run publishes 1.5.0 right after our 1.4.6 landed, and its
    // `1` lands before ours: ours would end on the older release
    let newer = ''
    registry.afterPut = (_, tag) => {
      if (tag !== '1.4.6') return
      registry.afterPut = () => undefined
      newer = registry.push(IMAGE, 'other run', '1.5.0', {}).digest
      registry.retag(IMAGE, '1.5', newer)
      registry.retag(IMAGE, '1', newer)
    }
    const { result, warnings } = await publish(registry, '{"v":146}', '1.4.6')
    const tags = registry.tagsOf(IMAGE)
    expect(tags['1']).toBe(newer)
    expect(tags['1.4']).toBe(result.digest)
    expect(warnings.join('\n')).toMatch(
      /:1 repaired: 1\.5\.0 is the newest release/
    )
    expect(result.pushed.map(p => p.ref)).toEqual(
      ['1.4.6', '1.4'].map(t => `${IMAGE}:${t}`)
    )
  })

  it('the same release written by another build meanwhile fails loudly, naming both digests', async () => {
    const registry = new MemoryRegistry()
    let theirs = ''
    registry.afterPut = (_, tag) => {
      if (tag !== '1') return
      registry.afterPut = () => undefined
      theirs = registry.push(IMAGE, 'other build', '1.2.3', {}).digest
    }
    const run = publish(registry, '{"v":"ours"}', '1.2.3')
    await expect(run).rejects.toThrow(/another run published the same release/)
    await expect(run).rejects.toThrow(
      new RegExp(`1\\.2\\.3 now holds ${theirs}`)
    )
    // the floating tags follow the release that won
    expect(registry.tagsOf(IMAGE)).toMatchObject({
      '1.2.3': theirs,
      '1.2': theirs,
      '1': theirs
    })
  })
})

describe('runPipeline: the same release twice at once (the re-run rule at the read-back)', () => {
  /** The labels a build of this run's commit carries. */
  const thisCommit = async () =>
    (
      await releaseRun({
        images: IMAGE,
        logins: '',
        secrets: '',
        tags: '',
        'immutable-tags': 'error'
      })
    ).publication.labels

  /** Another build lands on 1.2.3 right after our floating tag 1 (it read before our write). */
  function raceOnRelease(
    registry: MemoryRegistry,
    labels: Record<string, string>
  ): () => string {
    let theirs = ''
    registry.afterPut = (_, tag) => {
      if (tag !== '1') return
      registry.afterPut = () => undefined
      theirs = registry.push(IMAGE, 'other build', '1.2.3', labels).digest
      registry.retag(IMAGE, '1.2', theirs)
      registry.retag(IMAGE, '1', theirs)
    }
    return () => theirs
  }

  it.each([
    ['a re-run racing the first attempt (this commit)', true],
    ['another build of this commit, floating tags ours at the end', false]
  ])(
    '%s: succeeds with the release that won as its digest',
    async (_, floatingTheirs) => {
      const registry = new MemoryRegistry()
      const labels = await thisCommit()
      let theirs = ''
      registry.afterPut = (_, tag) => {
        if (tag !== '1.2.3') return
        registry.afterPut = () => undefined
        theirs = registry.push(IMAGE, 'first attempt', '1.2.3', labels).digest
        if (floatingTheirs) registry.retag(IMAGE, '1.2', theirs)
      }
      const { result } = await publish(registry, '{"attempt":2}', '1.2.3')
      expect(result.digest).toBe(theirs)
      expect(registry.tagsOf(IMAGE)).toMatchObject({
        '1.2.3': theirs,
        '1.2': theirs,
        '1': theirs
      })
      // no output names this run's unused build
      expect(result.pushed.every(p => p.digest === theirs)).toBe(true)
    }
  )

  it("another commit's build fails the run, saying 1.2.3 now holds that commit's build", async () => {
    const registry = new MemoryRegistry()
    const labels = await thisCommit()
    const theirs = raceOnRelease(registry, {
      ...labels,
      'org.opencontainers.image.revision': 'the other commit'
    })
    const error = await publish(registry, '{"v":"ours"}', '1.2.3').catch(
      (e: unknown) => e
    )
    expect(String(error)).toMatch(
      new RegExp(
        `1\\.2\\.3 now holds ${theirs()}, the build of another commit \\(the other commit\\), not sha256:`
      )
    )
  })
})

describe('runPipeline: the release tag written by another run between the read and the write', () => {
  const REVISION = 'org.opencontainers.image.revision'
  const labelsOf = async (revision?: string) => {
    const { publication } = await releaseRun({
      images: IMAGE,
      logins: '',
      secrets: '',
      tags: ''
    })
    const labels = publication.labels
    return revision === undefined ? labels : { ...labels, [REVISION]: revision }
  }

  /**
   * The other run writes `tags` with its build right before the run's `nth` HEAD of 1.2.3 is
   * answered (the 2nd is the recheck of the first read, the 4th that of the second); the digests
   * it wrote, filled as it writes.
   */
  function writesBeforeHead(
    registry: MemoryRegistry,
    writes: { nth: number; labels: Record<string, string>; tags: string[] }[]
  ): string[] {
    const digests: string[] = []
    let heads = 0
    registry.beforeHead = (_, reference) => {
      if (reference !== '1.2.3') return
      const write = writes.find(w => w.nth === ++heads)
      if (write === undefined) return
      const [first, ...rest] = write.tags
      const other = registry.push(IMAGE, `other ${heads}`, first, write.labels)
      for (const tag of rest) registry.retag(IMAGE, tag, other.digest)
      digests.push(other.digest)
    }
    return digests
  }

  const tagPuts = (registry: MemoryRegistry) =>
    registry.calls.filter(call => /^PUT \S+ [^:\s]+$/.test(call))

  it.each([
    {
      name: 'every tag written: the run writes nothing, every output names its build',
      written: ['1.2.3', '1.2', '1'],
      puts: [],
      change: ['unchanged', 'unchanged', 'unchanged']
    },
    {
      name: 'only 1.2.3 written yet: the run points the floating tags at its build',
      written: ['1.2.3'],
      puts: ['1.2', '1'],
      change: ['unchanged', 'new', 'new']
    }
  ])(
    'another build of this commit ($name): it is this release',
    async ({ written, puts, change }) => {
      const registry = new MemoryRegistry()
      const labels = await labelsOf()
      const others = writesBeforeHead(registry, [
        { nth: 2, labels, tags: written }
      ])
      const { result, release } = await publish(registry, '{"a":2}', '1.2.3')
      const [theirs] = others
      expect(result.digest).toBe(theirs)
      expect(registry.tagsOf(IMAGE)).toEqual({
        '1.2.3': theirs,
        '1.2': theirs,
        '1': theirs
      })
      expect(tagPuts(registry)).toEqual(puts.map(t => `PUT ${IMAGE} ${t}`))
      expect(result.pushed).toEqual(
        puts.map(t => ({ ref: `${IMAGE}:${t}`, digest: theirs }))
      )
      expect(
        tagRows(release, result).map(row => [row.digest, row.change.state])
      ).toEqual(change.map(state => [theirs, state]))
    }
  )

  it("another commit's build: fails before any tag moves, saying another run wrote 1.2.3 and what it holds", async () => {
    const registry = new MemoryRegistry()
    const written = writesBeforeHead(registry, [
      { nth: 2, labels: await labelsOf('the other commit'), tags: ['1.2.3'] }
    ])
    const error = await publish(registry, '{"a":2}', '1.2.3').catch(
      (e: unknown) => e
    )
    const [theirs] = written
    expect(String(error)).toMatch(
      /release tags are immutable \(immutable-tags: error\), so nothing was pushed/
    )
    expect(String(error)).toContain(
      `${IMAGE}:1.2.3 was written by another run after this run read it: it now holds ${theirs}`
    )
    expect(tagPuts(registry)).toEqual([])
    expect(registry.tagsOf(IMAGE)).toEqual({ '1.2.3': theirs })
  })

  it('a second release tag written after the second read: fails, nothing pushed, naming what it holds', async () => {
    const registry = new MemoryRegistry()
    const labels = await labelsOf()
    // 1.2.3 before its recheck (its 2nd HEAD), then v1.2.3 before its recheck after the second
    // read (its 4th)
    const others: string[] = []
    const heads = new Map<string, number>()
    registry.beforeHead = (_, reference) => {
      const nth = (heads.get(reference) ?? 0) + 1
      heads.set(reference, nth)
      if (
        reference === 'v1.2.3' ? nth === 4 : reference === '1.2.3' && nth === 2
      )
        others.push(registry.push(IMAGE, reference, reference, labels).digest)
    }
    const error = await publish(registry, '{"a":2}', '1.2.3', {
      tags: [
        { name: '1.2.3', kind: 'version' },
        { name: 'v1.2.3', kind: 'version' }
      ]
    }).catch((e: unknown) => e)
    expect(String(error)).toMatch(
      /another run is writing the same release at the same time, so nothing was pushed/
    )
    expect(String(error)).toContain(
      `${IMAGE}:v1.2.3 was written by another run after this run read it: it now holds ${others[1]}`
    )
    expect(tagPuts(registry)).toEqual([])
  })

  it('immutable-tags: overwrite reads nothing again: the run writes its own build', async () => {
    const registry = new MemoryRegistry()
    writesBeforeHead(registry, [
      { nth: 2, labels: await labelsOf(), tags: ['1.2.3'] }
    ])
    const { result } = await publish(registry, '{"a":2}', '1.2.3', {
      'immutable-tags': 'overwrite'
    })
    expect(registry.tagsOf(IMAGE)['1.2.3']).toBe(result.digest)
  })
})

/**
 * buildx's docker driver on the classic image store: the build lands in the
 * store untagged, `docker save` hands its layout over, the action uploads it
 * and removes the image by id.
 */
function classicStoreDocker(
  removeImage: () => Promise<void>,
  failing: { build?: string; save?: string } = {}
) {
  const image = savedTar([Buffer.from('layer bytes')], {
    config: { Labels: { built: 'here' } }
  })
  const calls: string[][] = []
  const docker: DockerRunner = {
    async run(args, options) {
      calls.push(args)
      if (args[1] === 'build' && failing.build !== undefined)
        throw new DockerCommandError(args, 1, failing.build)
      if (args[0] === 'save' && failing.save !== undefined)
        throw new DockerCommandError(args, 1, failing.save)
      if (args[0] === 'image' && args[1] === 'rm') await removeImage()
      const metadata = args.indexOf('--metadata-file')
      if (args[1] === 'build' && metadata >= 0)
        writeFileSync(
          args[metadata + 1],
          JSON.stringify({ 'containerimage.config.digest': image.imageId })
        )
      if (args[0] === 'save') await options?.stdout?.(image.tar)
      return { stdout: '', stderr: '' }
    }
  }
  return { docker, calls, imageId: image.imageId }
}

describe('runPipeline on the docker driver (classic store): no staging tag', () => {
  const CLASSIC_STORE: Builder = {
    name: 'default',
    driver: 'docker',
    store: 'classic'
  }

  async function publishFromStore(
    registry: MemoryRegistry,
    removeImage: () => Promise<void> = () => Promise.resolve(),
    failing: { build?: string; save?: string } = {},
    warnings: string[] = []
  ) {
    const { settings, publication } = await releaseRun({
      images: IMAGE,
      logins: '',
      secrets: '',
      tags: ''
    })
    const files = {
      metadata: join(dir, 'metadata.json'),
      iid: join(dir, 'iid'),
      layout: join(dir, 'layout'),
      secretSpecs: []
    }
    const pipeline = pipelineFor({
      settings,
      publication,
      builder: CLASSIC_STORE,
      files,
      userConfig: join(dir, 'user-docker-config')
    })
    const { docker, calls, imageId } = classicStoreDocker(removeImage, failing)
    const env = runEnv(docker, registry, dir, settings, warnings)
    const run = runPipeline(settings, publication, pipeline, env)
    return { run, calls, imageId, layout: files.layout }
  }

  const isTagPut = (call: string) => /^PUT \S+ [^:\s]+$/.test(call)
  const tagPuts = (registry: MemoryRegistry) =>
    registry.calls.filter(isTagPut).length

  it('uploads the saved layout by digest: the registry holds the asked tags and nothing else; the layout folder is gone', async () => {
    const registry = new MemoryRegistry()
    const { run, calls, layout } = await publishFromStore(registry)
    const result = await run
    expect(Object.keys(registry.tagsOf(IMAGE)).sort()).toEqual([
      '1',
      '1.2',
      '1.2.3'
    ])
    expect(Object.values(registry.tagsOf(IMAGE))).toEqual(
      Array(3).fill(result.digest)
    )
    expect(result.uploads?.map(u => u.image)).toEqual([IMAGE])
    expect(calls.some(args => args[0] === 'push')).toBe(false)
    expect(existsSync(layout)).toBe(false)
  })

  it('the image is removed by id beside the registry steps, and the run ends once it is gone', async () => {
    const registry = new MemoryRegistry()
    let removed = (): void => undefined
    const removal = new Promise<void>(resolve => (removed = resolve))
    let ended = false
    const { run, imageId } = await publishFromStore(registry, () => {
      registry.calls.push('docker image rm')
      return removal
    })
    const outcome = run.then(result => ((ended = true), result))
    while (tagPuts(registry) < 3)
      await new Promise(resolve => setImmediate(resolve))
    await new Promise(resolve => setImmediate(resolve))
    expect(ended).toBe(false)
    const firstTag = registry.calls.findIndex(isTagPut)
    expect(registry.calls.indexOf('docker image rm')).toBeLessThan(firstTag)
    removed()
    const result = await outcome
    expect(result.pushed.map(p => p.ref)).toEqual(
      ['1.2.3', '1.2', '1'].map(t => `${IMAGE}:${t}`)
    )
    expect(result.imageid).toBe(imageId)
  })

  it('a removal that fails is a warning: the publish stands', async () => {
    const warnings: string[] = []
    const { run } = await publishFromStore(
      new MemoryRegistry(),
      () => Promise.reject(new Error('image is in use')),
      {},
      warnings
    )
    expect((await run).pushed).toHaveLength(3)
    expect(warnings).toEqual(['cleanup: image is in use'])
  })

  it('the image is removed after a save that failed (the build had named it)', async () => {
    const removals: string[] = []
    const { run, calls, imageId } = await publishFromStore(
      new MemoryRegistry(),
      () => {
        removals.push('docker image rm')
        return Promise.resolve()
      },
      { save: 'Error response from daemon: disk full' }
    )
    await expect(run).rejects.toThrow(/disk full/)
    expect(removals).toEqual(['docker image rm'])
    expect(calls.at(-1)).toEqual(['image', 'rm', imageId])
  })

  it('a build that failed before naming its image leaves nothing to remove: no removal, no warning', async () => {
    const warnings: string[] = []
    const { run, calls } = await publishFromStore(
      new MemoryRegistry(),
      () => Promise.resolve(),
      { build: 'failed to solve: dockerfile parse error' },
      warnings
    )
    await expect(run).rejects.toThrow(/dockerfile parse error/)
    expect(calls.some(args => args[0] === 'image')).toBe(false)
    expect(warnings).toEqual([])
  })
})
