/**
 * On containerd's image store the build is exported as a layout: a big
 * layer goes up while buildx still writes it, once, and the layout's upload
 * afterwards finds it there. Judged through a proxy that logs every request.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runDocker } from '../support/docker-cli.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { stackEnv } from '../support/stack-env.js'
import { publishedTags, readManifest } from './registry-api.js'
import { runMain } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'

const { a: A } = stackEnv()
const MB = 24
const context = mkdtempSync(join(tmpdir(), 'dpa-early-'))
let proxy: FaultProxy

beforeAll(async () => {
  // a layer of its own each run (random bytes stay 24 MB gzipped), built
  // once so the action's build is the export alone
  writeFileSync(
    join(context, 'Dockerfile'),
    `FROM local/busybox\nRUN echo ${randomBytes(6).toString('hex')} > /id && head -c ${MB}m /dev/urandom > /f\n`
  )
  await runDocker(['buildx', 'build', '--provenance=false', '-q', context])
  proxy = await startFaultProxy({ target: A.host })
})

afterAll(async () => {
  await proxy.close()
  rmSync(context, { recursive: true, force: true })
})

describe('a big layer on the containerd store', () => {
  it('goes up while buildx writes it, is sent once, and the release lands exactly', async () => {
    const repo = uniqueRepo('early')
    const main = await runMain(
      {
        images: `${proxy.host}/${repo}`,
        logins: loginsFor({ ...A, host: proxy.host }),
        context
      },
      runnerEnv('push-tag')
    )
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(A, repo)).toEqual(['1', '1.2', '1.2.3'])
    const manifest = await readManifest(A, repo, '1.2.3')
    expect(main.outputs.digest).toBe(manifest.digest)

    const { requests } = proxy
    const session = (path: string) =>
      /\/blobs\/uploads\/([^/?]+)/.exec(path)?.[1] ?? ''
    // the layer: the upload sent in PATCH chunks, closed by a PUT naming its digest
    const patched = new Set(
      requests.filter(r => r.method === 'PATCH').map(r => session(r.path))
    )
    const closings = requests.filter(
      r => r.method === 'PUT' && patched.has(session(r.path))
    )
    expect(closings).toHaveLength(1)
    const at = requests.indexOf(closings[0])
    const digest = decodeURIComponent(
      /[?&]digest=([^&]+)/.exec(closings[0].path)?.[1] ?? ''
    )
    expect(closings[0].outcome).toBe(201)
    const chunks = requests.filter(
      r => r.method === 'PATCH' && session(r.path) === session(closings[0].path)
    )
    expect(chunks.length).toBeGreaterThan(1)
    // the layout's upload, after the build, asks for the layer and finds it
    const heads = requests
      .slice(at + 1)
      .filter(r => r.method === 'HEAD' && r.path.endsWith(`/blobs/${digest}`))
    expect(heads.map(r => r.outcome)).toEqual([200])
    // before the closing PUT, the run had not logged its upload step yet:
    // the layer went up during the build
    expect(
      requests
        .slice(0, at)
        .some(r => r.method === 'PUT' && r.path.includes('/manifests/'))
    ).toBe(false)
    // every byte once: the blob upload bodies are the image's unique blobs
    expect(proxy.blobUploadBytes).toBeLessThan((MB + 2) * 2 ** 20)
    // the summary counts the layer as uploaded, not as already there, and
    // says it went during the build
    expect(main.summary).toMatch(
      /Upload: \d+\.\d s, 2\d\.\d MB of it during the build/
    )
    expect(main.summary).toMatch(/\| 2\d\.\d MB \| 0 B \| 0 B \| 2\d\.\d MB \|/)
  })

  it('refused while buildx writes it, the layer goes up with the layout afterwards', async () => {
    const repo = uniqueRepo('early-refused')
    // the first chunk refused for good (no retry mends a 403): the early upload gives up
    proxy.setFaults([
      { kind: 'status', status: 403, times: 1, match: { method: 'PATCH' } }
    ])
    proxy.resetCounters()
    const main = await runMain(
      {
        images: `${proxy.host}/${repo}`,
        logins: loginsFor({ ...A, host: proxy.host }),
        context
      },
      runnerEnv('push-tag')
    )
    proxy.setFaults([])
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(A, repo)).toEqual(['1', '1.2', '1.2.3'])
    const { requests } = proxy
    const refused = requests.findIndex(
      r => r.method === 'PATCH' && r.outcome === 403
    )
    expect(refused).toBeGreaterThanOrEqual(0)
    // after the refusal, the layout's upload puts the layer whole, once
    const puts = requests
      .slice(refused + 1)
      .filter(r => r.method === 'PUT' && /[?&]digest=/.test(r.path))
    expect(puts.length).toBeGreaterThan(0)
    expect(puts.map(r => r.outcome)).toEqual(puts.map(() => 201))
    // the refused chunk never reached the registry: the layer went whole, once
    expect(proxy.blobUploadBytes).toBeGreaterThan(MB * 2 ** 20)
    expect(proxy.blobUploadBytes).toBeLessThan((MB + 2) * 2 ** 20)
    expect(
      requests.some(r => r.method === 'PUT' && r.path.includes('/manifests/'))
    ).toBe(true)
  })
})
