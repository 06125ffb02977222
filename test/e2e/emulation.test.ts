/**
 * Two platforms with a `RUN` on each, in one step on a stock runner (issue 37):
 * Docker 28.5's classic store, no builder set up, no emulation installed. The
 * step sees that its builder does not run linux/arm64 (`buildx inspect`),
 * installs QEMU as docker/setup-qemu-action does (`docker run --rm --privileged
 * <binfmt image> --install arm64`), says so in the plan and the log, and builds
 * on its own docker-container builder. The plan shows the default, Docker Hub's
 * image pinned by digest; the runs give `qemu` and `buildkit-image` the stack's
 * stand-ins by digest from registry A (scripts/stack/lib/stand-ins.sh: binfmt
 * built from Debian's qemu-user-static, BuildKit compiled offline); the arm64 image's
 * layer, read from the registry, holds `uname -m` = aarch64. A second run finds
 * the handler and installs nothing. The dry run plans the install and installs
 * nothing.
 *
 * binfmt_misc handlers are kernel-wide and other tests share this machine: the
 * test first asserts none is there, and removes every one when it ends (also on
 * failure), so the window with one installed is the two runs.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { extract } from 'tar-stream'
import { BUILDERS, HAS_DOCKER_29, fieldCliEnv } from '../support/builders.js'
import {
  startPrivateEngine,
  type PrivateEngine
} from '../support/private-engine.js'
import { ecrStackRegistry, stackEnv } from '../support/stack-env.js'
import { readJson, readManifest } from './registry-api.js'
import { errorLines } from './releases.js'
import { runMain, runPost, type StepResult } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'

jest.setTimeout(300_000)

const BINFMT_MISC = '/proc/sys/fs/binfmt_misc'
const { a, emulation, field } = stackEnv()
/** setup-qemu-action's image, pinned by digest: the default, as the plan lists it. */
const INSTALL =
  'docker run --rm --privileged docker.io/tonistiigi/binfmt:latest@sha256:' +
  '400a4873b838d1b89194d982c45e5fb3cda4593fbfd7e08a02e76b03b21166f0 --install arm64'
/**
 * The install as docker ran it (@actions/exec's `[command]` line), not as the plan lists it: the
 * stack's stand-in by digest from registry A, which the runs give `qemu` in place of Docker Hub's.
 */
const RAN_INSTALL = new RegExp(
  String.raw`\[command\]\S*docker run --rm --privileged ` +
    `${emulation.standIns.binfmt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --install arm64`
)

/** The handlers registered in the kernel (binfmt_misc's files but its own two). */
function handlers(): string[] {
  if (!existsSync(join(BINFMT_MISC, 'status')))
    throw new Error(`stack.sh up did not mount binfmt_misc at ${BINFMT_MISC}`)
  return readdirSync(BINFMT_MISC).filter(
    name => name !== 'register' && name !== 'status'
  )
}

beforeAll(() => {
  // a handler left by someone else would make the first run install nothing
  const present = handlers()
  if (present.length > 0)
    throw new Error(
      `binfmt_misc handlers already installed: ${present.join(', ')}`
    )
})

/** Removes every handler: each one there was installed by this file (see beforeAll). */
function removeHandlers(): void {
  for (const name of handlers()) writeFileSync(join(BINFMT_MISC, name), '-1')
}

afterAll(removeHandlers)

/** A runner on Docker 28.5's classic store with its 28.5 CLI, as a stock runner. */
function stockRunner(): Record<string, string> {
  const runner = runnerEnv('push-tag')
  const builder = BUILDERS.find(b => b.name === 'docker 28.5 classic store')
  return { ...runner, ...builder!.use(runner.DOCKER_CONFIG).env }
}

/** The two-platform release of the emulated fixture to `repo`, main and post, on `env`'s runner. */
async function release(
  repo: string,
  more: Record<string, string | undefined> = {},
  env = stockRunner()
): Promise<StepResult> {
  const main = await runMain(
    {
      images: `${a.host}/${repo}`,
      ...credentials(a),
      context: 'test/fixtures/contexts/emulated',
      'build-args': `BASE=${emulation.base}`,
      platforms: 'linux/amd64,linux/arm64',
      // auto, from the stand-ins pinned by digest (the defaults are Docker Hub's)
      qemu: emulation.standIns.binfmt,
      'buildkit-image': emulation.standIns.buildkit,
      ...more
    },
    env
  )
  await runPost(main, env)
  return main
}

interface Manifest {
  manifests?: { digest: string; platform?: { architecture: string } }[]
  layers?: { digest: string }[]
}

