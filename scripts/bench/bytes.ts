/** Part 3: blob bytes the action uploads, counted by the fault proxy (no faults) in front of registry A. */
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../test/e2e/runner.js'
import {
  startFaultProxy,
  type FaultProxy
} from '../../test/support/fault-proxy.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { checkTags, publishInputs, runAction, type Inputs } from './action.js'
import { uniqueBlobBytes } from './blobs.js'
import { HELLO, TAG_NAMES, tagPushEnv } from './event.js'
import { requireDist, requireStack } from './host.js'
import { printTable } from './report.js'

/** Runs the action (main + post) in a private DOCKER_CONFIG. */
async function act(inputs: Inputs) {
  const dockerConfig = mkdtempSync(join(tmpdir(), 'dpa-bench-docker-'))
  try {
    return await runAction(inputs, {
      ...tagPushEnv(),
      DOCKER_CONFIG: dockerConfig
    })
  } finally {
    rmSync(dockerConfig, { recursive: true, force: true })
  }
}

/**
 * The hello context with a hello.txt of its own: a layer no repository has
 * yet, so the engine cannot mount it from an earlier push and must upload it.
 */
function freshHelloContext(dir: string, id: string): string {
  copyFileSync(join(ROOT, HELLO, 'Dockerfile'), join(dir, 'Dockerfile'))
  writeFileSync(join(dir, 'hello.txt'), `hello from the bench run ${id}\n`)
  return dir
}

const bytes = (n: number): string => `${n.toLocaleString('en-US')} B`

/** Blobs the registry mounted from another repository instead of receiving them. */
const mounts = (proxy: FaultProxy): number =>
  proxy.requests.filter(r => /[?&]mount=/.test(r.path) && r.outcome === 201)
    .length

async function publishThrough(
  proxy: FaultProxy,
  registry: StackRegistry,
  repository: string,
  context: string
): Promise<void> {
  const image = `${proxy.host}/${repository}`
  const inputs = { ...publishInputs(image, registry, proxy.host), context }
  checkTags((await act(inputs)).main)
  const pushed = await uniqueBlobBytes(registry, repository, TAG_NAMES)
  const uploaded = proxy.blobUploadBytes
  console.log(`  (a) publish of ${TAG_NAMES.length} tags to ${repository}`)
  printTable([
    ['blob upload bytes', bytes(uploaded)],
    [
      'unique config+layer bytes',
      `${bytes(pushed.bytes)} (${pushed.count} blobs)`
    ],
    ['equal', uploaded === pushed.bytes ? 'yes' : 'no'],
    ['cross-repo mounts', String(mounts(proxy))],
    ['requests through the proxy', String(proxy.requests.length)]
  ])
}

async function promoteThrough(
  proxy: FaultProxy,
  registry: StackRegistry,
  source: string,
  target: string
): Promise<void> {
  console.log(`  (b) promote ${source}:1.2.3 to ${target}`)
  proxy.resetCounters()
  const inputs: Inputs = {
    ...publishInputs(`${proxy.host}/${target}`, registry, proxy.host),
    context: undefined,
    mode: 'promote',
    source: `${proxy.host}/${source}:1.2.3`
  }
  try {
    await act(inputs)
  } catch (error) {
    if (error instanceof Error && /not built yet/.test(error.message)) {
      console.log('  skipped: promote not built yet')
      return
    }
    throw error
  }
  printTable([
    ['blob upload bytes', `${bytes(proxy.blobUploadBytes)}  goal 0`],
    ['cross-repo mounts', String(mounts(proxy))],
    ['requests through the proxy', String(proxy.requests.length)]
  ])
}

export async function bytesUploaded(): Promise<void> {
  requireDist('dist/index.js', 'dist/post/index.js')
  const registry = await requireStack()
  const id = randomBytes(3).toString('hex')
  const base = `bench/bytes-${id}`
  const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-context-'))
  const proxy = await startFaultProxy({ target: registry.host, faults: [] })
  try {
    const context = freshHelloContext(dir, id)
    await publishThrough(proxy, registry, `${base}/app`, context)
    await promoteThrough(proxy, registry, `${base}/app`, `${base}/stable/app`)
  } finally {
    await proxy.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
