import { createServer } from 'node:http'
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  detectBuilder,
  knownBuilder,
  parseInspect
} from '../../../src/buildx/builder-detection.js'
import {
  DockerCommandError,
  type DockerRunner
} from '../../../src/docker/runner.js'

const CONTAINER_INSPECT = `Name:          builder-1
Driver:        docker-container
Last Activity: 2026-11-23 04:00:00 +0000 UTC

Nodes:
Name:      builder-10
Endpoint:  unix:///var/run/docker.sock
Status:    running
Driver Options: image="moby/buildkit:buildx-stable-1"
`

/** A docker that answers `buildx inspect` once, as told. */
function answering(result: string | DockerCommandError) {
  const calls: string[][] = []
  const docker: DockerRunner = {
    run(args) {
      calls.push(args)
      return typeof result === 'string'
        ? Promise.resolve({ stdout: result, stderr: '' })
        : Promise.reject(result)
    }
  }
  return { docker, calls }
}

/** buildx 0.29's `buildx inspect` of the stack's builder of two nodes (trimmed). */
const TWO_NODES_INSPECT = [
  'Name:          dpa-two-node',
  'Driver:        remote',
  'Last Activity: 2026-11-24 23:11:35 +0000 UTC',
  '',
  'Nodes:',
  'Name:             dpa-two-node0',
  'Endpoint:         unix:///var/run/dpa-buildkitd.sock',
  'Status:           running',
  'BuildKit version: v0.25.2',
  'Platforms:        linux/amd64*, linux/amd64/v2, linux/amd64/v3, linux/386',
  'GC Policy rule#0:',
  ' All:            false',
  '',
  'Name:             dpa-two-node1',
  'Endpoint:         unix:///var/run/dpa-buildkitd-2.sock',
  'Status:           running',
  'BuildKit version: v0.25.2',
  'Platforms:        linux/arm64*, linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/386',
  ''
].join('\n')

describe('parseInspect', () => {
  it.each([
    {
      name: 'docker-container, as setup-buildx-action leaves it',
      stdout: CONTAINER_INSPECT,
      expected: {
        name: 'builder-1',
        driver: 'docker-container',
        node: 'builder-10'
      }
    },
    {
      name: "buildx's default docker driver",
      stdout: 'Name:   default\nDriver: docker\n\nNodes:\nName: default\n',
      expected: { name: 'default', driver: 'docker' }
    },
    {
      name: 'remote driver',
      stdout: 'Name: cloud\nDriver: remote\n',
      expected: { name: 'cloud', driver: 'remote' }
    },
    {
      name: 'two nodes (buildx create --append), as buildx 0.29 prints them',
      stdout: TWO_NODES_INSPECT,
      expected: { name: 'dpa-two-node', driver: 'remote', nodes: 2 }
    }
  ])('$name', ({ stdout, expected }) => {
    expect(parseInspect(stdout)).toEqual(expected)
  })
})

describe('detectBuilder', () => {
  it("asks buildx for the builder input's builder, read-only", async () => {
    const { docker, calls } = answering(CONTAINER_INSPECT)
    expect(
      await detectBuilder(docker, 'builder-1', false, { env: {} })
    ).toEqual({
      name: 'builder-1',
      driver: 'docker-container',
      node: 'builder-10'
    })
    expect(calls).toEqual([['buildx', 'inspect', 'builder-1']])
  })

  it("asks for buildx's current builder when the input is empty", async () => {
    const { docker, calls } = answering(CONTAINER_INSPECT)
    await detectBuilder(docker, '', false, { env: {} })
    expect(calls).toEqual([['buildx', 'inspect']])
  })

  it('no buildx: the classic build', async () => {
    const { docker } = answering(
      new DockerCommandError(
        ['buildx', 'inspect'],
        1,
        "docker: 'buildx' is not a docker command."
      )
    )
    expect(await detectBuilder(docker, '', false, { env: {} })).toEqual({
      name: '',
      driver: 'classic'
    })
  })

  it('a builder that does not exist is an input error naming it', async () => {
    const { docker } = answering(
      new DockerCommandError(
        ['buildx', 'inspect', 'nope'],
        1,
        'ERROR: no builder "nope" found'
      )
    )
    await expect(
      detectBuilder(docker, 'nope', false, { env: {} })
    ).rejects.toThrow(/input "builder": invalid value "nope": no such builder/)
  })
})

