import { describe, expect, it } from '@jest/globals'
import {
  DockerCommandError,
  type DockerRunner
} from '../../../src/docker/runner.js'
import { dockerVersions } from '../../../src/docker/versions.js'

/** A docker that answers `version` and fails or answers `buildx version`. */
function docker(buildx: string | DockerCommandError): DockerRunner {
  return {
    run(args) {
      if (args[0] === 'version')
        return Promise.resolve({ stdout: '27.5.1 27.5.1\n', stderr: '' })
      return typeof buildx === 'string'
        ? Promise.resolve({ stdout: `${buildx}\n`, stderr: '' })
        : Promise.reject(buildx)
    }
  }
}

describe('dockerVersions', () => {
  it.each([
    {
      name: 'both answer',
      buildx: 'github.com/docker/buildx v0.19.3 48d6a39',
      expected:
        'docker buildx version: github.com/docker/buildx v0.19.3 48d6a39'
    },
    {
      name: 'buildx is missing',
      buildx: new DockerCommandError(
        ['buildx', 'version'],
        1,
        "docker: 'buildx' is not a docker command."
      ),
      expected:
        "docker buildx version: not available (docker buildx version failed with exit code 1:\ndocker: 'buildx' is not a docker command.)"
    }
  ])('$name', async ({ buildx, expected }) => {
    expect(await dockerVersions(docker(buildx))).toEqual([
      'docker version --format {{.Client.Version}} {{.Server.Version}}: 27.5.1 27.5.1',
      expected
    ])
  })
})
