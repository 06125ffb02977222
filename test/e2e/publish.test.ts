import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { EventName } from '../fixtures/events.js'
import { watchCommandLines } from './proc-watch.js'
import { publishedTags, readJson, readManifest } from './registry-api.js'
import { INDEX_ANNOTATION_KEYS } from './releases.js'
import { ROOT, postRuns, runMain, runPost } from './runner.js'
import {
  auths,
  credentials,
  loginsFor,
  runnerEnv,
  uniqueRepo,
  visibleText
} from './steps.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
/** Where Debian's docker-buildx package (the stack's) installs the plugin. */
const SYSTEM_BUILDX = '/usr/libexec/docker/cli-plugins/docker-buildx'
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

describe('publish to the real registries', () => {
  it('publishes a release tag to 1.2.3, 1.2, 1 with the digest the registry holds, and cleans up', async () => {
    const repo = uniqueRepo('release')
    const env = runnerEnv('push-tag')
    const { a } = stack
    const leaks = watchCommandLines(a.password)
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO
      },
      env
    )
    const commandLines = leaks()
    expect(main.stdout + main.stderr).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    // buildx's plugin started directly, from the folder docker finds it in
    expect(main.stdout).toContain(`[command]${SYSTEM_BUILDX} build `)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    const manifest = await readManifest(a, repo, '1.2.3')
    expect(main.outputs.digest).toBe(manifest.digest)
    expect(JSON.parse(main.outputs.pushed)).toEqual(
      ['1.2.3', '1.2', '1'].map(tag => ({
        ref: `${a.host}/${repo}:${tag}`,
        digest: manifest.digest
      }))
    )
    expect((await readManifest(a, repo, '1')).digest).toBe(manifest.digest)
    expect(main.summary).toContain(manifest.digest)
    // the login lived in the run's own docker config, never in the user's,
    // and main removed that folder itself: the post step the runner starts
    // after every job (post-if) finds nothing left
    const saved = JSON.parse(main.state['docker-publish']) as {
      tempDir: string
    }
    expect(saved.tempDir.startsWith(main.dir)).toBe(true)
    expect(existsSync(saved.tempDir)).toBe(false)
    expect(auths(env)).toEqual([])
    // it writes the cache entries a main step leaves on success too
    expect(postRuns('success')).toBe(true)
    expect(postRuns('failure')).toBe(true)
    const post = await runPost(main, env)
    expect(post.code).toBe(0)
    expect(post.stdout).toBe('')
    expect(auths(env)).toEqual([])
    expect(commandLines).toEqual([])
    expect(visibleText(main)).not.toContain(a.password)
  })

  it('publishes the default branch as latest, a two-platform index', async () => {
    const repo = uniqueRepo('latest')
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO,
        platforms: 'linux/amd64,linux/arm64'
      },
      runnerEnv('push-default-branch')
    )
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['latest'])
    const index = await readManifest(a, repo, 'latest')
    expect(index.platforms).toEqual(['linux/amd64', 'linux/arm64'])
    expect(main.outputs.digest).toBe(index.digest)
  })

  it.each<{ name: string; event: EventName; tag: string }>([
    { name: 'a branch', event: 'push-branch', tag: 'tickets-DM-42' },
    { name: 'a pull request', event: 'pull-request', tag: 'pr-42' }
  ])('publishes $name as $tag', async ({ event, tag }) => {
    const repo = uniqueRepo('ref')
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO
      },
      runnerEnv(event)
    )
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual([tag])
  })

  it('publishes two images to two registries with their own credentials in one step', async () => {
    const repo = uniqueRepo('two')
    const { a, b } = stack
    const logins = loginsFor(a, b)
    const env = runnerEnv('push-tag')
    const leaksA = watchCommandLines(a.password)
    const leaksB = watchCommandLines(b.password)
    const main = await runMain(
      {
        images: `${a.host}/${repo}\n${b.host}/${repo}`,
        logins,
        context: HELLO
      },
      env
    )
    expect([...leaksA(), ...leaksB()]).toEqual([])
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(await publishedTags(b, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect((await readManifest(b, repo, '1.2.3')).digest).toBe(
      main.outputs.digest
    )
    // one build, its layout uploaded to each registry: no rebuild, no docker push
    expect(
      main.stdout.match(/\[command\]\S*docker[ -]buildx build /g)
    ).toHaveLength(1)
    expect(main.stdout).not.toMatch(/\[command\]\S*docker push /)
    expect(
      main.stdout.match(/@sha256:[0-9a-f]{64}: .* uploaded, .* mounted/g)
    ).toHaveLength(2)
    await runPost(main, env)
    expect(auths(env)).toEqual([])
    expect(visibleText(main)).not.toContain(a.password)
    expect(visibleText(main)).not.toContain(b.password)
  })

  it('builds without pushing or logging in when push is false, and loads', async () => {
    const repo = uniqueRepo('local')
    const { a } = stack
    const env = runnerEnv('push-branch')
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        context: HELLO,
        push: 'false',
        load: 'true'
      },
      env
    )
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual([])
    expect(auths(env)).toEqual([])
    const ids = execFileSync(
      'docker',
      ['image', 'ls', '-q', `${a.host}/${repo}:tickets-DM-42`],
      {
        encoding: 'utf8'
      }
    )
    expect(ids.trim()).not.toBe('')
    expect(JSON.parse(main.outputs.pushed)).toEqual([])
  })
})

