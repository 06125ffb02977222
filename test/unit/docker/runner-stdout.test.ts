/**
 * The docker runner handing stdout over as a byte stream (`docker save`),
 * against a real process: test/fixtures/fake-docker stands in for docker.
 */
import { describe, expect, it } from '@jest/globals'
import { resolve } from 'node:path'
import type { Readable } from 'node:stream'
import {
  createDockerRunner,
  DockerCommandError
} from '../../../src/docker/runner.js'

const FAKE = resolve(
  import.meta.dirname,
  '../../fixtures/fake-docker/docker.mjs'
)
const docker = createDockerRunner(FAKE)

async function text(stream: Readable): Promise<string> {
  let all = ''
  for await (const chunk of stream) all += (chunk as Buffer).toString()
  return all
}

describe('stdout as a stream', () => {
  it('gives the consumer all of stdout, and keeps none of it', async () => {
    let read = ''
    const output = await docker.run(['out:one', 'out:two', 'err:note'], {
      quiet: true,
      stdout: async stream => {
        read = await text(stream)
      }
    })
    expect(read).toBe('one\ntwo\n')
    expect(output).toEqual({ stdout: '', stderr: 'note\n' })
  })

  it("fails with the consumer's error and stops the command (it would print for ever)", async () => {
    const run = docker.run(['repeat:10:tar bytes'], {
      quiet: true,
      stdout: async stream => {
        for await (const chunk of stream) {
          void chunk
          throw new Error('disk full')
        }
      }
    })
    await expect(run).rejects.toThrow('disk full')
  })

  it("fails with docker's error when docker fails, whatever the consumer read", async () => {
    const run = docker.run(['err:No such image: x', 'exit:1'], {
      quiet: true,
      stdout: async stream => {
        if ((await text(stream)) === '') throw new Error('no index.json')
      }
    })
    await expect(run).rejects.toThrow(DockerCommandError)
    await expect(run).rejects.toThrow(/No such image: x/)
  })
})
