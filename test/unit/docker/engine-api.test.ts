import { describe, expect, it } from '@jest/globals'
import { removalRequest } from '../../../src/docker/engine-api.js'
import { ownNodeRemovalArgs } from '../../../src/plan/builder.js'

const { node, state } = ownNodeRemovalArgs('docker-publish-abc')

describe("removalRequest: the cleanup's removals as the engine's DELETE, as docker sends them", () => {
  it.each([
    {
      name: "the own builder's node container, with its anonymous volumes",
      argv: node,
      request: {
        command: 'docker rm --force --volumes',
        path: '/containers/buildx_buildkit_docker-publish-abc0?force=1&v=1'
      }
    },
    {
      name: 'its state volume',
      argv: state,
      request: {
        command: 'docker volume rm --force',
        path: '/volumes/buildx_buildkit_docker-publish-abc0_state?force=1'
      }
    },
    {
      name: 'a pulled cache image, its name escaped',
      argv: ['image', 'rm', 'ghcr.io/octo/app:buildcache'],
      request: {
        command: 'docker image rm',
        path: '/images/ghcr.io%2Focto%2Fapp%3Abuildcache'
      }
    },
    { name: 'rm without --force', argv: ['rm', 'x'], request: undefined },
    {
      name: 'two names',
      argv: ['volume', 'rm', '--force', 'a', 'b'],
      request: undefined
    },
    { name: 'buildx rm', argv: ['buildx', 'rm', 'b'], request: undefined }
  ])('$name', ({ argv, request }) => {
    expect(removalRequest(argv)).toEqual(request)
  })
})
