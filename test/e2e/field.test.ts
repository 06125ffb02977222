/**
 * In the field (SPEC section 9): credentials from wherever docker finds
 * them, a standing login the run must not disturb, the classic image store,
 * a token registry, and runs that fail or are cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  configBytes,
  dockerLogin,
  executedLines,
  planOf,
  filesContaining,
  runTempDir,
  secretForms,
  tokenDigest,
  tokenPublishedTags
} from './field-support.js'
import { publishedTags, readManifest } from './registry-api.js'
import { gitCheckout, startCli } from '../support/cli-run.js'
import {
  parseFileCommands,
  ROOT,
  runMain,
  runPost,
  startMain,
  type RunningStep,
  type StepResult
} from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import { writeCredentialHelperConfig } from '../support/credential-helper.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

/** The runner env of a push of tag v<version>. */
function tagPush(
  version: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return runnerEnv('push-tag', {
    GITHUB_REF: `refs/tags/v${version}`,
    GITHUB_REF_NAME: `v${version}`,
    ...extra
  })
}

/** Runs main then post, and the user's config.json bytes after each. */
async function mainAndPost(
  inputs: Record<string, string>,
  env: Record<string, string>
): Promise<{ main: StepResult; afterMain: string; afterPost: string }> {
  const main = await runMain(inputs, env)
  const afterMain = configBytes(env.DOCKER_CONFIG)
  const post = await runPost(main, env)
  expect(post.code).toBe(0)
  return { main, afterMain, afterPost: configBytes(env.DOCKER_CONFIG) }
}

const errors = (step: StepResult) =>
  step.stdout.split('\n').filter(line => line.startsWith('::error::'))

