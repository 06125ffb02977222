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
import { runMain, runPost, type StepResult } from './runner.js'
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

/** The run's own config.json, as main left it (the post step removes it). */
function runConfig(main: StepResult) {
  const file = join(runTempDir(main), 'docker-config', 'config.json')
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    auths?: Record<string, { auth?: string }>
  }
  return { config, mode: statSync(file).mode & 0o777 }
}

const basic = (r: StackRegistry) =>
  Buffer.from(`${r.username}:${r.password}`).toString('base64')

async function postRemovesIt(
  main: StepResult,
  env: Record<string, string>
): Promise<void> {
  const tempDir = runTempDir(main)
  const post = await runPost(main, env)
  expect(post.code).toBe(0)
  expect(existsSync(tempDir)).toBe(false)
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
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context,
        'build-args': `BASE=${a.host}/${baseRepo}:1`
      },
      env
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    // the plan says it, the log says it again as it runs: the same line
    const lines = main.stdout.split('\n')
    expect(lines.filter(line => line === loginLine(a))).toHaveLength(1)
    expect(lines.filter(line => line === `  ${loginLine(a)}`)).toHaveLength(1)
    expect(main.stdout).not.toMatch(/\[command\]\S*docker login/)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    const { config, mode } = runConfig(main)
    expect(config.auths?.[a.host]).toEqual({ auth: basic(a) })
    expect(mode).toBe(0o600)
    await postRemovesIt(main, env)
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
    const main = await runMain(
      {
        images: `${t.host}/${repo}`,
        ...credentials(t),
        context,
        'build-args': `BASE=${t.host}/${baseRepo}:1`
      },
      env
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(main.stdout.split('\n')).toContain(loginLine(t))
    expect(await tokenPublishedTags(t, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(runConfig(main).config.auths?.[t.host]).toEqual({ auth: basic(t) })
    await postRemovesIt(main, env)
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
    await postRemovesIt(main, env)
  })
})
