/**
 * The builder the step makes for itself (issue 29): on a stock runner's
 * engine (buildx's docker driver, classic store, no builder set up) two
 * platforms get an ephemeral docker-container builder, removed after success,
 * failure and cancel (post), as does one platform with a cache export the
 * classic store cannot do; a `builder` input always wins; and a remote
 * BuildKit over mTLS from the inputs alone (endpoint, tls-*), removed after,
 * whose wrong CA or missing key fails before any build naming the input.
 * After each step no container or volume of the run's builder is on the
 * engine, and no TLS file is left.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BUILDERS,
  DOCKER_29_CLASSIC,
  type StackBuilder
} from '../support/builders.js'
import { stackEnv } from '../support/stack-env.js'
import { gitCheckout, startCli } from '../support/cli-run.js'
import { publishedTags, readManifest } from './registry-api.js'
import { errorLines, RELEASE_TAGS } from './releases.js'
import {
  postRuns,
  runMain,
  runPost,
  startMain,
  type RunningStep,
  type StepResult
} from './runner.js'
import { credentials, runnerEnv, uniqueRepo, visibleText } from './steps.js'

jest.setTimeout(180_000)

const HELLO = 'test/fixtures/contexts/hello'
const BROKEN = 'test/fixtures/contexts/broken'
const PLATFORMS = 'linux/amd64,linux/arm64'
const { a, buildkit } = stackEnv()
const started: RunningStep[] = []

afterAll(() => {
  for (const step of started)
    if (step.child.exitCode === null) step.child.kill('SIGKILL')
})

function stock(name: string): StackBuilder {
  const builder = BUILDERS.find(b => b.name === name)
  if (builder === undefined) throw new Error(`no builder ${name}`)
  return builder
}

/** The name of the builder the step made, as its log says it. */
function ownBuilder(run: { stdout: string }): string {
  return /Builder: (docker-publish-\S+) \(driver/.exec(run.stdout)?.[1] ?? ''
}

/** Containers and volumes of that builder on the engine (buildx's names). */
function leftOnEngine(host: string, name: string): string[] {
  const docker = (...args: string[]) =>
    execFileSync('docker', ['-H', host, ...args], { encoding: 'utf8' })
      .split('\n')
      .filter(line => line.includes(`buildx_buildkit_${name.toLowerCase()}0`))
  return [
    ...docker('ps', '-a', '--format', '{{.Names}}'),
    ...docker('volume', 'ls', '-q')
  ]
}

/** The run folders main made in the runner's temp folder (gone after the run). */
function runFolders(run: StepResult): string[] {
  return readdirSync(run.dir).filter(f => /^docker-publish-(?!bake-)/.test(f))
}

const seconds = (run: { stdout: string }) =>
  Number(/set up in ([\d.]+) s/.exec(run.stdout)?.[1] ?? NaN)

interface Setup {
  env: Record<string, string>
  inputs: Record<string, string>
  host: string
}

function on(name: string, event = 'push-tag' as const): Setup {
  const runner = runnerEnv(event)
  const use = stock(name).use(runner.DOCKER_CONFIG)
  return {
    env: { ...runner, ...use.env },
    inputs: {
      images: `${a.host}/${uniqueRepo('own-builder')}`,
      ...credentials(a),
      ...use.inputs
    },
    host: use.engine.host
  }
}

const repoOf = (setup: Setup) => setup.inputs.images.slice(a.host.length + 1)

describe.each([
  'docker 28.5 classic store',
  ...DOCKER_29_CLASSIC,
  'docker 26.1 classic store'
])('two platforms on %s, no builder set up', engine => {
  it('publishes both under exactly the asked tags; the builder, its container and volume are gone', async () => {
    const setup = on(engine)
    const t0 = performance.now()
    const run = await runMain(
      { ...setup.inputs, context: HELLO, platforms: PLATFORMS },
      setup.env
    )
    const stepSeconds = (performance.now() - t0) / 1000
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    const name = ownBuilder(run)
    expect(name).not.toBe('')
    expect(await publishedTags(a, repoOf(setup))).toEqual(RELEASE_TAGS)
    expect((await readManifest(a, repoOf(setup), '1.2.3')).platforms).toEqual(
      PLATFORMS.split(',')
    )
    expect(run.summary).toMatch(/Builder made for this run: set up in/)
    expect(leftOnEngine(setup.host, name)).toEqual([])
    expect(runFolders(run)).toEqual([])
    // the figures docs/builders.md quotes
    process.stdout.write(
      `${engine}: builder set up in ${seconds(run)} s, step ${stepSeconds.toFixed(1)} s\n`
    )
    expect(seconds(run)).toBeLessThan(10)
  })
})

describe('docker 28.5 classic store: the other paths', () => {
  const engine = 'docker 28.5 classic store'

  it('a failing build: exit 1, no tag, the builder removed by main', async () => {
    const setup = on(engine)
    const run = await runMain(
      { ...setup.inputs, context: BROKEN, platforms: PLATFORMS },
      setup.env
    )
    expect(run.code).toBe(1)
    if (postRuns('failure')) await runPost(run, setup.env)
    const name = ownBuilder(run)
    expect(name).not.toBe('')
    expect(await publishedTags(a, repoOf(setup))).toEqual([])
    expect(leftOnEngine(setup.host, name)).toEqual([])
  })

  it('cancelled (SIGTERM) during the build: the post step removes the builder', async () => {
    const setup = on(engine)
    // a build that lasts: 128 MiB to send to BuildKit, then to the registry
    const context = mkdtempSync(join(tmpdir(), 'dpa-slow-context-'))
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY big /big\n')
    execFileSync('head', ['-c', '134217728', '/dev/urandom'], {
      stdio: ['ignore', openSync(join(context, 'big'), 'w'), 'ignore']
    })
    const running = startMain(
      { ...setup.inputs, context, platforms: PLATFORMS },
      setup.env
    )
    started.push(running)
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000
      const poll = setInterval(() => {
        if (/set up in/.test(running.stdout())) {
          clearInterval(poll)
          resolve()
        } else if (Date.now() > deadline || running.child.exitCode !== null) {
          clearInterval(poll)
          reject(new Error(`no builder set up:\n${running.stdout()}`))
        }
      }, 20)
    })
    running.child.kill('SIGTERM')
    const main = await running.result
    const name = ownBuilder(main)
    expect(leftOnEngine(setup.host, name).length).toBeGreaterThan(0)
    expect(main.state['docker-publish']).toContain(name)
    expect(postRuns('cancelled')).toBe(true)
    const post = await runPost(main, setup.env)
    expect(post.code).toBe(0)
    expect(post.stdout).toContain(`Removed the builder ${name}`)
    expect(leftOnEngine(setup.host, name)).toEqual([])
    expect(runFolders(main)).toEqual([])
    rmSync(context, { recursive: true, force: true })
  })

  it('one platform with a cache export the classic store cannot do (cache: local): made, the cache written, the builder removed', async () => {
    const setup = on(engine)
    const dir = mkdtempSync(join(tmpdir(), 'dpa-own-cache-'))
    const run = await runMain(
      { ...setup.inputs, context: HELLO, cache: `local,dir=${dir}` },
      setup.env
    )
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      `exports only the inline cache, and cache: local,dir=${dir} was asked`
    )
    const name = ownBuilder(run)
    expect(name).not.toBe('')
    expect(await publishedTags(a, repoOf(setup))).toEqual(RELEASE_TAGS)
    // the cache folder holds what buildx's local exporter writes
    const folders = readdirSync(dir)
    expect(folders).toHaveLength(1)
    expect(existsSync(join(dir, folders[0], 'index.json'))).toBe(true)
    expect(leftOnEngine(setup.host, name)).toEqual([])
    rmSync(dir, { recursive: true, force: true })
  })

  it('the CLI stopped by Ctrl-C (SIGINT) during the build: it removes the builder and its folder, exit 130', async () => {
    const setup = on(engine)
    const checkout = gitCheckout(dir => {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY big /big\n')
      // a build that lasts: 128 MiB to send to BuildKit, then to the registry
      execFileSync('head', ['-c', '134217728', '/dev/urandom'], {
        stdio: ['ignore', openSync(join(dir, 'big'), 'w'), 'ignore']
      })
    }, 'v1.2.3')
    const runnerTemp = mkdtempSync(join(tmpdir(), 'dpa-cli-temp-'))
    const cli = startCli(
      [
        '--images',
        setup.inputs.images,
        '--username',
        a.username,
        '--password-stdin',
        '--platforms',
        PLATFORMS
      ],
      {
        cwd: checkout,
        env: { ...process.env, ...setup.env, RUNNER_TEMP: runnerTemp },
        password: a.password,
        detached: true
      }
    )
    const deadline = Date.now() + 60_000
    while (!/set up in/.test(cli.output()) && Date.now() < deadline)
      await new Promise(resolve => setTimeout(resolve, 20))
    const name = ownBuilder({ stdout: cli.output() })
    expect(name).not.toBe('')
    expect(leftOnEngine(setup.host, name).length).toBeGreaterThan(0)
    process.kill(-(cli.child.pid ?? 0), 'SIGINT')
    expect(await cli.closed).toBe(130)
    expect(cli.output()).toContain(`Removed the builder ${name}`)
    expect(leftOnEngine(setup.host, name)).toEqual([])
    expect(readdirSync(runnerTemp)).toEqual([])
    expect(await publishedTags(a, repoOf(setup))).toEqual([])
    rmSync(checkout, { recursive: true, force: true })
  })

  it('a builder the user gives wins: builder: default still refuses two platforms', async () => {
    const setup = on(engine)
    const run = await runMain(
      {
        ...setup.inputs,
        context: HELLO,
        platforms: PLATFORMS,
        builder: 'default'
      },
      setup.env
    )
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(/^::error::input "platforms"/)
    ])
    expect(ownBuilder(run)).toBe('')
  })

  it('the dry run says it and shows the create and remove steps, making nothing', async () => {
    const setup = on(engine)
    const run = await runMain(
      {
        ...setup.inputs,
        context: HELLO,
        platforms: PLATFORMS,
        'dry-run': 'true'
      },
      setup.env
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/made for this run and removed at its end/)
    expect(run.stdout).toMatch(
      /builder {3}docker buildx create --bootstrap --name 'docker-publish-<run>' --node 'docker-publish-<run>0' --driver docker-container --driver-opt image=moby\/buildkit:buildx-stable-1,network=host\n/
    )
    // one process makes and starts it: no second builder step
    expect(run.stdout).not.toMatch(/builder {3}docker buildx inspect/)
    // its node's container, forced, then its state volume: no graceful stop of a builder thrown away
    expect(run.stdout).toMatch(
      /cleanup {3}docker rm --force --volumes 'buildx_buildkit_docker-publish-<run>0'\n.*cleanup {3}docker volume rm --force 'buildx_buildkit_docker-publish-<run>0_state'\n/s
    )
    expect(run.stdout).not.toMatch(/docker buildx rm/)
  })
})