/** The file `/arch` as the platform's top layer holds it, read from the registry. */
async function archFile(repo: string, tag: string, arch: string) {
  const index = await readJson<Manifest>(a, repo, `manifests/${tag}`)
  const entry = index.manifests?.find(m => m.platform?.architecture === arch)
  if (entry === undefined) throw new Error(`${repo}:${tag} has no ${arch}`)
  const manifest = await readJson<Manifest>(
    a,
    repo,
    `manifests/${entry.digest}`
  )
  const top = manifest.layers?.at(-1)?.digest ?? ''
  const response = await fetch(`http://${a.host}/v2/${repo}/blobs/${top}`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`
    }
  })
  const tar = gunzipSync(Buffer.from(await response.arrayBuffer()))
  return new Promise<string>((resolve, reject) => {
    let found = ''
    const files = extract()
    files.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: unknown) => {
        chunks.push(chunk as Buffer)
      })
      stream.on('end', () => {
        if (header.name.replace(/^\.?\//, '') === 'arch')
          found = Buffer.concat(chunks).toString().trim()
        next()
      })
    })
    files.on('finish', () => resolve(found))
    files.on('error', reject)
    files.end(tar)
  })
}

describe('two platforms with RUN on a stock runner (Docker 28.5 classic store, no builder, no QEMU)', () => {
  it('the dry run plans the install and installs nothing', async () => {
    const run = await release(uniqueRepo('emulation'), {
      'dry-run': 'true',
      qemu: undefined
    })
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    const plan = JSON.parse(run.outputs.plan) as { argv?: string[] }[]
    expect(plan.map(step => step.argv?.join(' '))).toContain(
      INSTALL.replace(/^docker /, '')
    )
    expect(handlers()).toEqual([])
  })

  it('installs QEMU for arm64, says so, and RUNs on arm64; a second run installs nothing', async () => {
    const repo = uniqueRepo('emulation')
    const first = await release(repo)
    expect(errorLines(first.stdout)).toEqual([])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(
      /Emulation: docker-publish-\S+ runs linux\/amd64, .*; QEMU for arm64 is installed/
    )
    expect(first.stdout).toMatch(RAN_INSTALL)
    expect(handlers()).toEqual(['qemu-aarch64'])
    expect((await readManifest(a, repo, '1.2.3')).platforms).toEqual([
      'linux/amd64',
      'linux/arm64'
    ])
    expect(await archFile(repo, '1.2.3', 'arm64')).toBe('aarch64')
    expect(await archFile(repo, '1.2.3', 'amd64')).toBe('x86_64')

    const second = await release(uniqueRepo('emulation'))
    expect(errorLines(second.stdout)).toEqual([])
    expect(second.code).toBe(0)
    // the plan's step, not run, and why
    expect(second.stdout).toMatch(
      /emulation docker run .* --install arm64 — none installed: docker-publish-\S+ already runs linux\/arm64/
    )
    expect(second.stdout).not.toMatch(RAN_INSTALL)
    expect(handlers()).toEqual(['qemu-aarch64'])
  })
})

/**
 * dockerd's BuildKit asks the kernel which platforms it runs once, the first time its builder is
 * asked, and keeps that list until dockerd restarts (observed on Docker 26.1, 28.5 and 29.4, both
 * stores): a handler removed afterwards (binfmt_misc remounted, the handlers cleared) leaves
 * linux/arm64 listed. A private engine (containerd store, where the docker driver builds two
 * platforms; 29.4 with its CLI and buildx 0.36, 28.5's where the stack runs no 29, Debian's 26.1
 * with buildx 0.13) is asked while the
 * stand-in's handler is there, then the handler is removed: the window with it installed is one
 * `buildx inspect`.
 */
describe.each([
  HAS_DOCKER_29
    ? { engineName: 'Docker 29.4', version: '29.4' as const }
    : { engineName: 'Docker 28.5', version: '28.5' as const },
  { engineName: 'Docker 26.1', version: '26.1' as const }
])(
  "$engineName's docker driver keeps a stale list: handlers removed after its BuildKit listed arm64",
  ({ version }) => {
    let engine: PrivateEngine | undefined
    const cli = {
      '26.1': 'docker',
      '28.5': join(field.bin, 'docker'),
      '29.4': join(stackEnv().field29?.bin ?? '', 'docker')
    }[version]
    const docker = (...args: string[]) =>
      execFileSync(cli, ['-H', engine!.host, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe']
      })

    beforeAll(async () => {
      engine = await startPrivateEngine({
        hosts: {},
        extraCa: ecrStackRegistry().ca,
        containerdStore: true,
        version
      })
      // the stand-in, from the stack's 28.5 engine of the same store
      execFileSync('sh', [
        '-c',
        'docker -H "$1" save "$3" | docker -H "$2" load -q',
        'sh',
        field.containerdDockerHost,
        engine.host,
        emulation.binfmtImage
      ])
      try {
        docker(
          'run',
          '--rm',
          '--privileged',
          emulation.binfmtImage,
          '--install',
          'arm64'
        )
        docker('buildx', 'inspect', 'default')
      } finally {
        removeHandlers()
      }
    })

    afterAll(async () => {
      await engine?.stop()
    })

    it('the step installs QEMU though the builder lists arm64, and the arm64 RUN runs as aarch64', async () => {
      // the bug's condition: no handler, and the builder still lists linux/arm64
      expect(handlers()).toEqual([])
      expect(docker('buildx', 'inspect', '--bootstrap', 'default')).toMatch(
        /^Platforms:.*linux\/arm64/m
      )
      const repo = uniqueRepo('emulation-stale')
      const runner = runnerEnv('push-tag')
      const env = {
        ...runner,
        ...(version === '26.1'
          ? {}
          : fieldCliEnv(runner.DOCKER_CONFIG, version)),
        DOCKER_HOST: engine!.host
      }
      const main = await release(repo, {}, env)
      expect(errorLines(main.stdout)).toEqual([])
      expect(main.code).toBe(0)
      expect(main.stdout).toMatch(
        /Emulation: default runs linux\/amd64, [^;]*\(it lists linux\/arm64 too, which this machine's kernel has no binfmt_misc handler for now\); QEMU for arm64 is installed/
      )
      expect(main.stdout).toMatch(RAN_INSTALL)
      expect((await readManifest(a, repo, '1.2.3')).platforms).toEqual([
        'linux/amd64',
        'linux/arm64'
      ])
      expect(await archFile(repo, '1.2.3', 'arm64')).toBe('aarch64')
      expect(await archFile(repo, '1.2.3', 'amd64')).toBe('x86_64')
    })
  }
)
