/**
 * BuildKit's own pull (issue 38): the builder the step makes for two platforms on a stock runner
 * (Docker 28.5, classic store) pulls moby/buildkit from Docker Hub. On an engine of the test's own
 * whose store lacks that image and whose registry-1.docker.io is a stand-in that refuses anonymous
 * pulls (429) and throttles the first authenticated ones: with a Docker Hub login in `logins` the
 * pull is authenticated, a throttled bootstrap is tried again, and the release lands exactly;
 * without one the step fails naming the throttle and the login that helps, with no tag written.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fieldCliEnv } from '../support/builders.js'
import {
  DOCKER_HUB_NAMES,
  startDockerHub,
  type DockerHubStandIn
} from '../support/docker-hub.js'
import {
  startPrivateEngine,
  type PrivateEngine
} from '../support/private-engine.js'
import { ecrStackRegistry, stackEnv } from '../support/stack-env.js'
import { publishedTags } from './registry-api.js'
import { errorLines, HELLO, RELEASE_TAGS } from './releases.js'
import { runMain } from './runner.js'
import { credentials, runnerEnv, uniqueRepo, visibleText } from './steps.js'

jest.setTimeout(240_000)

const BUILDKIT_IMAGE = 'moby/buildkit:buildx-stable-1'
const { a, field } = stackEnv()
const work = mkdtempSync(join(tmpdir(), 'dpa-buildkit-pull-'))
let engine: PrivateEngine
let hub: DockerHubStandIn

/** The stack's BuildKit image on registry A as moby/buildkit: what the stand-in serves. */
function seedBuildkitImage(): void {
  const config = join(work, 'seed-config')
  const docker = (...args: string[]) =>
    execFileSync(
      join(field.bin, 'docker'),
      ['--config', config, '-H', field.classicDockerHost, ...args],
      { input: args[0] === 'login' ? a.password : undefined, stdio: 'pipe' }
    )
  const seeded = `${a.host}/${BUILDKIT_IMAGE}`
  docker('login', a.host, '--username', a.username, '--password-stdin')
  docker('tag', BUILDKIT_IMAGE, seeded)
  docker('push', '--quiet', seeded)
  docker('rmi', seeded)
}

beforeAll(async () => {
  seedBuildkitImage()
  const ca = ecrStackRegistry().ca
  hub = await startDockerHub({
    dir: work,
    caDir: dirname(ca),
    upstream: a.host,
    throttleFirst: 2
  })
  engine = await startPrivateEngine({
    hosts: { '127.0.0.1': DOCKER_HUB_NAMES.join(' ') },
    extraCa: ca
  })
})

afterAll(async () => {
  await engine?.stop()
  await hub?.close()
  rmSync(work, { recursive: true, force: true })
})

/** The builder containers and state volumes left on the test's engine. */
function buildkitLeftovers(): string[] {
  const list = (...args: string[]) =>
    execFileSync(join(field.bin, 'docker'), ['-H', engine.host, ...args], {
      encoding: 'utf8'
    })
      .split('\n')
      .filter(line => line !== '')
  return [
    ...list(
      'ps',
      '-a',
      '--filter',
      'name=buildx_buildkit_',
      '--format',
      '{{.Names}}'
    ),
    ...list(
      'volume',
      'ls',
      '--filter',
      'name=buildx_buildkit_',
      '--format',
      '{{.Name}}'
    )
  ]
}

function release(logins: string) {
  const runner = runnerEnv('push-tag')
  const repo = uniqueRepo('buildkit-pull')
  const env = {
    ...runner,
    ...fieldCliEnv(runner.DOCKER_CONFIG),
    DOCKER_HOST: engine.host,
    // the step's own registry requests reach the stand-in too
    NODE_EXTRA_CA_CERTS: ecrStackRegistry().ca
  }
  const inputs = {
    images: `${a.host}/${repo}`,
    context: HELLO,
    platforms: 'linux/amd64,linux/arm64',
    ...(logins === '' ? credentials(a) : { logins })
  }
  return { repo, run: runMain(inputs, env, engine.launcher) }
}

const hubLogin = (password: string) =>
  [
    `- registry: ${a.host}`,
    `  username: ${a.username}`,
    `  password: ${a.password}`,
    `- registry: docker.io`,
    `  username: ${a.username}`,
    `  password: ${password}`
  ].join('\n')

describe("the step's own builder pulls moby/buildkit from Docker Hub", () => {
  it('with the Docker Hub login given: an authenticated pull, tried again once throttled', async () => {
    hub.manifestRequests.length = 0
    const { repo, run } = release(hubLogin(a.password))
    const main = await run
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(RELEASE_TAGS)
    // every manifest request carried the login; the first two got 429 and the bootstrap went on
    expect(hub.manifestRequests.every(r => r.authenticated)).toBe(true)
    expect(hub.manifestRequests.slice(0, 2).map(r => r.status)).toEqual([
      429, 429
    ])
    expect(hub.manifestRequests.at(-1)?.status).toBe(200)
    // the same create --bootstrap ran again, and updated what the first attempt recorded: the
    // run's removal left no container or state volume of its builder on the engine
    const creates =
      main.stdout.match(/\[command\].*buildx create --bootstrap/g) ?? []
    expect(creates.length).toBeGreaterThan(1)
    expect(buildkitLeftovers()).toEqual([])
    expect(visibleText(main)).not.toContain(a.password)
  })

  it('without a Docker Hub login: one error naming the throttle and the login, no tag', async () => {
    // the image the first case pulled is gone, so this run pulls again, anonymously
    execFileSync(join(field.bin, 'docker'), [
      '-H',
      engine.host,
      'rmi',
      '--force',
      BUILDKIT_IMAGE
    ])
    hub.manifestRequests.length = 0
    const { repo, run } = release('')
    const main = await run
    expect(main.code).toBe(1)
    expect(errorLines(main.stdout)).toEqual([
      expect.stringMatching(
        /its registry throttles the pulls \(.*toomanyrequests: You have reached your unauthenticated pull rate limit.*give a login for it \(Docker Hub's: a logins entry for docker\.io/
      )
    ])
    expect(hub.manifestRequests.some(r => r.authenticated)).toBe(false)
    expect(await publishedTags(a, repo)).toEqual([])
  })
})