describe('remote BuildKit over mTLS from the inputs', () => {
  const tls = (file: string) =>
    readFileSync(join(buildkit.tlsDir, file), 'utf8')
  const material = {
    endpoint: buildkit.tcp,
    'tls-cacert': tls('ca.pem'),
    'tls-cert': tls('client.pem'),
    'tls-key': tls('client.key')
  }
  const keyLines = material['tls-key']
    .split('\n')
    .filter(line => line.length > 20 && !line.startsWith('-----'))

  it('publishes two platforms; no key material in the log, no TLS file left', async () => {
    const setup = on('docker 26.1 containerd store')
    const t0 = performance.now()
    const run = await runMain(
      { ...setup.inputs, context: HELLO, platforms: PLATFORMS, ...material },
      setup.env
    )
    const stepSeconds = (performance.now() - t0) / 1000
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/\(driver remote, made for this run/)
    expect(await publishedTags(a, repoOf(setup))).toEqual(RELEASE_TAGS)
    for (const line of keyLines) expect(visibleText(run)).not.toContain(line)
    expect(runFolders(run)).toEqual([])
    process.stdout.write(
      `remote tcp+mTLS: builder set up in ${seconds(run)} s, step ${stepSeconds.toFixed(1)} s\n`
    )
  })

  it('a wrong CA fails before any build, naming tls-cacert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpa-other-ca-'))
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=other',
        '-keyout',
        join(dir, 'ca.key'),
        '-out',
        join(dir, 'ca.pem')
      ],
      { stdio: 'ignore' }
    )
    const setup = on('docker 26.1 containerd store')
    const run = await runMain(
      {
        ...setup.inputs,
        context: HELLO,
        ...material,
        'tls-cacert': readFileSync(join(dir, 'ca.pem'), 'utf8')
      },
      setup.env
    )
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(
        /^::error::input "tls-cacert": invalid value "\*\*\*"/
      )
    ])
    expect(run.stdout).not.toMatch(/^build {5}docker/m)
    expect(await publishedTags(a, repoOf(setup))).toEqual([])
    expect(runFolders(run)).toEqual([])
    expect(existsSync(dir)).toBe(true)
  })

  it('a missing key fails before any docker command, naming tls-key', async () => {
    const setup = on('docker 26.1 containerd store')
    const rest = { ...material, 'tls-key': '' }
    const run = await runMain(
      { ...setup.inputs, context: HELLO, ...rest },
      setup.env
    )
    expect(errorLines(run.stdout)).toEqual([
      expect.stringMatching(/^::error::input "tls-key"/)
    ])
  })
})
