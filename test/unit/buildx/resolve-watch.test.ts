/** The base image's resolve, bounded (src/buildx/cache-watch.ts), driven through a fake docker. */
import { describe, expect, it } from '@jest/globals'
import { resolve } from 'node:path'
import { resolveWatch } from '../../../src/buildx/cache-watch.js'
import {
  createDockerRunner,
  DockerStalledError
} from '../../../src/docker/runner.js'

const FAKE = resolve(
  import.meta.dirname,
  '../../fixtures/fake-docker/docker.mjs'
)
const docker = createDockerRunner(FAKE)
const run = (lines: string[], ms = 150) =>
  docker.run([...lines, 'exit:0'], { quiet: true, stalls: [resolveWatch(ms)] })

describe('resolveWatch: silence counts only while a base image is resolved', () => {
  it.each([
    {
      name: 'a hung resolve is stopped, naming the image and its registry',
      lines: [
        'out:#2 [internal] load metadata for r.example:5000/base/busybox:latest',
        'sleep:60000'
      ],
      error:
        /^buildx sent no progress for \d+ s while it resolved r\.example:5000\/base\/busybox:latest: r\.example:5000 did not answer .* re-run the job once r\.example:5000 answers$/
    },
    {
      name: "one platform's resolve hung while the other's ended; a Docker Hub name",
      lines: [
        'out:#2 [linux/amd64 internal] load metadata for library/alpine:3',
        'out:#3 [linux/arm64 internal] load metadata for library/alpine:3',
        'out:#2 DONE 0.4s',
        'sleep:60000'
      ],
      error: /while it resolved library\/alpine:3: docker\.io did not answer/
    }
  ])('$name', async ({ lines, error }) => {
    const stopped = await run(lines).catch((e: DockerStalledError) => e)
    expect(stopped).toMatchObject({
      name: 'DockerStalledError',
      watch: { name: 'resolve' }
    })
    expect(stopped instanceof DockerStalledError).toBe(true)
    expect(
      resolveWatch(1).failure?.(stopped as DockerStalledError)?.message
    ).toMatch(error)
  })

  it.each([
    {
      // a 400 ms window: the resolve's two lines may be read apart on a loaded machine
      name: 'a long silent RUN after the resolve ended',
      lines: [
        'out:#2 [internal] load metadata for r.example/base:1',
        'out:#2 DONE 0.2s',
        'out:#7 [2/3] RUN make',
        'sleep:600'
      ],
      ms: 400
    },
    {
      name: 'a long silent RUN with no base image to resolve',
      lines: [
        'out:#1 [internal] load build definition from Dockerfile',
        'sleep:600'
      ]
    }
  ])('not stopped: $name', async ({ lines, ms }) => {
    await expect(run(lines, ms)).resolves.toMatchObject({
      stdout: expect.any(String)
    })
  })
})
