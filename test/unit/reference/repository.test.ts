import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import {
  isLoopbackHost,
  parseRegistry
} from '../../../src/reference/repository.js'

const hub = {
  registry: 'docker.io',
  apiHost: 'registry-1.docker.io',
  scheme: 'https'
}

describe('parseImageName: the registry endpoint and repository path', () => {
  it.each([
    {
      name: 'official image',
      image: 'alpine',
      expected: { ...hub, repository: 'library/alpine' }
    },
    {
      name: 'user image on Docker Hub',
      image: 'o/app',
      expected: { ...hub, repository: 'o/app' }
    },
    {
      name: 'explicit docker.io',
      image: 'docker.io/o/app',
      expected: { ...hub, repository: 'o/app' }
    },
    {
      name: 'docker.io official',
      image: 'docker.io/alpine',
      expected: { ...hub, repository: 'library/alpine' }
    },
    {
      name: 'index.docker.io alias',
      image: 'index.docker.io/library/x',
      expected: { ...hub, repository: 'library/x' }
    },
    {
      name: 'three segments on Hub',
      image: 'o/team/app',
      expected: { ...hub, repository: 'o/team/app' }
    },
    {
      name: 'GHCR',
      image: 'ghcr.io/o/a',
      expected: {
        registry: 'ghcr.io',
        apiHost: 'ghcr.io',
        scheme: 'https',
        repository: 'o/a'
      }
    },
    {
      name: 'loopback IPv4 with port: http',
      image: '127.0.0.1:5001/team/app',
      expected: {
        registry: '127.0.0.1:5001',
        apiHost: '127.0.0.1:5001',
        scheme: 'http',
        repository: 'team/app'
      }
    },
    {
      name: 'any 127/8 address: http',
      image: '127.1.2.3/x',
      expected: {
        registry: '127.1.2.3',
        apiHost: '127.1.2.3',
        scheme: 'http',
        repository: 'x'
      }
    },
    {
      name: 'localhost without port: http, single segment kept',
      image: 'localhost/app',
      expected: {
        registry: 'localhost',
        apiHost: 'localhost',
        scheme: 'http',
        repository: 'app'
      }
    },
    {
      name: 'IPv6 loopback: http',
      image: '[::1]:5000/app',
      expected: {
        registry: '[::1]:5000',
        apiHost: '[::1]:5000',
        scheme: 'http',
        repository: 'app'
      }
    },
    {
      name: 'host with port 443: https',
      image: 'registry.example.com:443/a',
      expected: {
        registry: 'registry.example.com:443',
        apiHost: 'registry.example.com:443',
        scheme: 'https',
        repository: 'a'
      }
    },
    {
      name: 'a private address is not loopback: https',
      image: '10.0.0.5:5000/a',
      expected: {
        registry: '10.0.0.5:5000',
        apiHost: '10.0.0.5:5000',
        scheme: 'https',
        repository: 'a'
      }
    },
    {
      name: 'separators . _ __ - in components',
      image: 'quay.io/o.rg/my_app__x--y',
      expected: {
        registry: 'quay.io',
        apiHost: 'quay.io',
        scheme: 'https',
        repository: 'o.rg/my_app__x--y'
      }
    },
    {
      name: 'capitals make the first segment a host (docker rule)',
      image: 'MyHost/app',
      expected: {
        registry: 'MyHost',
        apiHost: 'MyHost',
        scheme: 'https',
        repository: 'app'
      }
    }
  ])('$name: $image', ({ image, expected }) => {
    expect(parseImageName(image, 'source')).toEqual({
      name: image,
      ...expected
    })
  })

  it.each([
    { name: 'tag', image: 'o/app:1.0', error: /no tag or digest/ },
    {
      name: 'tag on a host with port',
      image: '127.0.0.1:5001/app:1.0',
      error: /no tag or digest/
    },
    {
      name: 'digest',
      image: `o/app@sha256:${'a'.repeat(64)}`,
      error: /no tag or digest/
    },
    {
      name: 'capitals in the path',
      image: 'ghcr.io/o/App',
      error: /lower-case/
    },
    { name: 'empty component', image: 'o//app', error: /lower-case/ },
    { name: 'host only', image: 'ghcr.io/', error: /lower-case/ },
    { name: 'empty', image: '', error: /input "source": invalid value ""/ },
    {
      name: 'bad host',
      image: 'bad_host.io/x',
      error: /"bad_host.io\/x".*registry host\[:port\]/
    },
    { name: 'trailing separator', image: 'o/app-', error: /lower-case/ }
  ])('rejects $name: $image', ({ image, error }) => {
    expect(() => parseImageName(image, 'source')).toThrow(error)
  })
})

