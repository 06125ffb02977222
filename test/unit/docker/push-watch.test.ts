import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { DockerStalledError } from '../../../src/docker/runner.js'
import type { Image } from '../../../src/reference/images.js'
import type { CommandStep } from '../../../src/plan/steps.js'
import { pushWatch } from '../../../src/docker/push-watch.js'
import { progressEvent } from '../../../src/docker/buildx-progress.js'
import { RegistryError } from '../../../src/registry/registry-error.js'
import {
  RetriesExhaustedError,
  TransientError
} from '../../../src/registry/retry.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { testPublishEnv } from '../../support/publish-env.js'

const GHCR: Image = parseImageName('ghcr.io/o/app')
const LOCAL: Image = parseImageName('127.0.0.1:5001/o/app')
const IMAGES = [GHCR, LOCAL]
const docker = { run: () => Promise.reject(new Error('no docker here')) }

/** An env whose registry answers pingUploads per registry as `answer` says. */
function envAnswering(answer: (image: string) => Promise<void>) {
  const registry = new MemoryRegistry()
  const asked: string[] = []
  registry.pingUploads = ({ name }) => {
    asked.push(name)
    return answer(name)
  }
  const env = testPublishEnv({
    docker,
    registry,
    retries: 2,
    registryTimeoutMs: 30_000
  })
  return { env, asked }
}

const build: CommandStep = {
  step: 'build',
  argv: ['buildx', 'build', '--push', '.'],
  registries: ['ghcr.io', '127.0.0.1:5001']
}
const index: CommandStep = {
  step: 'index',
  argv: ['buildx', 'imagetools', 'create', '--tag', `${LOCAL.name}:1`],
  registries: [LOCAL.registry],
  image: LOCAL
}

describe('pushWatch: which docker steps are watched', () => {
  it.each([
    { name: 'a pushing build', step: build, watched: true },
    { name: 'imagetools create', step: index, watched: true },
    {
      name: 'a build that does not push',
      step: { ...build, registries: [] },
      watched: false
    },
    {
      name: 'docker login',
      step: { ...index, step: 'login', argv: ['login'] },
      watched: false
    },
    {
      name: 'the dry-run of imagetools create',
      step: { ...index, step: 'predict', argv: ['buildx', 'imagetools'] },
      watched: false
    }
  ] as { name: string; step: CommandStep; watched: boolean }[])(
    '$name: $watched',
    ({ step, watched }) => {
      const { env } = envAnswering(() => Promise.resolve())
      expect(pushWatch(step, IMAGES, env) !== undefined).toBe(watched)
    }
  )

  it('a build is watched from its push phase on, in registry-timeout', () => {
    const { env } = envAnswering(() => Promise.resolve())
    const stall = pushWatch(build, IMAGES, env)
    expect(stall?.ms).toBe(30_000)
    // stopped after 10 registry-timeouts of silence, even while answered
    expect(stall?.limitMs).toBe(300_000)
    const starts = [
      '#4 [2/2] RUN make',
      '#6 exporting to image',
      '#6 pushing layers',
      '#6 pushing manifest for ghcr.io/o/app:1.2.3@sha256:1',
      '#7 pushing 127.0.0.1:5001/o/app:1.2.3 with docker'
    ].filter(line => stall?.startsAt?.(progressEvent(line)) === true)
    expect(starts).toEqual([
      '#6 pushing layers',
      '#6 pushing manifest for ghcr.io/o/app:1.2.3@sha256:1',
      '#7 pushing 127.0.0.1:5001/o/app:1.2.3 with docker'
    ])
  })

  it('imagetools create is watched from its start', () => {
    const { env } = envAnswering(() => Promise.resolve())
    expect(pushWatch(index, IMAGES, env)?.startsAt).toBeUndefined()
  })
})

describe('pushWatch: does the registry still answer?', () => {
  it('asks each registry the build pushes to, on its image', async () => {
    const { env, asked } = envAnswering(() => Promise.resolve())
    const watch = pushWatch(build, IMAGES, env)
    expect(await watch?.stillAnswering?.()).toBe(true)
    expect(asked.sort()).toEqual([LOCAL.name, GHCR.name])
  })

  it('a refusal is an answer', async () => {
    const { env } = envAnswering(() =>
      Promise.reject(new RegistryError('ghcr.io', 'denied', 403))
    )
    const watch = pushWatch(build, IMAGES, env)
    expect(await watch?.stillAnswering?.()).toBe(true)
  })

  it('no answer in time from one registry: not answering, and it is named', async () => {
    const timedOut = new RetriesExhaustedError(
      'registry 127.0.0.1:5001: GET …',
      3,
      new TransientError('no response within 30000 ms')
    )
    const { env } = envAnswering(image =>
      image === LOCAL.name ? Promise.reject(timedOut) : Promise.resolve()
    )
    const watch = pushWatch(build, IMAGES, env)
    expect(await watch?.stillAnswering?.()).toBe(false)
    const stalled = new DockerStalledError(build.argv, 61_400, '')
    expect(watch?.failure?.(stalled).message).toMatch(
      /^build: docker stopped sending push progress to registry 127\.0\.0\.1:5001 for 61 s, and the registry did not answer/
    )
  })
})

describe('pushWatch: its failure', () => {
  it('a push silent past its limit while the registry answered: says so and names the bound', async () => {
    const { env } = envAnswering(() => Promise.resolve())
    const watch = pushWatch(index, IMAGES, env, () => 3)
    await watch?.stillAnswering?.()
    const stalled = new DockerStalledError(index.argv, 300_200, '')
    expect(watch?.failure?.(stalled).message).toBe(
      "index: docker sent no push progress to registry 127.0.0.1:5001 for 300 s (10 × registry-timeout) while the registry still answered: one of docker's requests got no answer, so the push was stopped (3 attempts)"
    )
  })

  it('counts the runs it was given, not the retries allowed: one run is one attempt', async () => {
    const { env } = envAnswering(() => Promise.reject(new Error('timeout')))
    const watch = pushWatch(index, IMAGES, env, () => 1)
    await watch?.stillAnswering?.()
    const stalled = new DockerStalledError(index.argv, 61_400, 'Preparing')
    expect(watch?.failure?.(stalled).message).toMatch(
      /the registry stopped answering \(1 attempt\)$/
    )
  })

  it('names the step, the silence, the registry and registry-timeout', async () => {
    const { env } = envAnswering(() => Promise.reject(new Error('timeout')))
    const watch = pushWatch(index, IMAGES, env, () => 3)
    await watch?.stillAnswering?.()
    const stalled = new DockerStalledError(index.argv, 61_400, 'Preparing')
    expect(watch?.failure?.(stalled).message).toBe(
      'index: docker stopped sending push progress to registry 127.0.0.1:5001 for 61 s, and the registry did not answer on its upload endpoint within the registry-timeout (30 s): the registry stopped answering (3 attempts)'
    )
  })
})
