import { describe, expect, it } from '@jest/globals'
import {
  foreignPlatforms,
  handlerArchitecture,
  installEmulationArgs,
  missingArchitectures,
  nodePlatforms,
  type Kernel
} from '../../../src/plan/emulation.js'
import type { Builder } from '../../../src/plan/builder.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import { stepLine } from '../../../src/plan/steps.js'
import { parseBuilderNodes } from '../../../src/buildx/builder-detection.js'
import { releaseRun } from '../docker/run-fixture.js'
import { PINNED_IMAGES } from '../../../src/settings/build-settings.js'

const IMAGE = PINNED_IMAGES.qemu
const TWO = ['linux/amd64', 'linux/arm64']
// what an amd64 runner's builders report before any emulation is installed
const AMD64 = ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/386']

describe('foreignPlatforms: which asked platforms emulation installed through the engine may serve', () => {
  it.each([
    {
      name: 'two platforms on the docker driver of an amd64 runner: arm64',
      build: { platforms: TWO, qemu: IMAGE },
      driver: 'docker',
      native: 'amd64',
      foreign: ['linux/arm64']
    },
    {
      name: "the run's own docker-container builder: the same",
      build: {
        platforms: ['linux/amd64', 'linux/arm/v7', 'linux/riscv64'],
        qemu: IMAGE
      },
      driver: 'docker-container',
      native: 'amd64',
      foreign: ['linux/arm/v7', 'linux/riscv64']
    },
    {
      name: 'an arm64 runner: amd64 is the foreign one',
      build: { platforms: TWO, qemu: IMAGE },
      driver: 'docker',
      native: 'arm64',
      foreign: ['linux/amd64']
    },
    {
      name: 'linux/arm64/v8 is arm64',
      build: { platforms: ['linux/arm64/v8'], qemu: IMAGE },
      driver: 'docker',
      native: 'arm64',
      foreign: []
    },
    {
      name: 'only the native platform: nothing to ask the builder',
      build: { platforms: ['linux/amd64'], qemu: IMAGE },
      driver: 'docker',
      native: 'amd64',
      foreign: []
    },
    {
      name: 'no platforms input: the native one',
      build: { platforms: [], qemu: IMAGE },
      driver: 'docker',
      native: 'amd64',
      foreign: []
    },
    {
      name: 'qemu: false',
      build: { platforms: TWO, qemu: '' },
      driver: 'docker',
      native: 'amd64',
      foreign: []
    },
    {
      name: 'a remote BuildKit runs on another kernel: a handler here does not help it',
      build: { platforms: TWO, qemu: IMAGE },
      driver: 'remote',
      native: 'amd64',
      foreign: []
    },
    {
      name: 'kubernetes: the same',
      build: { platforms: TWO, qemu: IMAGE },
      driver: 'kubernetes',
      native: 'amd64',
      foreign: []
    },
    {
      name: 'no buildx (the classic build)',
      build: { platforms: ['linux/arm64'], qemu: IMAGE },
      driver: 'classic',
      native: 'amd64',
      foreign: []
    },
    {
      name: 'windows platforms are not emulated',
      build: { platforms: ['windows/arm64'], qemu: IMAGE },
      driver: 'docker',
      native: 'amd64',
      foreign: []
    }
  ])('$name', ({ build, driver, native, foreign }) => {
    expect(foreignPlatforms(build, driver, native)).toEqual(foreign)
  })
})

describe('missingArchitectures: what is installed, by the platforms the builder reports', () => {
  it.each([
    {
      name: 'a stock amd64 runner: arm64 is missing',
      asked: ['linux/arm64'],
      runs: AMD64,
      missing: ['arm64']
    },
    {
      name: 'handlers already installed (a second run, setup-qemu-action before): nothing',
      asked: ['linux/arm64'],
      runs: [...AMD64, 'linux/arm64', 'linux/arm/v7', 'linux/arm/v6'],
      missing: []
    },
    {
      name: 'a builder with a native arm64 node: nothing',
      asked: ['linux/arm64'],
      runs: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
      missing: []
    },
    {
      name: 'linux/arm64/v8 reported runs linux/arm64',
      asked: ['linux/arm64'],
      runs: ['linux/arm64/v8'],
      missing: []
    },
    {
      name: 'a variant asked that is not listed: its architecture is installed',
      asked: ['linux/arm/v7'],
      runs: [...AMD64, 'linux/arm/v6'],
      missing: ['arm']
    },
    {
      name: 'no variant asked: any listed variant runs it',
      asked: ['linux/arm'],
      runs: [...AMD64, 'linux/arm/v7'],
      missing: []
    },
    {
      name: 'two variants of one architecture: installed once, beside another',
      asked: ['linux/arm/v6', 'linux/arm/v7', 'linux/riscv64'],
      runs: AMD64,
      missing: ['arm', 'riscv64']
    },
    {
      name: 'a builder that reports nothing (stopped, dry run): everything asked',
      asked: ['linux/arm64', 'linux/s390x'],
      runs: [],
      missing: ['arm64', 's390x']
    }
  ])('$name', ({ asked, runs, missing }) => {
    expect(missingArchitectures(asked, runs)).toEqual(missing)
  })
})