describe('credentials from where docker finds them, no credential inputs', () => {
  it('a separate docker login: publishes, the guards read the registry, the config stays as it was', async () => {
    const { a } = stack
    const repo = uniqueRepo('field-login')
    const userConfig = mkdtempSync(join(tmpdir(), 'dpa-user-config-'))
    await dockerLogin(userConfig, a)
    const before = configBytes(userConfig)
    const publish = (version: string) =>
      mainAndPost(
        { images: `${a.host}/${repo}`, context: HELLO },
        tagPush(version, { DOCKER_CONFIG: userConfig })
      )

    const release = await publish('1.5.0')
    expect(errors(release.main)).toEqual([])
    expect(release.main.code).toBe(0)
    expect(release.afterMain).toBe(before)
    expect(release.afterPost).toBe(before)

    const backport = await publish('1.4.5')
    expect(errors(backport.main)).toEqual([])
    expect(backport.main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual([
      '1',
      '1.4',
      '1.4.5',
      '1.5',
      '1.5.0'
    ])
    expect((await readManifest(a, repo, '1')).digest).toBe(
      (await readManifest(a, repo, '1.5.0')).digest
    )
    expect(JSON.parse(backport.main.outputs.skipped)).toEqual([
      {
        ref: `${a.host}/${repo}:1`,
        reason: expect.stringMatching(
          /1\.5\.0 is already published, newer than 1\.4\.5/
        ) as unknown
      }
    ])
    expect(backport.afterMain).toBe(before)
    expect(backport.afterPost).toBe(before)
  })

  it.each([
    { name: 'credHelpers', via: 'credHelpers' as const },
    { name: 'credsStore', via: 'credsStore' as const }
  ])(
    'the credential helper of $name: asked, publishes, nothing stored',
    async ({ via }) => {
      const { a } = stack
      const repo = uniqueRepo('field-helper')
      const helper = writeCredentialHelperConfig({
        via,
        credentials: {
          [a.host]: { username: a.username, password: a.password }
        }
      })
      const before = configBytes(helper.configDir)
      const { main, afterMain, afterPost } = await mainAndPost(
        { images: `${a.host}/${repo}`, context: HELLO },
        runnerEnv('push-tag', helper.env)
      )
      expect(errors(main)).toEqual([])
      expect(main.code).toBe(0)
      expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
      expect(main.outputs.digest).toBe(
        (await readManifest(a, repo, '1.2.3')).digest
      )
      expect(helper.calls()).toContain(`get ${a.host}`)
      // only ever asked: the user's credential store was not written
      expect(helper.calls().filter(call => !call.startsWith('get '))).toEqual(
        []
      )
      expect(afterMain).toBe(before)
      expect(afterPost).toBe(before)
    }
  )
})

describe('credential inputs while the user has a standing login', () => {
  /** A user config logged in to A, rewritten compactly so any write by docker shows. */
  async function standingLogin(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'dpa-user-config-'))
    await dockerLogin(dir, stack.a)
    const config = JSON.parse(configBytes(dir)) as object
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
    return dir
  }

  const authOf = (dir: string) =>
    (
      JSON.parse(configBytes(dir)) as {
        auths?: Record<string, { auth?: string }>
      }
    ).auths?.[stack.a.host]?.auth

  it('the action logs in privately: the user login is untouched after main and post', async () => {
    const { a } = stack
    const repo = uniqueRepo('field-standing')
    const userConfig = await standingLogin()
    const before = configBytes(userConfig)
    const { main, afterMain, afterPost } = await mainAndPost(
      { images: `${a.host}/${repo}`, ...credentials(a), context: HELLO },
      runnerEnv('push-tag', { DOCKER_CONFIG: userConfig })
    )
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(afterMain).toBe(before)
    expect(afterPost).toBe(before)
    expect(authOf(userConfig)).toBe(secretForms(a)[1])
  })

  it('with a credsStore, the action logs in without writing the user store', async () => {
    const { a } = stack
    const repo = uniqueRepo('field-store')
    const helper = writeCredentialHelperConfig({
      via: 'credsStore',
      credentials: { [a.host]: { username: a.username, password: a.password } }
    })
    const before = configBytes(helper.configDir)
    const { main, afterMain, afterPost } = await mainAndPost(
      { images: `${a.host}/${repo}`, ...credentials(a), context: HELLO },
      runnerEnv('push-tag', helper.env)
    )
    expect(errors(main)).toEqual([])
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    // docker login went to the run's own config file, never to the helper
    expect(helper.calls().filter(call => /^(store|erase) /.test(call))).toEqual(
      []
    )
    expect(afterMain).toBe(before)
    expect(afterPost).toBe(before)
  })

  // the CLI is an ESM bundle of its own: the classic store's save loads a chunk there too
  it.each([
    ['the containerd store', () => ({})],
    ['the classic store', () => ({ DOCKER_HOST: stack.classicDockerHost })]
  ])(
    'the CLI with --username and --password-stdin on %s: the user login survives',
    async (_store, engine) => {
      const { a } = stack
      const repo = uniqueRepo('field-cli')
      const userConfig = await standingLogin()
      const before = configBytes(userConfig)
      const checkout = gitCheckout(
        dir => {
          for (const file of ['Dockerfile', 'hello.txt'])
            copyFileSync(join(ROOT, HELLO, file), join(dir, file))
        },
        'v2.1.0',
        'https://github.com/acme/webapp.git'
      )
      const runnerTemp = mkdtempSync(join(tmpdir(), 'dpa-cli-temp-'))
      const cli = startCli(
        [
          '--images',
          `${a.host}/${repo}`,
          '--username',
          a.username,
          '--password-stdin'
        ],
        {
          cwd: checkout,
          env: {
            ...process.env,
            ...engine(),
            DOCKER_CONFIG: userConfig,
            RUNNER_TEMP: runnerTemp
          },
          password: a.password
        }
      )
      const code = await cli.closed
      const output = cli.output()
      expect(output).not.toMatch(/^error:/m)
      expect(code).toBe(0)
      expect(await publishedTags(a, repo)).toEqual(['2', '2.1', '2.1.0'])
      expect(configBytes(userConfig)).toBe(before)
      expect(authOf(userConfig)).toBe(secretForms(a)[1])
      // the CLI's own folder (its docker config) is gone
      expect(readdirSync(runnerTemp)).toEqual([])
    }
  )
})

