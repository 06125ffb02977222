import { describe, expect, it } from '@jest/globals'
import {
  parseBuildOptions,
  type BuildOptions
} from '../../../src/settings/build-options.js'

const source = (inputs: Record<string, string>) => (name: string) =>
  inputs[name] ?? ''

const NONE: BuildOptions = {
  addHosts: [],
  allow: [],
  attests: [],
  call: '',
  cgroupParent: '',
  network: '',
  noCacheFilters: [],
  outputs: [],
  shmSize: '',
  ulimits: []
}

describe('parseBuildOptions', () => {
  it.each<{
    name: string
    inputs: Record<string, string>
    expected: Partial<BuildOptions>
  }>([
    { name: 'nothing given', inputs: {}, expected: {} },
    {
      name: 'add-hosts: commas or lines, IPv4, IPv6, host-gateway',
      inputs: {
        'add-hosts': 'docker:10.180.0.1,v6:[::1]\ngw=host-gateway'
      },
      expected: {
        addHosts: ['docker:10.180.0.1', 'v6:[::1]', 'gw=host-gateway']
      }
    },
    {
      name: 'allow: entitlements',
      inputs: { allow: 'network.host,security.insecure' },
      expected: { allow: ['network.host', 'security.insecure'] }
    },
    {
      name: 'attests: one per line, commas kept',
      inputs: {
        attests: 'type=sbom,generator=image\ntype=provenance,mode=max'
      },
      expected: {
        attests: ['type=sbom,generator=image', 'type=provenance,mode=max']
      }
    },
    {
      name: 'call with options',
      inputs: { call: 'outline,format=json' },
      expected: { call: 'outline,format=json' }
    },
    {
      name: 'cgroup-parent, network, shm-size',
      inputs: {
        'cgroup-parent': 'ci.slice',
        network: 'none',
        'shm-size': '2g'
      },
      expected: { cgroupParent: 'ci.slice', network: 'none', shmSize: '2g' }
    },
    {
      name: 'no-cache-filters: commas or lines',
      inputs: { 'no-cache-filters': 'deps,test\nlint' },
      expected: { noCacheFilters: ['deps', 'test', 'lint'] }
    },
    {
      name: 'outputs: one per line, quotes kept',
      inputs: { outputs: 'type=local,dest="out dir"\ntype=tar,dest=o.tar' },
      expected: {
        outputs: ['type=local,dest="out dir"', 'type=tar,dest=o.tar']
      }
    },
    {
      name: 'call: a quoted option, as buildx reads the value as CSV',
      inputs: { call: 'check,"format=json"' },
      expected: { call: 'check,"format=json"' }
    },
    {
      name: 'outputs: a bare path and - as buildx reads them',
      inputs: { outputs: 'out\n-' },
      expected: { outputs: ['out', '-'] }
    },
    {
      name: 'ulimit: soft and hard, or soft alone',
      inputs: { ulimit: 'nofile=1024:2048\nnproc=512' },
      expected: { ulimits: ['nofile=1024:2048', 'nproc=512'] }
    }
  ])('$name', ({ inputs, expected }) => {
    expect(parseBuildOptions(source(inputs))).toEqual({ ...NONE, ...expected })
  })

  it.each<{ name: string; inputs: Record<string, string>; error: RegExp }>([
    {
      name: 'add-hosts without an ip',
      inputs: { 'add-hosts': 'docker' },
      error: /input "add-hosts": invalid value "docker": expected host:ip/
    },
    {
      name: 'add-hosts with a name for an ip',
      inputs: { 'add-hosts': 'docker:gateway' },
      error: /input "add-hosts": invalid value "docker:gateway"/
    },
    {
      name: 'an unknown entitlement',
      inputs: { allow: 'network.none' },
      error:
        /input "allow": invalid value "network.none": expected entitlements/
    },
    {
      name: 'attests without a type',
      inputs: { attests: 'generator=image' },
      error:
        /input "attests": invalid value "generator=image": expected attestation lines with a type/
    },
    {
      name: 'an unknown call',
      inputs: { call: 'lint' },
      error:
        /input "call": invalid value "lint": expected one of build, check, outline, targets/
    },
    {
      name: 'a network buildx does not know',
      inputs: { network: 'bridge' },
      error:
        /input "network": invalid value "bridge": expected one of default, none, host/
    },
    {
      name: 'shm-size not a size',
      inputs: { 'shm-size': 'big' },
      error: /input "shm-size": invalid value "big": expected a size/
    },
    {
      name: 'an unknown ulimit',
      inputs: { ulimit: 'files=10' },
      error:
        /input "ulimit": invalid value "files=10": expected name=soft\[:hard\]/
    },
    {
      name: 'outputs of an unknown type',
      inputs: { outputs: 'type=zip,dest=out.zip' },
      error:
        /input "outputs": invalid value "type=zip,dest=out.zip": expected a local path/
    },
    {
      name: 'outputs with attributes but no type',
      inputs: { outputs: 'dest=out,compression=gzip' },
      error: /input "outputs": invalid value "dest=out,compression=gzip"/
    },
    {
      name: 'outputs with a quote left open (buildx would refuse it after the build started)',
      inputs: { outputs: 'type=local,"dest=out' },
      error:
        /input "outputs": invalid value "type=local,\\"dest=out": expected a local path/
    },
    {
      name: 'a ulimit that is not a number',
      inputs: { ulimit: 'nofile=many' },
      error: /input "ulimit": invalid value "nofile=many"/
    }
  ])('rejects $name', ({ inputs, error }) => {
    expect(() => parseBuildOptions(source(inputs))).toThrow(error)
  })
})
