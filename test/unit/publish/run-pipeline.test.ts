import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { DockerRunner } from '../../../src/docker/runner.js'
import type { Builder } from '../../../src/plan/builder.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import type { PublishEnv } from '../../../src/publish/context.js'
import { runPipeline } from '../../../src/publish/run-pipeline.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { releaseRun } from '../docker/run-fixture.js'

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

/** A docker whose build pushes by digest (no tag) and writes buildx's metadata. */
function buildkitDocker(registry: MemoryRegistry, body: string) {
  const calls: string[][] = []
  const docker: DockerRunner = {
    run(args) {
      calls.push(args)
      const metadata = args.indexOf('--metadata-file')
      if (args[1] === 'build' && metadata >= 0) {
        const { digest } = registry.push(IMAGE, body)
        writeFileSync(
          args[metadata + 1],
          JSON.stringify({ 'containerimage.digest': digest })
        )
      }
      return Promise.resolve({ stdout: '', stderr: '' })
    }
  }
  return { docker, calls }
}

function envFor(docker: DockerRunner, registry: MemoryRegistry): PublishEnv {
  return {
    docker,
    registry,
    log: {
      info: () => undefined,
      notice: () => undefined,
      warning: () => undefined,
      group: (_, work) => work(),
      mask: () => undefined
    },
    retry: { retries: 0, sleep: () => Promise.resolve() },
    tempDir: dir,
    passwords: new Map(),
    progress: { pushed: [], skipped: [] }
  }
}

async function publish(registry: MemoryRegistry, body: string, ref: string) {
  const { settings, plan } = await releaseRun({
    images: IMAGE,
    logins: '',
    secrets: '',
    tags: ''
  })
  const release = { ...plan }
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
    release.refs = release.tags.map(t => `${IMAGE}:${t.name}`)
  }
  const files = {
    metadata: join(dir, 'metadata.json'),
    iid: join(dir, 'iid'),
    secretSpecs: []
  }
  const pipeline = pipelineFor({
    settings,
    plan: release,
    builder: CONTAINER,
    files
  })
  const { docker, calls } = buildkitDocker(registry, body)
  const result = await runPipeline(
    settings,
    release,
    pipeline,
    envFor(docker, registry)
  )
  return { result, calls }
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
    expect(calls.map(argv => argv.slice(0, 2).join(' '))).toEqual([
      'login ghcr.io',
      'buildx build'
    ])
    expect(calls[1]).toContain('--builder')
    expect(calls[1].join(' ')).not.toMatch(/--load|--tag/)
    expect(result.pushed.map(p => p.ref)).toEqual(
      ['1.2.3', '1.2', '1'].map(t => `${IMAGE}:${t}`)
    )
  })

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
    await publish(registry, '{"v":1}', '1.2.3')
    const before = registry.tagsOf(IMAGE)
    await expect(publish(registry, '{"v":2}', '1.2.3')).rejects.toThrow(
      /release tags are immutable/
    )
    expect(registry.tagsOf(IMAGE)).toEqual(before)
  })
})
