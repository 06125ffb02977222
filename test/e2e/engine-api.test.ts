/**
 * The cleanup's removals over the engine's unix socket (what `docker image rm`,
 * `docker rm --force` and `docker volume rm --force` ask), against the REAL
 * classic-store dockerd of the stack: the image, container or volume is gone,
 * a removal of what is not there says what the engine answered, and a socket
 * that is not there leaves the removal to docker.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { engineRemove } from '../../src/docker/engine-api.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv } from '../support/stack-env.js'

const { classicDockerHost } = stackEnv()
const CLASSIC = { DOCKER_HOST: classicDockerHost }
const socket = classicDockerHost.replace(/^unix:\/\//, '')
const work = mkdtempSync(join(tmpdir(), 'dpa-engine-api-'))

afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A new image of its own in the classic store (a label no other image has). */
async function buildImage(name: string): Promise<string> {
  const context = join(work, name)
  const iidfile = join(work, `${name}.iid`)
  mkdirSync(context, { recursive: true })
  writeFileSync(
    join(context, 'Dockerfile'),
    `FROM scratch\nLABEL dpa.test=${name}-${Date.now()}\n`
  )
  const build = await runDocker(['build', '--iidfile', iidfile, context], {
    env: CLASSIC
  })
  if (build.code !== 0) throw new Error(`docker build: ${build.stderr}`)
  return readFileSync(iidfile, 'utf8').trim()
}

const inStore = async (id: string) =>
  (await runDocker(['image', 'inspect', id], { env: CLASSIC })).code === 0

describe("the engine's image removal over its socket", () => {
  it('removes the image from the store', async () => {
    const id = await buildImage('removed')
    expect(await inStore(id)).toBe(true)
    expect(await engineRemove(socket, ['image', 'rm', id])).toBe(true)
    expect(await inStore(id)).toBe(false)
  })

  it("says what the engine answered for an image it does not have, in docker's words", async () => {
    const missing = `sha256:${'0'.repeat(64)}`
    await expect(
      engineRemove(socket, ['image', 'rm', missing])
    ).rejects.toThrow(
      /^docker image rm: Error response from daemon: No such image: .*0{64}.* \(HTTP 404\)$/
    )
  })

  it('where the socket is not there, asks nothing and leaves it to docker', async () => {
    const id = await buildImage('kept')
    expect(
      await engineRemove(join(work, 'no-such.sock'), ['image', 'rm', id])
    ).toBe(false)
    expect(await inStore(id)).toBe(true)
    expect(await engineRemove(socket, ['image', 'rm', id])).toBe(true)
  })
})

/** A running container of its own with a named volume, as buildx makes a node: its two names. */
async function nodeLike(name: string): Promise<[string, string]> {
  const container = `dpa-engine-api-${name}-${Date.now()}`
  const volume = `${container}_state`
  const run = await runDocker(
    [
      'run',
      '--detach',
      '--name',
      container,
      '--volume',
      `${volume}:/state`
    ].concat(['local/busybox', 'sleep', '300']),
    { env: CLASSIC }
  )
  if (run.code !== 0) throw new Error(`docker run: ${run.stderr}`)
  return [container, volume]
}

const exists = async (kind: 'container' | 'volume', name: string) =>
  (await runDocker([kind, 'inspect', name], { env: CLASSIC })).code === 0

describe("the engine's container and volume removal over its socket", () => {
  it('removes a running container, forced; its volume only once the container is gone', async () => {
    const [container, volume] = await nodeLike('node')
    try {
      await expect(
        engineRemove(socket, ['volume', 'rm', '--force', volume])
      ).rejects.toThrow(
        /^docker volume rm --force: .*volume is in use.*\(HTTP 409\)$/
      )
      const removal = ['rm', '--force', '--volumes', container]
      expect(await engineRemove(socket, removal)).toBe(true)
      expect(await exists('container', container)).toBe(false)
      expect(await exists('volume', volume)).toBe(true)
      const volumeRemoval = ['volume', 'rm', '--force', volume]
      expect(await engineRemove(socket, volumeRemoval)).toBe(true)
      expect(await exists('volume', volume)).toBe(false)
    } finally {
      await runDocker(['rm', '--force', container], { env: CLASSIC })
      await runDocker(['volume', 'rm', '--force', volume], { env: CLASSIC })
    }
  })

  it('removes the anonymous volumes of the container with it, as docker rm --volumes', async () => {
    const container = `dpa-engine-api-anonymous-${Date.now()}`
    const run = await runDocker(
      ['run', '--detach', '--name', container, '--volume', '/scratch'].concat([
        'local/busybox',
        'sleep',
        '300'
      ]),
      { env: CLASSIC }
    )
    expect(run.code).toBe(0)
    const inspect = await runDocker(
      [
        'container',
        'inspect',
        '--format',
        '{{(index .Mounts 0).Name}}',
        container
      ],
      { env: CLASSIC }
    )
    const anonymous = inspect.stdout.trim()
    expect(await exists('volume', anonymous)).toBe(true)
    expect(
      await engineRemove(socket, ['rm', '--force', '--volumes', container])
    ).toBe(true)
    expect(await exists('volume', anonymous)).toBe(false)
  })

  it("says so in docker's words for a container it does not have; a volume it does not have is no error, as with --force", async () => {
    await expect(
      engineRemove(socket, [
        'rm',
        '--force',
        '--volumes',
        'dpa-engine-api-none'
      ])
    ).rejects.toThrow(
      /^docker rm --force --volumes: Error response from daemon: No such container: dpa-engine-api-none \(HTTP 404\)$/
    )
    expect(
      await engineRemove(socket, [
        'volume',
        'rm',
        '--force',
        'dpa-engine-api-none'
      ])
    ).toBe(true)
  })

  it('leaves to docker what is not one of those removals (no --force, two names)', async () => {
    const [container, volume] = await nodeLike('other')
    try {
      expect(await engineRemove(socket, ['rm', container])).toBe(false)
      expect(
        await engineRemove(socket, [
          'rm',
          '--force',
          '--volumes',
          container,
          volume
        ])
      ).toBe(false)
      expect(await exists('container', container)).toBe(true)
    } finally {
      await runDocker(['rm', '--force', container], { env: CLASSIC })
      await runDocker(['volume', 'rm', volume], { env: CLASSIC })
    }
  })
})
