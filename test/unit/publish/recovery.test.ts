/**
 * docker-steps.ts' one recovery loop, driven by a fake docker whose each run succeeds, fails, or is
 * stopped by one of the watches it was given (by name): what the user reads, how often the command
 * ran and with which cache lines, and the error the step ends with.
 */
import { describe, expect, it } from '@jest/globals'
import type { CommandStep } from '../../../src/plan/steps.js'
import { runCommand } from '../../../src/publish/docker-steps.js'
import { RunValues } from '../../../src/publish/outcome.js'
import { parseImageName } from '../../../src/reference/images.js'
import {
  DockerCommandError,
  DockerStalledError,
  type DockerRunner
} from '../../../src/docker/runner.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { testPublishEnv } from '../../support/publish-env.js'

const IMAGE = parseImageName('127.0.0.1:5001/o/app')
const CACHE = 'type=registry,ref=127.0.0.1:5001/o/app:cache'
const PUSHING = ['--push', '--tag', `${IMAGE.name}:1`, '.']

const build = (...cache: string[]): CommandStep => ({
  step: 'build',
  argv: ['buildx', 'build', ...cache, ...PUSHING],
  registries: [IMAGE.registry]
})
const CACHED = build('--cache-from', CACHE, '--cache-to', CACHE)
const COLD = build()
const INDEX: CommandStep = {
  step: 'index',
  argv: ['buildx', 'imagetools', 'create', '--tag', `${IMAGE.name}:1`],
  registries: [IMAGE.registry],
  image: IMAGE
}

/** One run of the fake docker: stopped by the watch named, failed with output, or answered. */
type Outcome = { stall: string; output?: string } | { fail: string } | 'ok'

const EXPORTING =
  '#11 exporting to image\n#11 DONE 0.1s\n#12 exporting cache to registry\n#12 writing layer sha256:47a3'
const RESOLVING = '#2 [internal] load metadata for r.example/base:1'

function fakeDocker(outcomes: Outcome[]) {
  const runs: string[][] = []
  const docker: DockerRunner = {
    run(args, options) {
      runs.push(args)
      const outcome = outcomes[runs.length - 1] ?? 'ok'
      if (outcome === 'ok') return Promise.resolve({ stdout: '', stderr: '' })
      if ('fail' in outcome)
        return Promise.reject(new DockerCommandError(args, 1, outcome.fail))
      const watch = options?.stalls?.find(({ name }) => name === outcome.stall)
      if (watch === undefined)
        return Promise.reject(new Error(`no ${outcome.stall} watch`))
      return Promise.reject(
        new DockerStalledError(args, watch.ms, outcome.output ?? '', watch)
      )
    }
  }
  return { docker, runs }
}

async function recovered(step: CommandStep, outcomes: Outcome[]) {
  const { docker, runs } = fakeDocker(outcomes)
  const told: string[] = []
  const env = testPublishEnv({
    docker,
    registry: new MemoryRegistry(),
    retries: 2
  })
  env.log = {
    ...env.log,
    info: line => told.push(`info: ${line}`),
    warning: line => told.push(`warning: ${line}`)
  }
  let renewed = 0
  env.renewBuilder = {
    renew: () => Promise.resolve(void renewed++),
    told: "the run's own builder, made again"
  }
  const error = await runCommand(step, [IMAGE], new RunValues(), env).then(
    () => undefined,
    (caught: Error) => caught.message
  )
  const cached = runs.map(args => args.includes('--cache-from'))
  return { told, cached, renewed, error }
}

/** The renewed builder, as the warnings name it. */
const ON = "on the run's own builder, made again"
const CACHE_READ =
  'buildx sent no progress for 60 s while it read the cache or downloaded a layer, so the build was stopped'
const RUN_AGAIN_COLD =
  'it runs again without its cache (the same image, built cold)'

