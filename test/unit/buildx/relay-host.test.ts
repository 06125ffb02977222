import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type RequestListener } from 'node:http'
import { hostname, networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DockerRunner } from '../../../src/docker/runner.js'
import { firstNodeName } from '../../../src/buildx/builder-detection.js'
import {
  hostAddressFrom,
  relayHostFor
} from '../../../src/buildx/relay-host.js'

describe('firstNodeName', () => {
  it.each([
    {
      name: "setup-buildx's builder (buildx 0.29)",
      output:
        'Name:          builder-1f2e\nDriver:        docker-container\nLast Activity: 2026-11-25\n\n' +
        'Nodes:\nName:                  builder-1f2e0\nEndpoint:              unix:///var/run/docker.sock\n',
      node: 'builder-1f2e0'
    },
    {
      name: 'two nodes: the first',
      output:
        'Name: b\nDriver: docker-container\n\nNodes:\nName: b0\nEndpoint: x\n\nName: b1\n',
      node: 'b0'
    },
    {
      name: 'no nodes section',
      output: 'Name: b\nDriver: docker\n',
      node: undefined
    }
  ])('$name', ({ output, node }) => {
    expect(firstNodeName(output)).toBe(node)
  })
})

/** An engine on a unix socket that answers as `answer` does, for the length of `use`. */
async function withEngine<T>(
  answer: RequestListener,
  use: (socket: string) => Promise<T>
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-host-'))
  const socket = join(dir, 'docker.sock')
  const server = createServer(answer)
  await new Promise<void>(resolve => server.listen(socket, resolve))
  try {
    return await use(socket)
  } finally {
    await new Promise(resolve => server.close(resolve))
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A runner's addresses: loopback, and docker0's gateway. */
const LOCAL = ['127.0.0.1', '172.17.0.1']

describe('hostAddressFrom', () => {
  it.each([
    {
      name: 'the host network: loopback',
      networks: { host: { Gateway: '' } },
      host: '127.0.0.1'
    },
    {
      name: "docker's default bridge (setup-buildx's builder): its gateway",
      networks: { bridge: { Gateway: '172.17.0.1', IPAddress: '172.17.0.2' } },
      host: '172.17.0.1'
    },
    {
      name: 'a stopped container has no gateway yet',
      networks: { bridge: { Gateway: '' } },
      host: undefined
    },
    {
      name: 'an IPv6-only gateway is not one the relay listens on',
      networks: { v6: { Gateway: 'fd00::1' } },
      host: undefined
    },
    { name: 'no networks (none)', networks: null, host: undefined },
    {
      name: "a gateway this machine does not hold (a job container's view, a macvlan network)",
      networks: { bridge: { Gateway: '172.17.0.1' } },
      local: ['127.0.0.1', '172.18.0.5'],
      host: undefined
    }
  ])('$name', ({ networks, host, local = LOCAL }) => {
    expect(hostAddressFrom(networks, local)).toBe(host)
  })
})

describe('relayHostFor: loopback only where dockerd shares it', () => {
  /** An engine whose `docker info` names `engineName`; every command it was asked, kept. */
  const engine = (engineName: string) => {
    const asked: string[][] = []
    const docker: DockerRunner = {
      run: argv => {
        asked.push(argv)
        return Promise.resolve({ stdout: `${engineName}\n`, stderr: '' })
      }
    }
    return { docker, asked }
  }

  /** An engine on a unix socket whose GET /info names it `name`, for the length of `use`. */
  const engineSocket = <T>(
    name: string | undefined,
    use: (socket: string) => Promise<T>
  ): Promise<T> =>
    withEngine(
      (_request, response) =>
        response.end(JSON.stringify({ DriverStatus: [], Name: name })),
      use
    )

  const INFO = [['info', '--format', '{{.Name}}']]

  it.each([
    {
      name: 'the same machine, named by docker info',
      engineName: hostname(),
      host: '127.0.0.1',
      asked: INFO
    },
    {
      name: "a job container's loopback is not dockerd's, named by docker info",
      engineName: 'runner-vm-of-a-job-container',
      host: undefined,
      asked: INFO
    },
    {
      name: "the same machine, named by the engine's /info: no docker process",
      engineName: 'not asked',
      socketName: hostname(),
      host: '127.0.0.1',
      asked: []
    },
    {
      name: "a job container's, named by the engine's /info: no docker process",
      engineName: 'not asked',
      socketName: 'runner-vm-of-a-job-container',
      host: undefined,
      asked: []
    },
    {
      name: "an /info without a Name: docker info's",
      engineName: hostname(),
      socketName: undefined,
      host: '127.0.0.1',
      asked: INFO
    }
  ])('the docker driver, $name', async ({ engineName, host, asked, ...on }) => {
    const { docker, asked: commands } = engine(engineName)
    const builder = { name: 'default', driver: 'docker' } as const
    const found =
      'socketName' in on
        ? await engineSocket(on.socketName, socket =>
            relayHostFor(docker, builder, socket)
          )
        : await relayHostFor(docker, builder, undefined)
    expect(found).toBe(host)
    expect(commands).toEqual(asked)
  })

  it('a remote builder: none, and nothing is asked', async () => {
    const { docker, asked } = engine(hostname())
    expect(
      await relayHostFor(docker, { name: 'r', driver: 'remote' }, undefined)
    ).toBeUndefined()
    expect(asked).toEqual([])
  })

  it('an engine that does not answer: none', async () => {
    const docker: DockerRunner = {
      run: () => Promise.reject(new Error('no engine'))
    }
    expect(
      await relayHostFor(
        docker,
        { name: 'default', driver: 'docker' },
        undefined
      )
    ).toBeUndefined()
  })
})

describe("relayHostFor a user's docker-container builder: its node's gateway", () => {
  /** An address of this machine's other than loopback, as a bridge's gateway is. */
  const gateway = Object.values(networkInterfaces())
    .flat()
    .find(address => address?.family === 'IPv4' && !address.internal)?.address
  if (gateway === undefined)
    throw new Error('this machine has no IPv4 address but loopback')
  const networks = { bridge: { Gateway: gateway, IPAddress: '172.17.0.2' } }
  const CONTAINER = { name: 'b', driver: 'docker-container' }
  const BOOTSTRAP = ['buildx', 'inspect', 'b', '--bootstrap']
  const INSPECT = [
    'container',
    'inspect',
    '--format',
    '{{json .NetworkSettings.Networks}}',
    'buildx_buildkit_b0'
  ]

  /** A docker CLI that starts the node and prints its networks; every command kept. */
  const cli = () => {
    const asked: string[][] = []
    const docker: DockerRunner = {
      run: argv => {
        asked.push(argv)
        const stdout =
          argv[0] === 'buildx'
            ? 'Name: b\nDriver: docker-container\n\nNodes:\nName: b0\n'
            : JSON.stringify(networks)
        return Promise.resolve({ stdout, stderr: '' })
      }
    }
    return { docker, asked }
  }

  /** An engine whose API answers GET /containers/<name>/json from `containers`. */
  const engineWith = <T>(
    containers: Record<string, object>,
    use: (socket: string) => Promise<T>
  ): Promise<T> =>
    withEngine((request, response) => {
      const name = /^\/containers\/([^/]+)\/json$/.exec(request.url ?? '')?.[1]
      const container = name === undefined ? undefined : containers[name]
      response.statusCode = container === undefined ? 404 : 200
      response.end(
        JSON.stringify(container ?? { message: 'No such container' })
      )
    }, use)

  const running = (state: boolean) => ({
    buildx_buildkit_b0: {
      State: { Running: state },
      NetworkSettings: {
        Networks: state ? networks : { bridge: { Gateway: '' } }
      }
    }
  })

  it.each([
    {
      name: 'its container runs: asked of the engine, no docker process',
      builder: { ...CONTAINER, node: 'b0' },
      containers: running(true),
      asked: []
    },
    {
      name: 'its container is stopped: started by buildx first, then inspected',
      builder: { ...CONTAINER, node: 'b0' },
      containers: running(false),
      asked: [BOOTSTRAP, INSPECT]
    },
    {
      name: 'the engine has no such container (its node is elsewhere?): asked of docker',
      builder: { ...CONTAINER, node: 'b0' },
      containers: {},
      asked: [BOOTSTRAP, INSPECT]
    },
    {
      name: "its node's name is not known: asked of docker",
      builder: CONTAINER,
      containers: running(true),
      asked: [BOOTSTRAP, INSPECT]
    }
  ])('$name', async ({ builder, containers, asked }) => {
    const { docker, asked: commands } = cli()
    const host = await engineWith(containers, socket =>
      relayHostFor(docker, builder, socket)
    )
    expect(host).toBe(gateway)
    expect(commands).toEqual(asked)
  })
})