describe('detectBuilder: the image store, for several platforms', () => {
  /** A docker answering inspect (docker driver), then docker info. */
  function daemon(driverStatus: string) {
    const calls: string[][] = []
    const docker: DockerRunner = {
      run(args) {
        calls.push(args)
        const stdout =
          args[0] === 'info' ? driverStatus : 'Name: default\nDriver: docker\n'
        return Promise.resolve({ stdout, stderr: '' })
      }
    }
    return { docker, calls }
  }

  it.each([
    {
      name: 'containerd image store',
      status: '[["driver-type","io.containerd.snapshotter.v1"]]',
      store: 'containerd'
    },
    {
      name: 'classic image store (overlay2)',
      status: '[["Backing Filesystem","extfs"],["Supports d_type","true"]]',
      store: 'classic'
    }
  ])('$name', async ({ status, store }) => {
    const { docker, calls } = daemon(status)
    // a remote engine: no socket of its own to ask, so docker info
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:2375' }
    expect(await detectBuilder(docker, '', true, { env })).toEqual({
      name: 'default',
      driver: 'docker',
      store
    })
    expect(calls[1]).toEqual(['info', '--format', '{{json .DriverStatus}}'])
  })

  it('a local engine is asked over its own socket: no docker process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-'))
    const socketPath = join(dir, 'docker.sock')
    const server = createServer((request, response) => {
      response.setHeader('Content-Type', 'application/json')
      response.end(
        request.url === '/info'
          ? '{"DriverStatus":[["driver-type","io.containerd.snapshotter.v1"]]}'
          : '{}'
      )
    })
    await new Promise<void>(resolve => server.listen(socketPath, resolve))
    try {
      const { docker, calls } = daemon('not asked')
      const env = { DOCKER_HOST: `unix://${socketPath}` }
      expect(await detectBuilder(docker, 'default', true, { env })).toEqual({
        name: 'default',
        driver: 'docker',
        store: 'containerd'
      })
      expect(calls).toEqual([['buildx', 'inspect', 'default']])
    } finally {
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('one platform: the store is not asked', async () => {
    const { docker, calls } = daemon('')
    await detectBuilder(docker, '', false, { env: {} })
    expect(calls).toEqual([['buildx', 'inspect']])
  })
})