describe('the classic image store (containerd snapshotter off)', () => {
  const classic = () =>
    runnerEnv('push-tag', { DOCKER_HOST: stack.classicDockerHost })

  it('publishes one platform with the digest the registry holds', async () => {
    const { a } = stack
    const repo = uniqueRepo('field-classic')
    const env = classic()
    const { main } = await mainAndPost(
      { images: `${a.host}/${repo}`, ...credentials(a), context: HELLO },
      env
    )
    expect(errors(main)).toEqual([])
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(main.outputs.digest).toBe(
      (await readManifest(a, repo, '1.2.3')).digest
    )
    // the image the build put into the store is gone from it
    expect(main.outputs.imageid).toMatch(/^sha256:/)
    const inspect = await runDocker(
      ['image', 'inspect', main.outputs.imageid],
      {
        env
      }
    )
    expect(inspect.stderr).toMatch(/No such image/)
  })

  // with no builder input the step makes its own builder (own-builder.test.ts);
  // the docker driver the user names still builds one platform only
  it('with builder: default named, refuses two platforms naming input "platforms" and the way out, and publishes no tag', async () => {
    const { a } = stack
    const repo = uniqueRepo('field-classic2')
    const { main } = await mainAndPost(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO,
        platforms: 'linux/amd64,linux/arm64',
        builder: 'default'
      },
      classic()
    )
    expect(main.code).toBe(1)
    expect(errors(main)).toEqual([
      expect.stringMatching(/input "platforms"/) as unknown
    ])
    expect(errors(main)[0]).toMatch(/buildx/)
    expect(errors(main)[0]).toMatch(/containerd image store/)
    expect(await publishedTags(a, repo)).toEqual([])
  })
})

