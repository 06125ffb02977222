/**
 * Part 4: a 64 MB and a 512 MB random layer published by the action (the
 * build exported as a layout and uploaded by digest) against the bare
 * `docker buildx build --push`, both from the same cached build, each pass to
 * a fresh repository; the bytes sent against the unique compressed bytes;
 * a re-run's upload; the action's peak memory while uploading.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFaultProxy } from '../../test/support/fault-proxy.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { checkTags, publishInputs, runAction, type Inputs } from './action.js'
import { uniqueBlobBytes } from './blobs.js'
import { bareDockerPublish } from './docker-cli.js'
import { HELLO, TAG_NAMES, dockerHostEnv, tagPushEnv } from './event.js'
import { requireDist, requireStack } from './host.js'
import { exec, measure } from './proc.js'
import { median, medianRatio, printTable, ratio, spread } from './report.js'
import { watchPeakRss } from './rss.js'

const SIZES_MB = [64, 512]
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const mibSpread = (values: number[]) =>
  `${mib(median(values))} (${values.map(mib).join(', ')})`
const bytes = (n: number) => `${n.toLocaleString('en-US')} B`
const load = () => `load ${loadavg()[0].toFixed(1)}`

/**
 * A context whose one RUN writes `mb` random MB, built once (unmeasured):
 * both sides then push the same cached build. Each context is a new layer:
 * the containerd store remembers where docker pushed a blob and mounts it
 * from there, so a layer docker pushed before is no upload.
 */
async function randomLayerContext(mb: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `dpa-bench-${mb}m-`))
  const id = randomBytes(6).toString('hex')
  writeFileSync(
    join(dir, 'Dockerfile'),
    `FROM local/busybox\nRUN echo ${id} > /id && head -c ${mb}m /dev/urandom > /f\n`
  )
  await exec('docker', ['buildx', 'build', '--provenance=false', '-q', dir])
  return dir
}

async function withDockerConfig<T>(
  work: (env: Record<string, string>) => Promise<T>
) {
  const dockerConfig = mkdtempSync(join(tmpdir(), 'dpa-bench-docker-'))
  try {
    return await work({ DOCKER_CONFIG: dockerConfig })
  } finally {
    rmSync(dockerConfig, { recursive: true, force: true })
  }
}

/** One action publish (main + post): wall ms, the main process's peak RSS, its log. */
async function actionPass(inputs: Inputs) {
  return withDockerConfig(async env => {
    const stop = watchPeakRss('dist/index.js')
    const { value, cost } = await measure(() =>
      runAction(inputs, { ...tagPushEnv(), ...env })
    )
    const peak = stop()
    checkTags(value.main)
    const facts = /Build: .*$/m.exec(value.main.summary)?.[0] ?? ''
    return { wallMs: cost.wallMs, peak, stdout: value.main.stdout, facts }
  })
}

async function dockerPass(
  image: string,
  registry: StackRegistry,
  context: string
) {
  return withDockerConfig(async env => {
    const { cost } = await measure(() =>
      bareDockerPublish(
        image,
        registry,
        {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...dockerHostEnv(),
          ...env
        },
        context
      )
    )
    return cost.wallMs
  })
}

/** The action's own upload line: "<image>@<digest>: X uploaded, Y mounted, Z already there (…)". */
const uploadLine = (stdout: string): string =>
  /@sha256:[0-9a-f]{64}: (.* already there[^\n]*)/.exec(stdout)?.[1] ??
  '(no upload line)'

async function oneSize(
  mb: number,
  floor: number,
  pairs: number,
  registry: StackRegistry,
  prefix: string
) {
  const contexts: string[] = []
  try {
    const action: number[] = []
    const docker: number[] = []
    const peaks: number[] = []
    const facts: string[] = []
    const loads: string[] = []
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? ['action', 'docker'] : ['docker', 'action']
      const context = await randomLayerContext(mb)
      contexts.push(context)
      loads.push(load())
      for (const side of order) {
        const image = `${registry.host}/${prefix}-${mb}m-${side}-${i}`
        if (side === 'docker')
          docker.push(await dockerPass(image, registry, context))
        else {
          const run = await actionPass({
            ...publishInputs(image, registry),
            context
          })
          action.push(run.wallMs)
          peaks.push(run.peak)
          facts.push(run.facts)
        }
      }
    }
    console.log(
      `  ${mb} MB random layer: ${pairs} pairs (order alternates), median (min–max); ${loads.join(', ')}`
    )
    printTable([
      ['', 'wall'],
      ['action (main + post)', spread(action)],
      ['bare docker (login, build --push, logout)', spread(docker)],
      ['ratio action/docker', ratio(medianRatio(action, docker))],
      ['action summary says', facts.join('; ')],
      ['action main: peak RSS', mibSpread(peaks)],
      ['  growth over the hello publish', mibSpread(peaks.map(p => p - floor))]
    ])
    contexts.push(await randomLayerContext(mb))
    await bytesAndRerun(
      mb,
      contexts.at(-1) ?? '',
      registry,
      `${prefix}-${mb}m-bytes`
    )
  } finally {
    for (const dir of contexts) rmSync(dir, { recursive: true, force: true })
  }
}

/** Through the (faultless) proxy: the bytes sent by a first publish, then by its re-run. */
async function bytesAndRerun(
  mb: number,
  context: string,
  registry: StackRegistry,
  repository: string
) {
  const proxy = await startFaultProxy({ target: registry.host, faults: [] })
  try {
    const inputs = {
      ...publishInputs(`${proxy.host}/${repository}`, registry, proxy.host),
      context
    }
    const first = await actionPass(inputs)
    const sent = proxy.blobUploadBytes
    const unique = await uniqueBlobBytes(registry, repository, TAG_NAMES)
    proxy.resetCounters()
    const again = await actionPass(inputs)
    printTable([
      [`${mb} MB: blob bytes sent`, bytes(sent)],
      [
        'unique compressed config+layer bytes',
        `${bytes(unique.bytes)} (${unique.count} blobs)`
      ],
      ['equal', sent === unique.bytes ? 'yes' : 'no'],
      ['first run says', uploadLine(first.stdout)],
      ['re-run: blob bytes sent', bytes(proxy.blobUploadBytes)],
      ['re-run says', uploadLine(again.stdout)]
    ])
  } finally {
    await proxy.close()
  }
}

/** The hello publish's peak RSS: the floor the big layers are compared with. */
async function helloPeak(
  registry: StackRegistry,
  prefix: string
): Promise<number> {
  const run = await actionPass(
    publishInputs(`${registry.host}/${prefix}-hello`, registry)
  )
  return run.peak
}

export async function bigLayers(runs: number): Promise<void> {
  requireDist('dist/index.js', 'dist/post/index.js')
  const registry = await requireStack()
  const prefix = `bench/layers-${randomBytes(3).toString('hex')}`
  const floor = await helloPeak(registry, prefix)
  console.log(
    `  action main's peak RSS publishing the hello image: ${mib(floor)} (${load()}); context ${HELLO}`
  )
  for (const mb of SIZES_MB)
    await oneSize(
      mb,
      floor,
      mb > 100 ? Math.min(runs, 2) : Math.min(runs, 3),
      registry,
      prefix
    )
}
