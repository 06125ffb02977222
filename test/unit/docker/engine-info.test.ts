import { createServer, request } from 'node:http'
import {
  createServer as createNetServer,
  type Server as NetServer,
  type Socket
} from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  askEngineEarly,
  engineInfo,
  engineInfoOf
} from '../../../src/docker/engine-info.js'

const CONTAINERD = '[["driver-type","io.containerd.snapshotter.v1"]]'

describe('engineInfoOf: the DriverStatus and Name of an HTTP/1.0 answer to GET /info', () => {
  const answer = (status: string, body: string) =>
    `HTTP/1.0 ${status}\r\nContent-Type: application/json\r\n\r\n${body}`

  it.each([
    {
      name: 'the containerd store',
      answer: answer(
        '200 OK',
        `{"Driver":"overlayfs","DriverStatus":${CONTAINERD},"Name":"runner-1"}`
      ),
      info: { driverStatus: CONTAINERD, name: 'runner-1' }
    },
    {
      name: 'no DriverStatus: null, as docker info prints it; no Name',
      answer: answer('200 OK', '{"Driver":"vfs"}'),
      info: { driverStatus: 'null', name: undefined }
    },
    {
      name: 'a Name that is not text',
      answer: answer('200 OK', '{"DriverStatus":[],"Name":7}'),
      info: { driverStatus: '[]', name: undefined }
    },
    {
      name: 'an HTTP/1.1 answer',
      answer: `HTTP/1.1 200 OK\r\n\r\n{"DriverStatus":[],"Name":"vm"}`,
      info: { driverStatus: '[]', name: 'vm' }
    },
    { name: 'an error status', answer: answer('404 Not Found', '{}') },
    { name: 'a body that is not JSON', answer: answer('200 OK', '{"Driv') },
    { name: 'a body of null', answer: answer('200 OK', 'null') },
    { name: 'a body that is an array', answer: answer('200 OK', '[1]') },
    {
      name: "a chunked answer cut after its first chunk's size (a number as JSON)",
      answer: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n'
    },
    { name: 'headers cut short', answer: 'HTTP/1.0 200 OK\r\nContent-Ty' },
    { name: 'nothing', answer: '' }
  ])('$name', ({ answer, info }) => {
    expect(engineInfoOf(answer)).toEqual(info)
  })
})

describe('engineInfo and askEngineEarly: GET /info over the socket', () => {
  let dir: string
  let socketPath: string
  let requests: string[]
  const server = createServer((request, response) => {
    requests.push(
      `${request.method} ${request.url} HTTP/${request.httpVersion}`
    )
    response.setHeader('Content-Type', 'application/json')
    response.end(`{"DriverStatus":${CONTAINERD},"Name":"vm"}`)
  })

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engine-info-'))
    socketPath = join(dir, 'docker.sock')
    requests = []
    await new Promise<void>(resolve => server.listen(socketPath, resolve))
  })
  /** A request of the test's own, answered after any sent before it. */
  const ping = () =>
    new Promise<void>(resolve =>
      request({ socketPath, path: '/_ping' }, response => {
        response.resume()
        response.on('end', resolve)
      }).end()
    )

  afterEach(async () => {
    await new Promise(resolve => server.close(resolve))
    rmSync(dir, { recursive: true, force: true })
  })

  const INFO = { driverStatus: CONTAINERD, name: 'vm' }

  it('asks the engine once, however many ask', async () => {
    expect(await engineInfo(socketPath)).toEqual(INFO)
    expect(await engineInfo(socketPath)).toEqual(INFO)
    expect(requests).toEqual(['GET /info HTTP/1.0'])
  })

  it('asked early when buildx/current names the default builder', async () => {
    mkdirSync(join(dir, 'buildx'))
    writeFileSync(
      join(dir, 'buildx', 'current'),
      '{"Key":"unix:///var/run/docker.sock","Name":""}'
    )
    await askEngineEarly({
      DOCKER_HOST: `unix://${socketPath}`,
      DOCKER_CONFIG: dir
    })
    await ping()
    expect(requests).toContain('GET /info HTTP/1.0')
    expect(await engineInfo(socketPath)).toEqual(INFO)
  })

  it('an answer asked early is the one every later caller gets', async () => {
    // DOCKER_CONFIG: the test's folder, no config.json in it
    await askEngineEarly({
      DOCKER_HOST: `unix://${socketPath}`,
      DOCKER_CONFIG: dir
    })
    expect(await engineInfo(socketPath)).toEqual(INFO)
    // the builder's detection and the relays' loopback check: one request
    expect(await engineInfo(socketPath)).toEqual(INFO)
    expect(requests).toEqual(['GET /info HTTP/1.0'])
  })

  it.each([
    {
      name: 'DOCKER_CONTEXT names another context',
      env: { DOCKER_CONTEXT: 'remote' },
      config: undefined
    },
    {
      name: "the docker config's current context is another",
      env: {},
      config: { currentContext: 'remote' }
    },
    {
      name: 'DOCKER_HOST is not a unix socket',
      env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
      config: undefined
    },
    {
      name: "buildx use chose a builder (setup-buildx-action's)",
      env: {},
      config: undefined,
      current: '{"Key":"unix:///var/run/docker.sock","Name":"builder-1"}'
    },
    {
      name: 'BUILDX_BUILDER names a builder',
      env: { BUILDX_BUILDER: 'builder-1' },
      config: undefined
    }
  ])('not asked early when $name', async ({ env, config, ...files }) => {
    // the docker config folder: an empty one unless the row has a config
    const configDir = join(dir, 'config')
    mkdirSync(join(configDir, 'buildx'), { recursive: true })
    if (config !== undefined)
      writeFileSync(join(configDir, 'config.json'), JSON.stringify(config))
    const { current } = files as { current?: string }
    if (current !== undefined)
      writeFileSync(join(configDir, 'buildx', 'current'), current)
    await askEngineEarly({
      DOCKER_HOST: `unix://${socketPath}`,
      DOCKER_CONFIG: configDir,
      ...env
    })
    await ping()
    expect(requests).toEqual(['GET /_ping HTTP/1.1'])
  })

  it('no engine at the socket: undefined, early or not', async () => {
    const missing = join(dir, 'missing.sock')
    await askEngineEarly({
      DOCKER_HOST: `unix://${missing}`,
      DOCKER_CONFIG: dir
    })
    expect(await engineInfo(missing)).toBeUndefined()
    expect(await engineInfo(missing)).toBeUndefined()
  })
})