describe('the token registry T (Bearer, as Docker Hub and GHCR)', () => {
  const carolInputs = () => ({
    username: stack.t.username,
    password: stack.t.password
  })

  it('publishes with carol, then promotes within T to the same digest without an upload', async () => {
    const { t } = stack
    const repo = `carol/${uniqueRepo('field-token')}`
    const { main } = await mainAndPost(
      { images: `${t.host}/${repo}`, ...carolInputs(), context: HELLO },
      runnerEnv('push-tag')
    )
    expect(errors(main)).toEqual([])
    expect(main.code).toBe(0)
    expect(await tokenPublishedTags(t, repo)).toEqual(['1', '1.2', '1.2.3'])
    const digest = await tokenDigest(t, repo, '1.2.3')
    expect(main.outputs.digest).toBe(digest)
    expect(await tokenDigest(t, repo, '1')).toBe(digest)
    expect(await tokenDigest(t, repo, '1.2')).toBe(digest)

    const target = `stable/${repo}`
    const promote = await mainAndPost(
      {
        mode: 'promote',
        source: `${t.host}/${repo}:1.2.3`,
        images: `${t.host}/${target}`,
        ...carolInputs()
      },
      runnerEnv('push-tag')
    )
    expect(errors(promote.main)).toEqual([])
    expect(promote.main.code).toBe(0)
    expect(await tokenPublishedTags(t, target)).toEqual(['1', '1.2', '1.2.3'])
    expect(await tokenDigest(t, target, '1.2.3')).toBe(digest)
    expect(promote.main.outputs.digest).toBe(digest)
    // within one registry the blobs are mounted, the manifest put by digest:
    // no build, no push, no blob upload
    expect(planOf(promote.main).map(entry => entry.step)).toEqual([
      'source',
      'mount',
      'copy',
      ...Array<string>(5).fill('read'),
      'revision',
      'withdrawn',
      'recheck',
      ...Array<string>(3).fill('tag'),
      ...Array<string>(4).fill('read-back'),
      ...Array<string>(2).fill('repair'),
      // the source's OCI 1.1 referrers, signatures and attestations, when it has any
      'referrers',
      'carry'
    ])
    expect(
      executedLines(promote.main, ['build', 'push', 'mount', 'copy'])
    ).toEqual([
      expect.stringMatching(/^mount {5}POST .*\/blobs\/uploads\/\?mount=/),
      expect.stringMatching(/^copy {6}PUT /)
    ])
  })

  it('refuses dave outside dave/, naming the registry, the repository and the missing permission, with no floating tag', async () => {
    const { t } = stack
    const repo = `carol/${uniqueRepo('field-dave')}`
    const { main } = await mainAndPost(
      {
        images: `${t.host}/${repo}`,
        username: t.reader.username,
        password: t.reader.password,
        context: HELLO
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(1)
    const [error] = errors(main)
    expect(error).toContain(`registry ${t.host}: user "${t.reader.username}"`)
    expect(error).toContain(
      `may not push to repository ${repo}: the login works, the permission is missing (insufficient_scope)`
    )
    const tags = await tokenPublishedTags(t, repo)
    expect(tags).not.toContain('1')
    expect(tags).not.toContain('1.2')
  })
})

describe('failed and cancelled runs leave no credential', () => {
  const killed: RunningStep[] = []
  afterAll(() => {
    for (const step of killed)
      if (step.child.exitCode === null) step.child.kill('SIGKILL')
  })

  /** After post: the run folder gone, no password under RUNNER_TEMP, the user's config as it was. */
  async function expectNoCredentialLeft(
    main: StepResult,
    env: Record<string, string>,
    before: string
  ): Promise<void> {
    const tempDir = runTempDir(main)
    expect(tempDir.startsWith(main.dir)).toBe(true)
    const post = await runPost(main, env)
    expect(post.code).toBe(0)
    expect(existsSync(tempDir)).toBe(false)
    expect(filesContaining(main.dir, secretForms(stack.a))).toEqual([])
    expect(configBytes(env.DOCKER_CONFIG)).toBe(before)
  }

  it('a build that fails after the login', async () => {
    const { a } = stack
    const env = runnerEnv('push-tag')
    const before = configBytes(env.DOCKER_CONFIG)
    const main = await runMain(
      {
        images: `${a.host}/${uniqueRepo('field-broken')}`,
        ...credentials(a),
        context: 'test/fixtures/contexts/broken'
      },
      env
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toContain('::group::Log in')
    expect(main.stdout).toMatch(/::error::the build failed/)
    // main removed its own folder, the login in it: nothing left for post
    expect(existsSync(runTempDir(main))).toBe(false)
    await expectNoCredentialLeft(main, env, before)
  })

  it('a run killed with SIGTERM in the middle of its build', async () => {
    const { a } = stack
    const env = runnerEnv('push-tag')
    const before = configBytes(env.DOCKER_CONFIG)
    const context = mkdtempSync(join(tmpdir(), 'dpa-slow-'))
    writeFileSync(
      join(context, 'Dockerfile'),
      `FROM local/busybox:latest\nRUN sleep 8 && echo ${uniqueRepo('x')} > /x\n`
    )
    const running = startMain(
      {
        images: `${a.host}/${uniqueRepo('field-killed')}`,
        ...credentials(a),
        context
      },
      env
    )
    killed.push(running)
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (running.stdout().includes('RUN sleep')) {
          clearInterval(timer)
          resolve()
        } else if (running.child.exitCode !== null) {
          clearInterval(timer)
          reject(new Error(`main ended first:\n${running.stdout()}`))
        }
      }, 50)
    })
    expect(running.stdout()).toContain('::group::Log in')
    // the login is in the run's own config while the build runs
    const state = parseFileCommands(
      readFileSync(join(running.dir, 'state'), 'utf8')
    )
    const tempDir = (JSON.parse(state['docker-publish']) as { tempDir: string })
      .tempDir
    expect(filesContaining(tempDir, secretForms(a)).length).toBeGreaterThan(0)
    running.child.kill('SIGTERM')
    const main = await running.result
    expect(main.code).not.toBe(0)
    expect(main.stdout).not.toContain('::group::Read the registry')
    await expectNoCredentialLeft(main, env, before)
  })
})