describe('parseRegistry: one endpoint for every spelling docker login takes', () => {
  const stack = {
    registry: '127.0.0.1:5001',
    apiHost: '127.0.0.1:5001',
    scheme: 'http'
  }
  const ghcr = { registry: 'ghcr.io', apiHost: 'ghcr.io', scheme: 'https' }
  const local = {
    registry: 'localhost:5000',
    apiHost: 'localhost:5000',
    scheme: 'http'
  }
  it.each([
    { name: 'docker.io', registry: 'docker.io', expected: hub },
    { name: 'index.docker.io', registry: 'index.docker.io', expected: hub },
    { name: "Hub's API host", registry: 'registry-1.docker.io', expected: hub },
    {
      name: "docker login's default server",
      registry: 'https://index.docker.io/v1/',
      expected: hub
    },
    { name: 'Hub in capitals', registry: 'Index.Docker.IO', expected: hub },
    { name: 'stack registry', registry: '127.0.0.1:5001', expected: stack },
    {
      name: 'its http URL, trailing slash',
      registry: 'http://127.0.0.1:5001/',
      expected: stack
    },
    {
      name: 'its https URL with /v1/: the scheme dropped, as docker drops it',
      registry: 'https://127.0.0.1:5001/v1/',
      expected: stack
    },
    {
      name: 'localhost URL',
      registry: 'http://localhost:5000/',
      expected: local
    },
    { name: 'GHCR', registry: 'ghcr.io', expected: ghcr },
    { name: 'GHCR, trailing slash', registry: 'ghcr.io/', expected: ghcr },
    { name: 'GHCR with a path', registry: 'ghcr.io/o', expected: ghcr },
    { name: 'GHCR as a URL', registry: 'https://ghcr.io', expected: ghcr },
    { name: 'spaces around', registry: ' ghcr.io ', expected: ghcr }
  ])('$name: $registry', ({ registry, expected }) => {
    expect(parseRegistry(registry)).toEqual(expected)
  })

  it.each([
    { name: 'empty', registry: '' },
    { name: 'other scheme', registry: 'ftp://ghcr.io' },
    { name: 'user info', registry: 'https://me@ghcr.io/' },
    { name: 'query', registry: 'https://ghcr.io/?x=1' },
    { name: 'port over 65535', registry: 'ghcr.io:70000' },
    { name: 'underscore in the host', registry: 'my_registry.io' }
  ])('rejects $name', ({ registry }) => {
    expect(() => parseRegistry(registry)).toThrow(
      /invalid registry .*expected a registry host\[:port\] or an http\(s\) URL of one/
    )
  })

  it("an image name on Hub's API host is a Docker Hub image", () => {
    expect(parseImageName('registry-1.docker.io/o/app')).toEqual({
      name: 'registry-1.docker.io/o/app',
      ...hub,
      repository: 'o/app'
    })
  })
})

describe('isLoopbackHost', () => {
  it.each([
    { host: 'localhost', loopback: true },
    { host: 'LOCALHOST:5000', loopback: true },
    { host: '127.0.0.1:5001', loopback: true },
    { host: '127.255.0.9', loopback: true },
    { host: '[::1]:80', loopback: true },
    { host: '128.0.0.1', loopback: false },
    { host: 'localhost.example.com', loopback: false },
    { host: '127.0.0.1.nip.io', loopback: false },
    { host: 'ghcr.io', loopback: false }
  ])('$host → $loopback', ({ host, loopback }) => {
    expect(isLoopbackHost(host)).toBe(loopback)
  })
})