describe('parseBuilderNodes: every node of `buildx inspect`', () => {
  it.each([
    {
      name: "buildx 0.29's docker driver",
      stdout:
        'Name:   default\nDriver: docker\n\nNodes:\nName:             default\n' +
        'Endpoint:         default\nStatus:           running\n' +
        'Platforms:        linux/amd64, linux/amd64/v2, linux/386\nLabels:\n' +
        ' org.mobyproject.buildkit.worker.executor:             containerd\n',
      nodes: [
        {
          endpoint: 'default',
          platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/386']
        }
      ]
    },
    {
      name: 'two nodes, platforms set on a node marked *',
      stdout:
        'Name: two\nDriver: docker-container\n\nNodes:\nName: n0\n' +
        'Endpoint: unix:///var/run/docker.sock\nPlatforms: linux/amd64*\n\n' +
        'Name: n1\nEndpoint: ssh://arm64-host\nPlatforms: linux/arm64*, linux/arm/v7\n',
      nodes: [
        { endpoint: 'unix:///var/run/docker.sock', platforms: ['linux/amd64'] },
        {
          endpoint: 'ssh://arm64-host',
          platforms: ['linux/arm64', 'linux/arm/v7']
        }
      ]
    },
    {
      name: 'a stopped builder reports none',
      stdout:
        'Nodes:\nName: n0\nEndpoint: default\nStatus: inactive\nPlatforms:\n',
      nodes: [{ endpoint: 'default', platforms: [] }]
    }
  ])('$name', ({ stdout, nodes }) => {
    expect(parseBuilderNodes(stdout)).toEqual(nodes)
  })
})

// /proc/sys/fs/binfmt_misc/<name> as Linux 6.18 shows a handler tonistiigi/binfmt registered
const handler = (magic: string, state = 'enabled') =>
  `${state}\ninterpreter /usr/bin/qemu\nflags: POCF\noffset 0\nmagic ${magic}\n` +
  'mask ffffffffffffff00fffffffffffffffffeffffff\n'
const ELF64 = '7f454c4602010100000000000000000002'
const ELF32 = '7f454c4601010100000000000000000002'

describe('handlerArchitecture: what a binfmt_misc handler runs, by its ELF magic', () => {
  it.each([
    { name: 'qemu-aarch64', file: handler(`${ELF64}00b700`), arch: 'arm64' },
    { name: 'qemu-arm', file: handler(`${ELF32}002800`), arch: 'arm' },
    { name: 'qemu-riscv64', file: handler(`${ELF64}00f300`), arch: 'riscv64' },
    { name: 'qemu-ppc64le', file: handler(`${ELF64}001500`), arch: 'ppc64le' },
    {
      name: 'qemu-s390x (big-endian)',
      file: handler('7f454c46020201000000000000000000000200160000'),
      arch: 's390x'
    },
    {
      name: 'qemu-mips64el',
      file: handler(`${ELF64}000800`),
      arch: 'mips64le'
    },
    {
      name: 'any name: Debian binfmt-support calls it qemu-aarch64 too, another could not',
      file: handler(`${ELF64}00b700`),
      arch: 'arm64'
    },
    {
      name: 'a disabled handler runs nothing',
      file: handler(`${ELF64}00b700`, 'disabled'),
      arch: undefined
    },
    {
      name: 'an extension handler (no magic)',
      file: 'enabled\ninterpreter /usr/bin/mono\nflags: \nextension .exe\n',
      arch: undefined
    },
    {
      name: 'a magic too short to name a machine',
      file: handler('7f454c46'),
      arch: undefined
    },
    {
      name: 'not ELF (a Windows PE)',
      file: handler('4d5a'.padEnd(44, '0')),
      arch: undefined
    }
  ])('$name', ({ file, arch }) => {
    expect(handlerArchitecture(file)).toBe(arch)
  })
})

