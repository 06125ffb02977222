/**
 * The engine's image removal over its unix socket (what `docker image rm`
 * asks), against the REAL classic-store dockerd of the stack: the image is
 * gone from the store, a second removal says what the engine answered, and a
 * socket that is not there leaves the removal to docker.
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
import { engineRemoveImage } from '../../src/docker/engine-api.js'
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
    expect(await engineRemoveImage(socket, id)).toBe(true)
    expect(await inStore(id)).toBe(false)
  })

  it("says what the engine answered for an image it does not have, in docker's words", async () => {
    const missing = `sha256:${'0'.repeat(64)}`
    await expect(engineRemoveImage(socket, missing)).rejects.toThrow(
      /^docker image rm: Error response from daemon: No such image: .*0{64}.* \(HTTP 404\)$/
    )
  })

  it('where the socket is not there, asks nothing and leaves it to docker', async () => {
    const id = await buildImage('kept')
    expect(await engineRemoveImage(join(work, 'no-such.sock'), id)).toBe(false)
    expect(await inStore(id)).toBe(true)
    expect(await engineRemoveImage(socket, id)).toBe(true)
  })
})
