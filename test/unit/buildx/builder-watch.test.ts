/**
 * The builder watch against a real process (test/fixtures/fake-docker as
 * buildx, silent as a long RUN): the builder asked after each silence.
 */
import { describe, expect, it } from '@jest/globals'
import { resolve } from 'node:path'
import { builderWatch } from '../../../src/buildx/builder-watch.js'
import {
  createDockerRunner,
  DockerStalledError,
  type DockerRunner
} from '../../../src/docker/runner.js'

const FAKE = resolve(
  import.meta.dirname,
  '../../fixtures/fake-docker/docker.mjs'
)
const build = createDockerRunner(FAKE)

/** A builder whose `buildx inspect` answers, or fails (as the runner's own watch makes it). */
function builder(answers: boolean): DockerRunner & { asked: number } {
  const stub = {
    asked: 0,
    run: () => {
      stub.asked++
      return answers
        ? Promise.resolve({ stdout: 'Name: b', stderr: '' })
        : Promise.reject(new Error('inspect printed nothing and was stopped'))
    }
  }
  return stub
}

/** Its bounds: asked after 100 ms of silence, 10 s for the answer. */
const watched = (asked: DockerRunner, name: string) =>
  builderWatch(asked, {
    name,
    bounds: { registryMs: 100, builderAskMs: 10_000 }
  })

describe('builderWatch', () => {
  it('lets a silent RUN go on while the builder answers', async () => {
    const asked = builder(true)
    const { stdout } = await build.run(
      ['out:#7 [2/3] RUN make', 'sleep:500', 'out:#7 DONE 0.5s', 'exit:0'],
      { quiet: true, stalls: [watched(asked, 'b')] }
    )
    expect(stdout).toContain('#7 DONE')
    expect(asked.asked).toBeGreaterThan(0)
  })

  it('stops the build once the builder answers nothing, and names it', async () => {
    const watch = watched(builder(false), 'fleet')
    const failure = await build
      .run(['out:#7 [2/3] RUN make', 'sleep:60000'], {
        quiet: true,
        stalls: [watch]
      })
      .then(
        () => undefined,
        (error: DockerStalledError) => watch.failure?.(error)
      )
    expect(failure?.message).toMatch(
      /^the builder fleet stopped answering during the build: nothing came for \d+ s and `docker buildx inspect fleet` got no answer within 10 s; check .* re-run the job$/
    )
  })
})