// rows that expect the local socket's key without DOCKER_HOST hold on Linux only, as CI runs
describe("knownBuilder: read from buildx's files, without starting buildx", () => {
  const DEFAULT = { name: 'default', driver: 'docker' }
  const CONTAINER = {
    name: 'builder-1',
    driver: 'docker-container',
    node: 'builder-10'
  }
  const LOCAL_KEY = 'unix:///var/run/docker.sock'
  /** buildx/current as `buildx create --use` (or `buildx use`) writes it. */
  const current = (name: string, key = LOCAL_KEY, global = false) =>
    JSON.stringify({ Key: key, Name: name, Global: global })
  /** buildx/instances/<file> as `buildx create` writes it. */
  const instance = (name: string, driver: string) =>
    JSON.stringify({
      Name: name,
      Driver: driver,
      Nodes: [{ Name: `${name}0`, Endpoint: LOCAL_KEY }],
      Dynamic: false
    })
  const CREATED = { 'builder-1': instance('builder-1', 'docker-container') }

  /** A docker config folder: buildx's files, config.json, a buildx plugin in cli-plugins. */
  const configWith = (
    currentFile?: string,
    {
      config,
      plugin = false,
      defaults = false,
      instances = {}
    }: {
      config?: object
      plugin?: boolean
      defaults?: boolean
      instances?: Record<string, string>
    } = {}
  ) => {
    const dir = mkdtempSync(join(tmpdir(), 'buildx-current-'))
    mkdirSync(join(dir, 'buildx', 'instances'), { recursive: true })
    if (currentFile !== undefined)
      writeFileSync(join(dir, 'buildx', 'current'), currentFile)
    for (const [file, text] of Object.entries(instances))
      writeFileSync(join(dir, 'buildx', 'instances', file), text)
    if (config !== undefined)
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
    if (defaults) {
      mkdirSync(join(dir, 'buildx', 'defaults'), { recursive: true })
      writeFileSync(join(dir, 'buildx', 'defaults', 'a1b2'), 'builder-1')
    }
    if (plugin) {
      mkdirSync(join(dir, 'cli-plugins'))
      writeFileSync(join(dir, 'cli-plugins', 'docker-buildx'), '', {
        mode: 0o755
      })
    }
    return dir
  }
  const systemWithBuildx = mkdtempSync(join(tmpdir(), 'cli-plugins-'))
  writeFileSync(join(systemWithBuildx, 'docker-buildx'), '', { mode: 0o755 })
  const buildxConfigWithBuilder = mkdtempSync(join(tmpdir(), 'buildx-config-'))
  writeFileSync(join(buildxConfigWithBuilder, 'current'), current('builder-1'))
  const systemWithBrokenBuildx = mkdtempSync(join(tmpdir(), 'cli-plugins-'))
  writeFileSync(join(systemWithBrokenBuildx, 'docker-buildx'), '', {
    mode: 0o644
  })
  const buildxConfigWithInstance = mkdtempSync(join(tmpdir(), 'buildx-config-'))
  writeFileSync(join(buildxConfigWithInstance, 'current'), current('builder-1'))
  mkdirSync(join(buildxConfigWithInstance, 'instances'))
  writeFileSync(
    join(buildxConfigWithInstance, 'instances', 'builder-1'),
    CREATED['builder-1']
  )
  afterAll(() => {
    for (const dir of [
      systemWithBuildx,
      buildxConfigWithBuilder,
      systemWithBrokenBuildx,
      buildxConfigWithInstance
    ])
      rmSync(dir, { recursive: true, force: true })
  })

  it.each([
    {
      name: 'buildx/current names the default builder',
      current: current(''),
      system: [systemWithBuildx],
      input: '',
      env: {},
      expected: DEFAULT
    },
    {
      name: 'setup-buildx-action made its builder current',
      current: current('builder-1'),
      instances: CREATED,
      input: '',
      env: {},
      expected: CONTAINER
    },
    {
      name: 'a remote builder made current',
      current: current('cloud'),
      instances: { cloud: instance('cloud', 'remote') },
      input: '',
      env: {},
      expected: { name: 'cloud', driver: 'remote' }
    },
    {
      name: "an instance file whose node has no name: no node's name",
      current: current('builder-1'),
      instances: {
        'builder-1': JSON.stringify({
          Name: 'builder-1',
          Driver: 'docker-container',
          Nodes: [{ Endpoint: LOCAL_KEY }]
        })
      },
      input: '',
      env: {},
      expected: { name: 'builder-1', driver: 'docker-container' }
    },
    {
      name: 'the builder is current for another engine (DOCKER_HOST): ask',
      current: current('builder-1'),
      instances: CREATED,
      input: '',
      env: { DOCKER_HOST: 'unix:///run/other.sock' },
      expected: undefined
    },
    {
      name: 'the builder is current for the engine DOCKER_HOST names',
      current: current('builder-1', 'unix:///run/other.sock'),
      instances: CREATED,
      input: '',
      env: { DOCKER_HOST: 'unix:///run/other.sock' },
      expected: CONTAINER
    },
    {
      name: '`buildx use --global` chose it, for every engine',
      current: current('builder-1', 'unix:///run/other.sock', true),
      instances: CREATED,
      input: '',
      env: {},
      expected: CONTAINER
    },
    {
      name: 'current names a builder buildx has no file for: ask',
      current: current('builder-1'),
      input: '',
      env: {},
      expected: undefined
    },
    {
      name: 'current in another docker context: ask',
      current: current('builder-1'),
      instances: CREATED,
      input: '',
      env: { DOCKER_CONTEXT: 'remote' },
      expected: undefined
    },
    {
      name: 'a current file with no endpoint, in another docker context: ask',
      current: '{"Name":"builder-1"}',
      instances: CREATED,
      input: '',
      env: { DOCKER_CONTEXT: 'remote' },
      expected: undefined
    },
    {
      name: 'the builder input names a created builder',
      current: current(''),
      instances: CREATED,
      input: 'builder-1',
      env: {},
      expected: CONTAINER
    },
    {
      name: 'the builder input in capitals: buildx files it in lower case',
      current: current(''),
      instances: CREATED,
      input: 'Builder-1',
      env: {},
      expected: CONTAINER
    },
    {
      name: 'a builder created in capitals keeps its name (its file is in lower case)',
      current: current('Builder-1'),
      instances: { 'builder-1': instance('Builder-1', 'docker-container') },
      input: '',
      env: {},
      expected: {
        name: 'Builder-1',
        driver: 'docker-container',
        node: 'Builder-10'
      }
    },
    {
      name: 'BUILDX_BUILDER names a created builder',
      current: current(''),
      instances: CREATED,
      input: '',
      env: { BUILDX_BUILDER: 'builder-1' },
      expected: CONTAINER
    },
    {
      name: 'the builder input names no created builder (a docker context?): ask',
      current: current(''),
      instances: CREATED,
      input: 'remote',
      env: {},
      expected: undefined
    },
    {
      name: 'a name buildx refuses, though its file is there: ask (buildx says why)',
      current: current(''),
      instances: { '1builder': instance('1builder', 'docker-container') },
      input: '1builder',
      env: {},
      expected: undefined
    },
    {
      name: 'a builder created as "Default": buildx takes it for the default',
      current: undefined,
      system: [systemWithBuildx],
      instances: { default: instance('Default', 'docker-container') },
      input: '',
      env: {},
      expected: {
        name: 'Default',
        driver: 'docker-container',
        node: 'Default0'
      }
    },
    {
      name: 'TLS settings and no DOCKER_HOST: the key is not the local socket, ask',
      current: current('builder-1'),
      instances: CREATED,
      input: '',
      env: { DOCKER_TLS_VERIFY: '1' },
      expected: undefined
    },
    {
      name: 'a current file that is null: ask',
      current: 'null',
      instances: CREATED,
      system: [systemWithBuildx],
      input: '',
      env: {},
      expected: undefined
    },
    {
      name: 'BUILDX_CONFIG holds the chosen builder and its file',
      current: undefined,
      system: [systemWithBuildx],
      input: '',
      env: { BUILDX_CONFIG: buildxConfigWithInstance },
      expected: CONTAINER
    },
    {
      name: 'an instance file of a driver buildx does not create: ask',
      current: current(''),
      instances: { odd: instance('odd', 'docker') },
      input: 'odd',
      env: {},
      expected: undefined
    },
    {
      name: 'an instance file for another name: ask',
      current: current(''),
      instances: { 'builder-1': instance('builder-2', 'docker-container') },
      input: 'builder-1',
      env: {},
      expected: undefined
    },
    {
      name: 'an unreadable instance file: ask',
      current: current(''),
      instances: { 'builder-1': 'not json' },
      input: 'builder-1',
      env: {},
      expected: undefined
    },
    {
      name: 'no buildx/current, buildx installed in a system folder',
      current: undefined,
      system: [systemWithBuildx],
      input: '',
      env: {},
      expected: DEFAULT
    },
    {
      name: "no buildx/current, buildx installed in the user's cli-plugins",
      current: undefined,
      plugin: true,
      input: '',
      env: {},
      expected: DEFAULT
    },
    {
      name: 'no buildx/current, buildx in a cliPluginsExtraDirs folder',
      current: undefined,
      config: { cliPluginsExtraDirs: [systemWithBuildx] },
      input: '',
      env: {},
      expected: DEFAULT
    },
    {
      name: 'no buildx/current, a docker-buildx that cannot run: ask',
      current: undefined,
      system: [systemWithBrokenBuildx],
      input: '',
      env: {},
      expected: undefined
    },
    {
      name: '`buildx use --default` chose a builder for a context: ask',
      current: current(''),
      defaults: true,
      system: [systemWithBuildx],
      input: '',
      env: {},
      expected: undefined
    },
    {
      name: 'BUILDX_CONFIG holds the state buildx reads (its current names builder-1)',
      current: undefined,
      system: [systemWithBuildx],
      input: '',
      env: { BUILDX_CONFIG: buildxConfigWithBuilder },
      expected: undefined
    },
    {
      name: 'no buildx/current and no buildx plugin: ask (the classic build)',
      current: undefined,
      input: '',
      env: {},
      expected: undefined
    },
    {
      name: 'no buildx/current, another docker context (DOCKER_CONTEXT)',
      current: undefined,
      system: [systemWithBuildx],
      input: '',
      env: { DOCKER_CONTEXT: 'remote' },
      expected: undefined
    },
    {
      name: 'no buildx/current, another docker context (currentContext)',
      current: undefined,
      system: [systemWithBuildx],
      config: { currentContext: 'remote' },
      input: '',
      env: {},
      expected: undefined
    },
    {
      name: 'the default builder current in another docker context: ask',
      current: current(''),
      system: [systemWithBuildx],
      input: '',
      env: { DOCKER_CONTEXT: 'remote' },
      expected: undefined
    },
    {
      name: 'an unreadable buildx/current',
      current: 'not json',
      system: [systemWithBuildx],
      input: '',
      env: {},
      expected: undefined
    }
  ])('$name', ({ current: currentFile, input, env, expected, ...setup }) => {
    const { system = [], ...files } = setup as {
      system?: string[]
      config?: object
      plugin?: boolean
      defaults?: boolean
      instances?: Record<string, string>
    }
    const configDir = configWith(currentFile, files)
    expect(
      knownBuilder(input, {
        configDir,
        env,
        systemPluginDirs: system
      })
    ).toEqual(expected)
    rmSync(configDir, { recursive: true, force: true })
  })

  it.each([
    {
      name: 'the default builder',
      currentFile: current(''),
      expected: DEFAULT
    },
    {
      name: "setup-buildx-action's builder",
      currentFile: current('builder-1'),
      expected: CONTAINER
    }
  ])(
    'detectBuilder then starts no process: $name',
    async ({ currentFile, expected }) => {
      const { docker, calls } = answering(CONTAINER_INSPECT)
      const configDir = configWith(currentFile, {
        plugin: true,
        instances: CREATED
      })
      expect(
        await detectBuilder(docker, '', false, { configDir, env: {} })
      ).toEqual(expected)
      expect(calls).toEqual([])
      rmSync(configDir, { recursive: true, force: true })
    }
  )
})
