import { describe, expect, it } from '@jest/globals'
import { retryDocker, THROTTLED } from '../../../src/docker/retrying.js'
import {
  DockerCommandError,
  DockerStalledError
} from '../../../src/docker/runner.js'

const PUSH = ['push', 'ghcr.io/o/app:1.2.3']

/** A docker push that fails with `output` on every try, each time a new error. */
function failingPush(output: string) {
  const errors = [1, 2, 3, 4, 5].map(
    () => new DockerCommandError(PUSH, 1, output)
  )
  let tries = 0
  const work = (): Promise<string> => Promise.reject(errors[tries++])
  return { work, errors, tries: () => tries }
}

/** A retry policy whose sleep only records how long it was asked to wait. */
function recording(retries: number) {
  const delays: number[] = []
  const sleep = (ms: number) => {
    delays.push(ms)
    return Promise.resolve()
  }
  return { policy: { retries, sleep }, delays }
}

describe('retryDocker: transient faults are tried retries + 1 times', () => {
  it.each([
    {
      name: 'connection refused',
      output:
        'Get "http://127.0.0.1:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused'
    },
    {
      name: '503 Service Unavailable',
      output: 'received unexpected HTTP status: 503 Service Unavailable'
    },
    {
      name: '429 toomanyrequests',
      output:
        'toomanyrequests: You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit'
    },
    {
      name: '429 Too Many Requests',
      output: 'unexpected status: 429 Too Many Requests'
    },
    {
      name: 'connection reset by peer',
      output:
        'Put "https://ghcr.io/v2/o/app/manifests/1.2.3": read tcp 10.1.0.4:51234->140.82.112.33:443: read: connection reset by peer'
    },
    { name: 'a 502 status', output: 'error parsing HTTP 502 response body' },
    {
      name: 'unexpected EOF at the end of a line',
      output: 'The push refers to repository [ghcr.io/o/app]\nunexpected EOF'
    },
    {
      name: 'two builds naming one image at once (containerd store)',
      output:
        'ERROR: failed to solve: image "127.0.0.1:5001/app:pr-42": already exists'
    }
  ])('$name', async ({ output }) => {
    const { work, errors, tries } = failingPush(output)
    const { policy, delays } = recording(2)
    const result = retryDocker(work, policy, 'push')
    await expect(result).rejects.toBe(errors[2])
    expect(tries()).toBe(3)
    expect(delays).toHaveLength(2)
  })

  it('a try that succeeds ends the retries with its result', async () => {
    const { policy, delays } = recording(5)
    let tries = 0
    const work = (): Promise<string> =>
      ++tries < 3
        ? Promise.reject(
            new DockerCommandError(PUSH, 1, '503 Service Unavailable')
          )
        : Promise.resolve('digest: sha256:1')
    await expect(retryDocker(work, policy, 'push')).resolves.toBe(
      'digest: sha256:1'
    )
    expect(delays).toHaveLength(2)
  })

  it('a push the stall watch stopped, the last one thrown', async () => {
    const stalls = [1, 2, 3].map(
      () => new DockerStalledError(PUSH, 30_000, 'Preparing')
    )
    let tries = 0
    const { policy, delays } = recording(2)
    const work = (): Promise<string> => Promise.reject(stalls[tries++])
    await expect(retryDocker(work, policy, 'push')).rejects.toBe(stalls[2])
    expect(tries).toBe(3)
    expect(delays).toHaveLength(2)
  })

  it('retries: 0 tries once', async () => {
    const { work, errors, tries } = failingPush('503 Service Unavailable')
    const { policy, delays } = recording(0)
    await expect(retryDocker(work, policy, 'push')).rejects.toBe(errors[0])
    expect(tries()).toBe(1)
    expect(delays).toEqual([])
  })
})

describe('retryDocker: other failures are tried once', () => {
  it.each([
    {
      name: '401 Unauthorized',
      output:
        'Error response from daemon: login attempt to https://ghcr.io/v2/ failed with status: 401 Unauthorized'
    },
    { name: '403 denied', output: 'denied: permission_denied: write_package' },
    {
      name: 'a failing build step',
      output:
        'ERROR: failed to solve: process "/bin/sh -c exit 1" did not complete successfully: exit code: 1'
    }
  ])('$name', async ({ output }) => {
    const { work, errors, tries } = failingPush(output)
    const { policy, delays } = recording(3)
    await expect(retryDocker(work, policy, 'push')).rejects.toBe(errors[0])
    expect(tries()).toBe(1)
    expect(delays).toEqual([])
  })

  it('an error that is no docker command error', async () => {
    const error = new Error('spawn docker ENOENT')
    const { policy, delays } = recording(3)
    await expect(
      retryDocker(() => Promise.reject(error), policy, 'push')
    ).rejects.toBe(error)
    expect(delays).toEqual([])
  })
})

describe("retryDocker with THROTTLED: the own builder's bootstrap", () => {
  it.each([
    {
      name: 'a throttled pull of the BuildKit image is tried again',
      output:
        'ERROR: Error response from daemon: toomanyrequests: You have reached your pull rate limit.',
      tries: 3
    },
    {
      name: 'a 503 of the registry is tried again',
      output:
        'Error response from daemon: received unexpected HTTP status: 503 Service Unavailable',
      tries: 3
    },
    {
      name: 'an endpoint that refuses connections fails at once',
      output: 'ERROR: dial tcp 127.0.0.1:1234: connect: connection refused',
      tries: 1
    }
  ])('$name', async ({ output, tries: expected }) => {
    const { work, errors, tries } = failingPush(output)
    const { policy } = recording(2)
    const result = retryDocker(work, policy, 'builder', THROTTLED)
    await expect(result).rejects.toBe(errors[expected - 1])
    expect(tries()).toBe(expected)
  })
})
