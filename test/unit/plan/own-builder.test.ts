import { describe, expect, it } from '@jest/globals'
import {
  containerBuilderFor,
  createBuilderArgs,
  ownNodeName,
  ownNodeRemovalArgs,
  remoteBuilderFor,
  type Builder
} from '../../../src/plan/builder.js'
import { isLoopbackHost as isLoopbackRegistry } from '../../../src/reference/repository.js'
import { parseBuildkitEndpoint } from '../../../src/settings/buildkit-endpoint.js'
import { foreignPlatformFailure } from '../../../src/docker/diagnose.js'
import { DockerCommandError } from '../../../src/docker/runner.js'

const CLASSIC_STORE: Builder = {
  name: 'default',
  driver: 'docker',
  store: 'classic'
}
const TWO = ['linux/amd64', 'linux/arm64']
// the stack's stand-in, as the e2e give it (the default is pinned by digest: settings.test.ts)
const BUILDKIT = 'moby/buildkit:buildx-stable-1'

describe('containerBuilderFor: when the run makes its own docker-container builder', () => {
  it.each([
    {
      name: 'two platforms, classic store, no builder input: made, host network for a local registry',
      build: { platforms: TWO, builder: '', buildkitImage: BUILDKIT },
      detected: CLASSIC_STORE,
      registries: ['127.0.0.1:5001'],
      opts: ['image=moby/buildkit:buildx-stable-1,network=host']
    },
    {
      name: 'a remote registry: the default network',
      build: { platforms: TWO, builder: '', buildkitImage: BUILDKIT },
      detected: CLASSIC_STORE,
      registries: ['ghcr.io'],
      opts: ['image=moby/buildkit:buildx-stable-1']
    },
    {
      name: 'a builder the user gives always wins',
      build: { platforms: TWO, builder: 'default', buildkitImage: BUILDKIT },
      detected: CLASSIC_STORE,
      registries: ['ghcr.io'],
      opts: undefined
    },
    {
      name: 'one platform: the docker driver builds it',
      build: {
        platforms: ['linux/amd64'],
        builder: '',
        buildkitImage: BUILDKIT
      },
      detected: CLASSIC_STORE,
      registries: ['ghcr.io'],
      opts: undefined
    },
    {
      name: "containerd's store builds several platforms itself",
      build: { platforms: TWO, builder: '', buildkitImage: BUILDKIT },
      detected: { ...CLASSIC_STORE, store: 'containerd' as const },
      registries: ['ghcr.io'],
      opts: undefined
    },
    {
      name: 'no buildx: the classic build is refused as before',
      build: { platforms: TWO, builder: '', buildkitImage: BUILDKIT },
      detected: { name: '', driver: 'classic' },
      registries: ['ghcr.io'],
      opts: undefined
    },
    {
      name: 'one platform and a cache export the classic store cannot do: made',
      build: { platforms: [], builder: '', buildkitImage: BUILDKIT },
      detected: CLASSIC_STORE,
      registries: ['ghcr.io'],
      cache: 'cache-to type=gha,mode=max',
      opts: ['image=moby/buildkit:buildx-stable-1']
    },
    {
      name: 'a cache export, but the user named the builder: refused later, as the user asked for that builder',
      build: { platforms: [], builder: 'default', buildkitImage: BUILDKIT },
      detected: CLASSIC_STORE,
      registries: ['ghcr.io'],
      cache: 'cache-to type=gha,mode=max',
      opts: undefined
    },
    {
      name: "a cache export on containerd's store: the docker driver exports it",
      build: { platforms: [], builder: '', buildkitImage: BUILDKIT },
      detected: { ...CLASSIC_STORE, store: 'containerd' as const },
      registries: ['ghcr.io'],
      cache: undefined,
      opts: undefined
    }
  ])('$name', ({ build, detected, registries, opts, ...rest }) => {
    const unexported = 'cache' in rest ? rest.cache : undefined
    expect(
      containerBuilderFor(build, detected, registries, undefined, {
        unexported
      })?.driverOpts
    ).toEqual(opts)
  })

  it('says why it is made: the cache export asked', () => {
    expect(
      containerBuilderFor(
        { platforms: [], builder: '', buildkitImage: BUILDKIT },
        CLASSIC_STORE,
        ['ghcr.io'],
        undefined,
        { unexported: 'cache: registry,ref=ghcr.io/o/app:cache' }
      )?.reason
    ).toBe(
      "buildx's docker driver on the classic image store exports only the inline cache, and cache: registry,ref=ghcr.io/o/app:cache was asked"
    )
  })
})

describe('isLoopbackRegistry', () => {
  it.each([
    {
      name: 'localhost with a port',
      registry: 'localhost:5000',
      loopback: true
    },
    { name: '127.0.0.1', registry: '127.0.0.1:5001', loopback: true },
    { name: 'IPv6 loopback', registry: '[::1]:5000', loopback: true },
    { name: 'ghcr.io', registry: 'ghcr.io', loopback: false },
    {
      name: 'a name that starts with localhost',
      registry: 'localhost.example.com',
      loopback: false
    }
  ])('$name', ({ registry, loopback }) => {
    expect(isLoopbackRegistry(registry)).toBe(loopback)
  })
})