const NOT_YET = 'not settled yet'

/** What `promise` settles to within `ms`, else NOT_YET. */
function within<T>(ms: number, promise: Promise<T>): Promise<T | string> {
  const timer = new Promise<string>(resolve =>
    setTimeout(() => resolve(NOT_YET), ms).unref()
  )
  return Promise.race([promise, timer])
}

describe('engineInfo: an answer the engine has not yet closed', () => {
  const head = 'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n'
  const body = `{"Driver":"overlayfs","DriverStatus":${CONTAINERD}}\n`
  let dir: string
  let held: Socket[]
  let servers: NetServer[]

  /** An engine that writes `pieces` in turn and holds the connection open until the test ends. */
  async function engine(pieces: string[]): Promise<string> {
    const server = createNetServer(socket => {
      held.push(socket)
      // each piece 20 ms after the one before
      socket.once('data', () =>
        pieces.forEach((piece, i) =>
          setTimeout(() => socket.write(piece), i * 20)
        )
      )
    })
    const socketPath = join(dir, 'engine.sock')
    await new Promise<void>(resolve => server.listen(socketPath, resolve))
    servers.push(server)
    return socketPath
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engine-info-open-'))
    held = []
    servers = []
  })
  afterEach(async () => {
    held.forEach(socket => socket.destroy())
    await Promise.all(
      servers.map(server => new Promise(resolve => server.close(resolve)))
    )
    rmSync(dir, { recursive: true, force: true })
  })

  it.each([
    { name: 'the answer in one piece', pieces: [head + body] },
    {
      name: 'the answer in three pieces, cut inside the JSON',
      pieces: [head, body.slice(0, 10), body.slice(10)]
    }
  ])(
    '$name: settled by the whole JSON, not by the close',
    async ({ pieces }) => {
      const socketPath = await engine(pieces)
      // the engine never closes: waiting for its close would take the 5 s timeout
      expect(await within(1000, engineInfo(socketPath))).toEqual({
        driverStatus: CONTAINERD,
        name: undefined
      })
    }
  )

  it('an error status waits for the close, then is undefined', async () => {
    const socketPath = await engine([
      'HTTP/1.0 500 Internal Server Error\r\n\r\n{"message":"x"}'
    ])
    const status = engineInfo(socketPath)
    expect(await within(100, status)).toBe(NOT_YET)
    held.forEach(socket => socket.end())
    expect(await status).toBeUndefined()
  })
})