describe('without buildx', () => {
  it('falls back to docker build + docker push, says so, and still orders the tags', async () => {
    const repo = uniqueRepo('classic')
    const { a } = stack
    const env = runnerEnv('push-tag')
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO
      },
      env,
      [join(ROOT, 'test/fixtures/no-buildx/without-buildx.sh')]
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(main.stdout).toMatch(
      /::notice::docker buildx is not available: building with the classic `docker build`/
    )
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(main.outputs.digest).toBe((await readManifest(a, repo, '1')).digest)
  })
})

describe("buildx's plugin, started directly", () => {
  it('runs from the docker config folder, where setup-buildx-action installs it', async () => {
    const repo = uniqueRepo('plugin-dir')
    const { a } = stack
    const env = runnerEnv('push-tag')
    const plugins = join(env.DOCKER_CONFIG, 'cli-plugins')
    mkdirSync(plugins)
    // a copy: inside the launcher's namespace the system folders are empty
    copyFileSync(SYSTEM_BUILDX, join(plugins, 'docker-buildx'))
    chmodSync(join(plugins, 'docker-buildx'), 0o755)
    const main = await runMain(
      { images: `${a.host}/${repo}`, ...credentials(a), context: HELLO },
      env,
      [join(ROOT, 'test/fixtures/no-buildx/without-buildx.sh')]
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    // started through the run's own docker config, whose cli-plugins is yours
    expect(main.stdout).toMatch(
      /\[command\]\S*\/docker-config\/cli-plugins\/docker-buildx build --builder default /
    )
    expect(main.stdout).not.toMatch(/\[command\]\S*docker buildx /)
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
  })
})

describe('push and load together', () => {
  it('pushes a two-platform image and keeps it in the local image store', async () => {
    const repo = uniqueRepo('pushload')
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO,
        platforms: 'linux/amd64,linux/arm64',
        load: 'true'
      },
      runnerEnv('push-branch')
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect((await readManifest(a, repo, 'tickets-DM-42')).platforms).toEqual([
      'linux/amd64',
      'linux/arm64'
    ])
    // the bytes tested locally are the bytes pushed: the same index
    const id = execFileSync(
      'docker',
      [
        'image',
        'inspect',
        '--format',
        '{{.Id}}',
        `${a.host}/${repo}:tickets-DM-42`
      ],
      { encoding: 'utf8' }
    )
    expect(id.trim()).toBe(main.outputs.digest)
    expect(await publishedTags(a, repo)).toEqual(['tickets-DM-42'])
  })
})