describe('createBuilderArgs', () => {
  it.each([
    {
      name: 'docker-container with the user buildkitd.default.toml',
      own: {
        driver: 'docker-container' as const,
        driverOpts: ['image=moby/buildkit:buildx-stable-1'],
        buildkitdConfig: '/home/u/.docker/buildx/buildkitd.default.toml',
        reason: ''
      },
      argv: 'buildx create --bootstrap --name run1 --node run10 --driver docker-container --driver-opt image=moby/buildkit:buildx-stable-1 --buildkitd-config /home/u/.docker/buildx/buildkitd.default.toml'
    },
    {
      name: 'remote with mTLS files by path',
      own: remoteBuilderFor('tcp://10.0.0.5:1234', {
        cacert: '/r/ca.pem',
        cert: '/r/cert.pem',
        key: '/r/key.pem'
      }),
      argv: 'buildx create --bootstrap --name run1 --node run10 --driver remote --driver-opt cacert=/r/ca.pem,cert=/r/cert.pem,key=/r/key.pem tcp://10.0.0.5:1234'
    },
    {
      name: 'remote without TLS',
      own: remoteBuilderFor('tcp://10.0.0.5:1234', {}),
      argv: 'buildx create --bootstrap --name run1 --node run10 --driver remote tcp://10.0.0.5:1234'
    }
  ])('$name', ({ own, argv }) => {
    expect(createBuilderArgs('run1', own).join(' ')).toBe(argv)
  })
})

describe("ownNodeName: buildx's first node, lowercase as buildx stores it and looks it up", () => {
  it.each([
    { name: 'docker-publish-abc123', node: 'docker-publish-abc1230' },
    { name: 'docker-publish-2jvBU6', node: 'docker-publish-2jvbu60' }
  ])('$name', ({ name, node }) => {
    expect(ownNodeName(name)).toBe(node)
  })
})

describe("ownNodeRemovalArgs: the own builder's node container, forced, then its state volume", () => {
  it.each([
    {
      name: 'docker-publish-abc123',
      node: 'rm --force --volumes buildx_buildkit_docker-publish-abc1230',
      state: 'volume rm --force buildx_buildkit_docker-publish-abc1230_state'
    },
    {
      name: 'docker-publish-2jvBU6',
      node: 'rm --force --volumes buildx_buildkit_docker-publish-2jvbu60',
      state: 'volume rm --force buildx_buildkit_docker-publish-2jvbu60_state'
    }
  ])('$name', ({ name, node, state }) => {
    const removal = ownNodeRemovalArgs(name)
    expect(removal.node.join(' ')).toBe(node)
    expect(removal.state.join(' ')).toBe(state)
  })
})

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----'

describe('parseBuildkitEndpoint', () => {
  const source = (inputs: Record<string, string>) => (name: string) =>
    inputs[name] ?? ''
  it.each<{
    name: string
    inputs: Record<string, string>
    error: RegExp | undefined
  }>([
    {
      name: 'endpoint with full mTLS',
      inputs: {
        endpoint: 'tcp://b:1234',
        'tls-cacert': CERT,
        'tls-cert': CERT,
        'tls-key': KEY
      },
      error: undefined
    },
    { name: 'no endpoint, nothing else', inputs: {}, error: undefined },
    {
      name: 'a unix socket is not an endpoint',
      inputs: { endpoint: 'unix:///run/b.sock' },
      error: /input "endpoint"/
    },
    {
      name: 'port out of range',
      inputs: { endpoint: 'tcp://b:70000' },
      error: /input "endpoint"/
    },
    {
      name: 'endpoint and builder',
      inputs: { endpoint: 'tcp://b:1', builder: 'x' },
      error: /set one of builder and endpoint/
    },
    {
      name: 'cert without key',
      inputs: { endpoint: 'tcp://b:1', 'tls-cert': CERT },
      error: /input "tls-key"/
    },
    {
      name: 'key without cert',
      inputs: { endpoint: 'tcp://b:1', 'tls-key': KEY },
      error: /input "tls-cert"/
    },
    {
      name: 'a path as the CA, value not shown',
      inputs: { endpoint: 'tcp://b:1', 'tls-cacert': '/ca.pem' },
      error: /input "tls-cacert": invalid value "\*\*\*"/
    },
    {
      name: 'TLS without endpoint',
      inputs: { 'tls-key': KEY },
      error: /input "tls-key".*set endpoint/
    }
  ])('$name', ({ inputs, error }) => {
    const parse = () => {
      try {
        parseBuildkitEndpoint(source(inputs), inputs.builder ?? '')
        return 'accepted'
      } catch (e) {
        return e instanceof Error ? e.message : String(e)
      }
    }
    expect(parse()).toMatch(error ?? /^accepted$/)
  })
})

describe('foreignPlatformFailure', () => {
  it.each([
    {
      name: "BuildKit's exec format error says when the step sets up emulation (qemu, binfmt_misc)",
      output:
        '#8 [linux/arm64 2/2] RUN echo hi\n#8 0.071 exec /bin/sh: exec format error\nERROR: process "/bin/sh -c echo hi" did not complete successfully: exit code: 255',
      message:
        /exec format error\): emulation is set up by the step only .*qemu: false.*binfmt_misc is mounted/
    },
    {
      name: 'another failure is left as it is',
      output: 'ERROR: failed to solve: dockerfile parse error',
      message: /buildx build/
    }
  ])('$name', ({ output, message }) => {
    const error = foreignPlatformFailure(
      new DockerCommandError(['buildx', 'build'], 1, output)
    )
    expect(error instanceof Error ? error.message : '').toMatch(message)
  })

  it('says why it is made: a warmer cache on the classic store, on the host network for a local service', () => {
    const own = containerBuilderFor(
      { platforms: [], builder: '', buildkitImage: BUILDKIT },
      CLASSIC_STORE,
      ['ghcr.io', '127.0.0.1:41234'],
      undefined,
      { warmer: 'every stage in the cache service' }
    )
    expect(own?.reason).toBe('every stage in the cache service')
    expect(own?.driverOpts).toEqual([
      'image=moby/buildkit:buildx-stable-1,network=host'
    ])
  })
})