describe("nodePlatforms: what a node runs now, by its list and this machine's kernel", () => {
  const STALE = [...AMD64, 'linux/arm64']
  const kernel = (handlers: string[], localEngine = true): Kernel => ({
    native: 'amd64',
    handlers,
    localEngine
  })
  it.each<{
    name: string
    endpoint: string
    kernel: Kernel | undefined
    runs: string[]
  }>([
    {
      name: "dockerd's BuildKit lists arm64 from its start, its handler is gone: not run",
      endpoint: 'default',
      kernel: kernel([]),
      runs: AMD64
    },
    {
      name: 'the handler is there: run',
      endpoint: 'default',
      kernel: kernel(['arm64']),
      runs: STALE
    },
    {
      name: 'a docker-container node on a local socket: the same rule',
      endpoint: 'unix:///var/run/docker.sock',
      kernel: kernel(['arm']),
      runs: AMD64
    },
    {
      name: "the default context is not this machine's engine (DOCKER_HOST=tcp://…): its list",
      endpoint: 'default',
      kernel: kernel([], false),
      runs: STALE
    },
    {
      name: 'a node on another machine (ssh://, a context of another name): its list',
      endpoint: 'ssh://arm64-host',
      kernel: kernel([]),
      runs: STALE
    },
    {
      name: "the kernel unread (not Linux): the node's list",
      endpoint: 'default',
      kernel: undefined,
      runs: STALE
    }
  ])('$name', ({ endpoint, kernel, runs }) => {
    expect(nodePlatforms({ endpoint, platforms: STALE }, kernel)).toEqual(runs)
  })
})

describe('the emulation step in the plan', () => {
  const DOCKER: Builder = {
    name: 'default',
    driver: 'docker',
    store: 'containerd'
  }
  const OWN: Builder = {
    name: 'run1',
    driver: 'docker-container',
    own: { driver: 'docker-container', driverOpts: [], reason: 'two platforms' }
  }
  it.each<{
    name: string
    builder: Builder
    inputs: Record<string, string>
    steps: string[]
    install?: string
  }>([
    {
      name: 'first, on the detected builder: QEMU for every foreign platform asked',
      builder: { ...DOCKER, emulate: ['linux/arm64'] },
      inputs: {},
      steps: ['emulation', 'build'],
      install: `docker run --rm --privileged ${IMAGE} --install arm64`
    },
    {
      name: "after the run's own builder is made (it is asked once started), with the qemu image given",
      builder: { ...OWN, emulate: ['linux/arm64', 'linux/arm/v7'] },
      inputs: { qemu: 'registry.local/mirror/binfmt:qemu-v9' },
      steps: ['builder', 'emulation', 'build'],
      install:
        'docker run --rm --privileged registry.local/mirror/binfmt:qemu-v9 --install arm64,arm'
    },
    {
      name: 'none where no foreign platform is asked (or qemu: false, or a remote builder)',
      builder: DOCKER,
      inputs: {},
      steps: ['build', 'upload']
    }
  ])('$name', async ({ builder, inputs, steps, install }) => {
    const { settings, publication } = await releaseRun({
      secrets: '',
      platforms: TWO.join(','),
      ...inputs
    })
    const { stage } = pipelineFor({
      settings,
      publication,
      builder,
      files: { metadata: '/m', iid: '/i', layout: '/l', secretSpecs: [] },
      userConfig: '/home/runner/.docker'
    })
    expect(stage.slice(0, steps.length).map(step => step.step)).toEqual(steps)
    const emulation = stage.find(step => step.step === 'emulation')
    expect(emulation && stepLine(emulation).replace(/^emulation +/, '')).toBe(
      install
    )
    expect(emulation && 'emulates' in emulation && emulation.emulates).toEqual(
      emulation && { builder: builder.name, platforms: builder.emulate }
    )
  })

  it("installEmulationArgs is setup-qemu-action's argv", () => {
    expect(installEmulationArgs(IMAGE, ['arm64', 'riscv64'])).toEqual([
      'run',
      '--rm',
      '--privileged',
      IMAGE,
      '--install',
      'arm64,riscv64'
    ])
  })
})