describe('clear failures', () => {
  it('says the registry refused the credentials, and pushes nothing', async () => {
    const repo = uniqueRepo('badpw')
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        username: a.username,
        password: 'not-the-password',
        context: HELLO
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(
      new RegExp(
        `::error::registry ${a.host.replace(/\./g, '\\.')} refused the credentials: wrong username or password`
      )
    )
    expect(await publishedTags(a, repo)).toEqual([])
  })

  it('names the registry that is down', async () => {
    const main = await runMain(
      {
        images: '127.0.0.1:5999/team/app',
        username: 'u',
        password: 'p',
        context: HELLO
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(
      /::error::registry 127\.0\.0\.1:5999 is unreachable \(.*connection refused/
    )
  })

  it("shows the tail of buildx's own error when the build fails", async () => {
    const repo = uniqueRepo('broken')
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: 'test/fixtures/contexts/broken'
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(/::error::the build failed:.*not found/)
    expect(await publishedTags(a, repo)).toEqual([])
  })

  it('says the Dockerfile is missing, before any docker command', async () => {
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${uniqueRepo('nofile')}`,
        ...credentials(a),
        context: HELLO,
        file: 'Nope.Dockerfile'
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(
      /::error::input "file": invalid value "Nope\.Dockerfile": expected the path of a Dockerfile/
    )
    expect(main.stdout).not.toMatch(/^login /m)
  })

  it('says the Docker daemon is not reachable', async () => {
    const main = await runMain(
      { images: 'ghcr.io/acme/app', context: HELLO, push: 'false' },
      {
        ...runnerEnv('push-tag'),
        DOCKER_HOST: 'unix:///nonexistent/docker.sock'
      }
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(/::error::the Docker daemon is not reachable/)
  })

  it('says docker is missing from PATH', async () => {
    const main = await runMain(
      { images: 'ghcr.io/acme/app', context: HELLO, push: 'false' },
      { ...runnerEnv('push-tag'), PATH: '/nonexistent' }
    )
    expect(main.code).toBe(1)
    expect(main.stdout).toMatch(/::error::the docker CLI was not found on PATH/)
  })
})

describe("the index's own annotations, as GHCR reads them", () => {
  const INDEX_KEYS = INDEX_ANNOTATION_KEYS
  const indexAnnotations = async (repo: string, tag: string) =>
    (
      await readJson<{ annotations?: Record<string, string> }>(
        stack.a,
        repo,
        `manifests/${tag}`
      )
    ).annotations ?? {}

  it('a two-platform release: its index carries the description, source, licenses, revision, version and created of the labels', async () => {
    const repo = uniqueRepo('index-annotations')
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO,
        platforms: 'linux/amd64,linux/arm64'
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(0)
    const labels = Object.fromEntries(
      main.outputs.labels.split('\n').map(line => {
        const eq = line.indexOf('=')
        return [line.slice(0, eq), line.slice(eq + 1)]
      })
    )
    const annotations = await indexAnnotations(repo, '1.2.3')
    expect(
      Object.fromEntries(INDEX_KEYS.map(key => [key, annotations[key]]))
    ).toEqual(Object.fromEntries(INDEX_KEYS.map(key => [key, labels[key]])))
    expect(annotations['org.opencontainers.image.source']).toBe(
      'https://github.com/acme/webapp'
    )
  })

  it('a single-platform image without an index (the classic store) is left as it is', async () => {
    const repo = uniqueRepo('no-index')
    const { a } = stack
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO
      },
      runnerEnv('push-tag', { DOCKER_HOST: stack.classicDockerHost })
    )
    expect(main.code).toBe(0)
    expect((await readManifest(a, repo, '1.2.3')).mediaType).toBe(
      'application/vnd.oci.image.manifest.v1+json'
    )
  })
})