describe('the recovery loop: which watch stopped the command, and its recovery', () => {
  it.each([
    {
      name: 'a command that succeeds runs once',
      step: CACHED,
      outcomes: ['ok'] as Outcome[],
      told: [],
      cached: [true],
      renewed: 0
    },
    {
      name: 'cache watch, a build with cache lines: drop the cache, on a fresh BuildKit',
      step: CACHED,
      outcomes: [{ stall: 'cache' }, 'ok'] as Outcome[],
      told: [`warning: Cache: ${CACHE_READ}; ${RUN_AGAIN_COLD}, ${ON}`],
      cached: [true, false],
      renewed: 1
    },
    {
      name: 'push watch inside the cache export: drop the cache lines, the same BuildKit',
      step: CACHED,
      outcomes: [{ stall: 'push', output: EXPORTING }, 'ok'] as Outcome[],
      told: [
        'warning: Cache: buildx sent no progress for 30 s while it exported the cache, so the ' +
          "build was stopped; it runs again without its cache lines (its steps from the builder's " +
          'own cache)'
      ],
      cached: [true, false],
      renewed: 0
    },
    {
      name: 'a failure that names the cache: drop the cache',
      step: CACHED,
      outcomes: [
        {
          fail: 'ERROR: failed to solve: failed to configure gha cache importer: 500'
        },
        'ok'
      ] as Outcome[],
      told: [
        'warning: Cache: the build failed on its cache: ERROR: failed to solve: failed to ' +
          `configure gha cache importer: 500; ${RUN_AGAIN_COLD}`
      ],
      cached: [true, false],
      renewed: 0
    },
    {
      name: 'cache watch, a build without cache lines: renew and run again',
      step: COLD,
      outcomes: [{ stall: 'cache' }, 'ok'] as Outcome[],
      told: [
        'warning: buildx sent no progress for 60 s while it downloaded a layer: a registry read ' +
          `that hangs (BuildKit sets it no deadline); the build runs again ${ON}`
      ],
      cached: [false, false],
      renewed: 1
    },
    {
      name: 'resolve watch: renew and run again',
      step: CACHED,
      outcomes: [{ stall: 'resolve', output: RESOLVING }, 'ok'] as Outcome[],
      told: [
        'warning: buildx sent no progress for 60 s while it resolved r.example/base:1: ' +
          'r.example did not answer (BuildKit sets that read no deadline); the build runs ' +
          `again ${ON}`
      ],
      cached: [true, true],
      renewed: 1
    },
    {
      name: 'push watch: told, and run again by the retry',
      step: INDEX,
      outcomes: [{ stall: 'push' }, 'ok'] as Outcome[],
      told: [
        'info: stopped: index: docker sent no push progress to registry 127.0.0.1:5001 for 30 s ' +
          "(10 × registry-timeout) while the registry still answered: one of docker's requests " +
          'got no answer, so the push was stopped (1 attempt)'
      ],
      cached: [false, false],
      renewed: 0
    },
    {
      name: 'push watch outside the cache export: told, and run again by the retry, cache and all',
      step: CACHED,
      outcomes: [{ stall: 'push' }, 'ok'] as Outcome[],
      told: [
        'info: stopped: build: docker sent no push progress to registry 127.0.0.1:5001 for 30 s ' +
          "(10 × registry-timeout) while the registry still answered: one of docker's requests " +
          'got no answer, so the push was stopped (1 attempt)'
      ],
      cached: [true, true],
      renewed: 0
    }
  ])('$name', async ({ name, step, outcomes, ...seen }) => {
    expect(name).not.toBe('')
    expect(await recovered(step, outcomes)).toEqual({
      ...seen,
      error: undefined
    })
  })

  it.each([
    {
      name: 'resolve watch twice: fail, naming the image and its registry',
      step: COLD,
      outcomes: [
        { stall: 'resolve', output: RESOLVING },
        { stall: 'resolve', output: RESOLVING }
      ] as Outcome[],
      runs: 2,
      error:
        /^buildx sent no progress for 60 s while it resolved r\.example\/base:1: r\.example did not answer \(BuildKit sets that read no deadline\), so the build was stopped and nothing was pushed; re-run the job once r\.example answers$/
    },
    {
      name: 'cache watch twice in a build without cache lines: fail on the layer download',
      step: COLD,
      outcomes: [{ stall: 'cache' }, { stall: 'cache' }] as Outcome[],
      runs: 2,
      error:
        /^buildx sent no progress for 60 s while it downloaded a layer: .* re-run the job once the registry answers$/
    },
    {
      name: 'restart watch after a hung read: fail, restart that BuildKit',
      step: COLD,
      outcomes: [
        { stall: 'resolve', output: RESOLVING },
        { stall: 'restart' }
      ] as Outcome[],
      runs: 2,
      error:
        /^the build, run again, did not start within 60 s: the builder default still waits on the read that held up the first build, .*restart that BuildKit, then run the job again$/
    },
    {
      name: 'restart watch after the cache was dropped: fail, naming where the cache read',
      step: CACHED,
      outcomes: [{ stall: 'cache' }, { stall: 'restart' }] as Outcome[],
      runs: 2,
      error:
        /^the build, run again without its cache, did not start within 60 s: .*from 127\.0\.0\.1:5001 .*\(with cache: off while 127\.0\.0\.1:5001 does not answer\)$/
    },
    {
      name: 'cache dropped after a run again for a hung read: the hung read still holds the BuildKit',
      step: CACHED,
      outcomes: [
        { stall: 'resolve', output: RESOLVING },
        { stall: 'cache' },
        { stall: 'restart' }
      ] as Outcome[],
      runs: 3,
      error:
        /^the build, run again, did not start within 60 s: the builder default still waits on the read that held up the first build, /
    },
    {
      name: 'builder watch: fail at once, naming the builder',
      step: CACHED,
      outcomes: [{ stall: 'builder' }] as Outcome[],
      runs: 1,
      error:
        /^the builder default stopped answering during the build: nothing came for 30 s and `docker buildx inspect default` got no answer within 10 s; .* re-run the job$/
    },
    {
      name: 'push watch on every attempt: its failure, counting the runs',
      step: INDEX,
      outcomes: [
        { stall: 'push' },
        { stall: 'push' },
        { stall: 'push' }
      ] as Outcome[],
      runs: 3,
      error:
        /^index: docker sent no push progress to registry 127\.0\.0\.1:5001 for 30 s .*\(3 attempts\)$/
    },
    {
      name: "a builder lost during a platform's build: named, with its node and no endpoint",
      step: { ...COLD, platform: 'linux/arm64' },
      outcomes: [
        {
          fail: 'ERROR: failed to receive status: rpc error: code = Unavailable desc = closing transport'
        }
      ] as Outcome[],
      runs: 1,
      error:
        /^the builder default \(its node for linux\/arm64\) stopped answering during the build \(ERROR: failed to receive status: .*\): check that its BuildKit daemon runs /
    },
    {
      name: 'a failure of the build itself: fail with its output',
      step: COLD,
      outcomes: [
        {
          fail: 'ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully'
        }
      ] as Outcome[],
      runs: 1,
      error:
        /^the build failed:\nERROR: failed to solve: process "\/bin\/sh -c false"/
    }
  ])('$name', async ({ step, outcomes, runs, error }) => {
    const seen = await recovered(step, outcomes)
    expect(seen.cached).toHaveLength(runs)
    expect(seen.error).toMatch(error)
  })

  it('tells each stop of the push watch, the retried ones too', async () => {
    const { told } = await recovered(INDEX, [
      { stall: 'push' },
      { stall: 'push' },
      { stall: 'push' }
    ])
    expect(told).toEqual(
      [1, 2, 3].map(n =>
        expect.stringMatching(
          new RegExp(`^info: stopped: index: .*\\(${n} attempts?\\)$`)
        )
      )
    )
  })
})
