/** Part 2: a full publish of four tags by the action against the bare docker CLI. */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { checkTags, publishInputs, runAction } from './action.js'
import { bareDockerPublish } from './docker-cli.js'
import { dockerHostEnv, tagPushEnv } from './event.js'
import { requireDist, requireStack } from './host.js'
import { CPU_METHOD, measure, type Cost } from './proc.js'
import { medianRatio, printTable, ratio, spread } from './report.js'

type Side = 'action' | 'docker'

interface Sample {
  total: Cost
  /** The action's post step alone (zero for bare docker). */
  post: Cost
  /** Labels and annotations the build set (none for bare docker). */
  metadata: number[]
}

const lines = (text = ''): number => text.split('\n').filter(Boolean).length

const add = (a: Cost, b: Cost): Cost => ({
  wallMs: a.wallMs + b.wallMs,
  cpuMs: a.cpuMs + b.cpuMs
})

async function actionOnce(
  image: string,
  registry: StackRegistry,
  dockerConfig: string
): Promise<Sample> {
  const env = { ...tagPushEnv(), DOCKER_CONFIG: dockerConfig }
  const run = await runAction(publishInputs(image, registry), env)
  checkTags(run.main)
  const { labels, annotations } = run.main.outputs
  return {
    total: add(run.mainCost, run.postCost),
    post: run.postCost,
    metadata: [lines(labels), lines(annotations)]
  }
}

async function dockerOnce(
  image: string,
  registry: StackRegistry,
  dockerConfig: string
): Promise<Sample> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...dockerHostEnv()
  }
  const { cost } = await measure(() =>
    bareDockerPublish(image, registry, { ...env, DOCKER_CONFIG: dockerConfig })
  )
  return { total: cost, post: { wallMs: 0, cpuMs: 0 }, metadata: [0, 0] }
}

/** One publish by one side to a repository nobody used, in a private DOCKER_CONFIG. */
async function publishOnce(
  side: Side,
  repository: string,
  registry: StackRegistry
): Promise<Sample> {
  const dockerConfig = mkdtempSync(join(tmpdir(), 'dpa-bench-docker-'))
  const image = `${registry.host}/${repository}`
  try {
    return await (side === 'action' ? actionOnce : dockerOnce)(
      image,
      registry,
      dockerConfig
    )
  } finally {
    rmSync(dockerConfig, { recursive: true, force: true })
  }
}

function printNotes(action: Sample): void {
  const [labels, annotations] = action.metadata
  for (const note of [
    `CPU: ${CPU_METHOD}; daemon-side CPU (dockerd, buildkit, registry) is not counted`,
    'each run pushes to a fresh repository; the build cache is shared by both sides (one unmeasured pair warms it)',
    "both sides build with buildx's default attestations (on the containerd store a provenance manifest: an index of 2 manifests, 4 blobs)",
    `the action sets ${labels} labels + ${annotations} annotations (a created date: a new image config each run); bare docker sets none`
  ])
    console.log(`  ${note}`)
}

function printResults(runs: number, samples: Record<Side, Sample[]>): void {
  const wall = (s: Sample[]) => s.map(sample => sample.total.wallMs)
  const cpu = (s: Sample[]) => s.map(sample => sample.total.cpuMs)
  const { action, docker } = samples
  const post = action.map(sample => sample.post)
  console.log(`  ${runs} pairs (order alternates), median (min–max)`)
  printTable([
    ['', 'wall', 'client CPU'],
    ['action (main + post)', spread(wall(action)), spread(cpu(action))],
    [
      '  of which post step',
      spread(post.map(c => c.wallMs)),
      spread(post.map(c => c.cpuMs))
    ],
    ['bare docker (3 cmds)', spread(wall(docker)), spread(cpu(docker))],
    [
      'ratio action/docker',
      `${ratio(medianRatio(wall(action), wall(docker)))} goal <= 0.90`,
      ratio(medianRatio(cpu(action), cpu(docker)))
    ],
    ["peers' 3-step pipeline", '~2.1x', '~11x']
  ])
  printNotes(action[0])
}

export async function fullPublish(runs: number): Promise<void> {
  requireDist('dist/index.js', 'dist/post/index.js')
  const registry = await requireStack()
  const prefix = `bench/app-${randomBytes(3).toString('hex')}`
  const samples: Record<Side, Sample[]> = { action: [], docker: [] }
  // i = -1 is the warm-up pair, not counted
  for (let i = -1; i < runs; i++) {
    const order: Side[] =
      i % 2 === 0 ? ['action', 'docker'] : ['docker', 'action']
    for (const side of order) {
      const repository = `${prefix}-${side}-${i + 1}`
      const sample = await publishOnce(side, repository, registry)
      if (i >= 0) samples[side].push(sample)
    }
  }
  printResults(runs, samples)
}
