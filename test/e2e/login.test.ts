/**
 * The run's login by the project's own client, no `docker login`: the
 * registry checks the credentials, the run's docker config keeps them where
 * docker login would (auths, base64 user:password, 0600), and the build reads
 * a private FROM with them, on both image stores; registry T (Bearer tokens,
 * as Docker Hub and GHCR) alike. A refusal names the registry and the user.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { publishedTags } from './registry-api.js'
import {
  parseFileCommands,
  runMain,
  startMain,
  type StepResult
} from './runner.js'
import { runTempDir, tokenPublishedTags } from './field-support.js'
import { pushTestImage } from '../support/registry-seed.js'
import {
  stackEnv,
  type StackEnv,
  type StackRegistry
} from '../support/stack-env.js'
import { fetchToken } from '../support/token-auth.js'
import { credentials, runnerEnv, uniqueRepo, visibleText } from './steps.js'

let stack: StackEnv
let context: string

beforeAll(() => {
  stack = stackEnv()
  context = mkdtempSync(join(tmpdir(), 'dpa-login-base-'))
  writeFileSync(
    join(context, 'Dockerfile'),
    'ARG BASE\nFROM ${BASE}\nCOPY app.txt /app.txt\n'
  )
  writeFileSync(join(context, 'app.txt'), 'app\n')
})

const STORED = "stored in this run's docker config"

/** The plan line of a login, as the Plan group and the log print it. */
function loginLine(registry: StackRegistry): string {
  return `login     GET http://${registry.host}/v2/ as ${registry.username}, ${STORED}`
}

interface RunConfig {
  config: { auths?: Record<string, { auth?: string }> }
  mode: number
}

/**
 * Runs main and reads the run's own config.json while the build runs (main
 * removes the folder when it ends); then checks it is gone.
 */
async function runMainReadingConfig(
  inputs: Record<string, string>,
  env: Record<string, string>
): Promise<{ main: StepResult; seen: RunConfig }> {
  const running = startMain(inputs, env)
  const seen = new Promise<RunConfig>((resolve, reject) => {
    running.child.stdout?.on('data', () => {
      if (!running.stdout().includes('::group::Stage the image')) return
      try {
        const state = parseFileCommands(
          readFileSync(join(running.dir, 'state'), 'utf8')
        )
        const file = join(runTempDir({ state }), 'docker-config', 'config.json')
        resolve({
          config: JSON.parse(readFileSync(file, 'utf8')) as RunConfig['config'],
          mode: statSync(file).mode & 0o777
        })
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
  })
  const main = await running.result
  expect(existsSync(runTempDir(main))).toBe(false)
  return { main, seen: await seen }
}

const basic = (r: StackRegistry) =>
  Buffer.from(`${r.username}:${r.password}`).toString('base64')

/** A publish to `repo` of `registry`, built FROM its private `base`:1 with the run's login. */
function publishFromPrivateBase(
  registry: StackRegistry,
  base: string,
  repo: string,
  env: Record<string, string>
): Promise<{ main: StepResult; seen: RunConfig }> {
  return runMainReadingConfig(
    {
      images: `${registry.host}/${repo}`,
      ...credentials(registry),
      context,
      'build-args': `BASE=${registry.host}/${base}:1`
    },
    env
  )
}

describe('a private FROM on registry A, read with the login the action wrote', () => {
  it.each([
    ['the containerd store', () => ({})],
    ['the classic store', () => ({ DOCKER_HOST: stack.classicDockerHost })]
  ])('%s', async (_store, engine) => {
    const { a } = stack
    const baseRepo = uniqueRepo('login-base')
    await pushTestImage(a, baseRepo, { tags: ['1'] })
    const repo = uniqueRepo('login-from')
    const env = runnerEnv('push-tag', engine())
    const { main, seen } = await publishFromPrivateBase(a, baseRepo, repo, env)
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    // the plan says it, the log says it again as it runs: the same line
    const lines = main.stdout.split('\n')
    expect(lines.filter(line => line === loginLine(a))).toHaveLength(1)
    expect(lines.filter(line => line === `  ${loginLine(a)}`)).toHaveLength(1)
    expect(main.stdout).not.toMatch(/\[command\]\S*docker login/)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(seen.config.auths?.[a.host]).toEqual({ auth: basic(a) })
    expect(seen.mode).toBe(0o600)
  })
})

describe('the token registry T: the login fetches a token as docker login does', () => {
  it('builds FROM a private image of T and pushes to T with carol', async () => {
    const { t } = stack
    const baseRepo = `carol/${uniqueRepo('login-token-base')}`
    const token = await fetchToken(t, [`repository:${baseRepo}:pull,push`], t)
    await pushTestImage({ host: t.host, token }, baseRepo, { tags: ['1'] })
    const repo = `carol/${uniqueRepo('login-token')}`
    const env = runnerEnv('push-tag')
    const { main, seen } = await publishFromPrivateBase(t, baseRepo, repo, env)
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(main.stdout.split('\n')).toContain(loginLine(t))
    expect(await tokenPublishedTags(t, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(seen.config.auths?.[t.host]).toEqual({ auth: basic(t) })
  })

  it('a wrong password: one line naming T and the user, before any build; the password nowhere', async () => {
    const { t } = stack
    const wrong = 'Wr0ng-pass-6d1f'
    const env = runnerEnv('push-tag')
    const main = await runMain(
      {
        images: `${t.host}/carol/${uniqueRepo('login-wrong')}`,
        username: t.username,
        password: wrong,
        context
      },
      env
    )
    expect(main.code).toBe(1)
    expect(
      main.stdout.split('\n').filter(l => l.startsWith('::error::'))
    ).toEqual([
      `::error::registry ${t.host} refused the credentials: wrong username or password for user "${t.username}" (HTTP 401)`
    ])
    expect(main.stdout).not.toMatch(/^build {5}/m)
    expect(visibleText(main)).not.toContain(wrong)
    expect(existsSync(runTempDir(main))).toBe(false)
  })
})
