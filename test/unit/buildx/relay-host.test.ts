import { describe, expect, it } from '@jest/globals'
import { hostname } from 'node:os'
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

  it.each([
    { engineName: hostname(), host: '127.0.0.1', why: 'the same machine' },
    {
      engineName: 'runner-vm-of-a-job-container',
      host: undefined,
      why: "a job container's loopback is not dockerd's"
    }
  ])(
    'the docker driver, engine named $engineName: $host ($why)',
    async ({ engineName, host }) => {
      const { docker, asked } = engine(engineName)
      expect(
        await relayHostFor(docker, { name: 'default', driver: 'docker' })
      ).toBe(host)
      expect(asked).toEqual([['info', '--format', '{{.Name}}']])
    }
  )

  it('a remote builder: none, and nothing is asked', async () => {
    const { docker, asked } = engine(hostname())
    expect(
      await relayHostFor(docker, { name: 'r', driver: 'remote' })
    ).toBeUndefined()
    expect(asked).toEqual([])
  })

  it('an engine that does not answer: none', async () => {
    const docker: DockerRunner = {
      run: () => Promise.reject(new Error('no engine'))
    }
    expect(
      await relayHostFor(docker, { name: 'default', driver: 'docker' })
    ).toBeUndefined()
  })
})
