/**
 * The stack's second dockerd, with the classic image store (containerd
 * snapshotter off), as on a GitHub-hosted runner without setup-buildx:
 * buildx's `docker` driver pushes one platform but refuses several.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readManifest } from './registry-api.js'
import { uniqueRepo } from './steps.js'
import { runDocker } from '../support/docker-cli.js'
import { stackEnv } from '../support/stack-env.js'

jest.setTimeout(60_000)

const { a: A, classicDockerHost } = stackEnv()
const HELLO = 'test/fixtures/contexts/hello'

/** A private docker config logged in to registry A, for the classic daemon. */
let env: Record<string, string>

beforeAll(async () => {
  env = {
    DOCKER_HOST: classicDockerHost,
    DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'dpa-classic-'))
  }
  const login = await runDocker(
    ['login', A.host, '--username', A.username, '--password-stdin'],
    { env, input: A.password }
  )
  if (login.code !== 0) {
    throw new Error(`docker login ${A.host} failed: ${login.stderr}`)
  }
})

describe('the classic-store dockerd', () => {
  it('uses a classic storage driver, not the containerd snapshotter', async () => {
    const info = await runDocker(
      ['info', '--format', '{{.Driver}} {{json .DriverStatus}}'],
      { env }
    )
    expect(info.code).toBe(0)
    expect(info.stdout).toMatch(/^(overlay2|fuse-overlayfs|vfs) /)
    expect(info.stdout).not.toContain('io.containerd.snapshotter')
  })

  it('has the stack base image', async () => {
    const image = await runDocker(
      ['image', 'inspect', 'local/busybox:latest'],
      {
        env
      }
    )
    expect(image.code).toBe(0)
  })

  it('builds and pushes one platform with buildx', async () => {
    const repo = uniqueRepo('classic')
    const metadata = join(env.DOCKER_CONFIG, 'metadata.json')
    const build = await runDocker(
      [
        'buildx',
        'build',
        '--platform',
        'linux/amd64',
        '--push',
        '--metadata-file',
        metadata,
        '--tag',
        `${A.host}/${repo}:1`,
        HELLO
      ],
      { env, retryRegistry500: true }
    )
    expect(build.stderr).not.toMatch(/^ERROR/m)
    expect(build.code).toBe(0)
    const pushed = JSON.parse(readFileSync(metadata, 'utf8')) as Record<
      string,
      string
    >
    const manifest = await readManifest(A, repo, '1')
    expect(manifest.digest).toBe(pushed['containerimage.digest'])
    expect(manifest.platforms).toEqual([])
  })

  it('refuses a two-platform build (docker driver without the containerd store)', async () => {
    const build = await runDocker(
      [
        'buildx',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--push',
        '--tag',
        `${A.host}/${uniqueRepo('classic')}:1`,
        HELLO
      ],
      { env }
    )
    expect(build.code).toBe(1)
    expect(build.stderr).toContain(
      'ERROR: Multi-platform build is not supported for the docker driver.'
    )
  })
})
