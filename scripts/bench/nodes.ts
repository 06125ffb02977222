/**
 * Part 9: scale out (issue 29). A two-platform release whose build takes
 * seconds of CPU per platform (a cross-compiling stage: it runs on the
 * build platform for each target) on the stack's builder of two nodes
 * against one node (the same buildkitd alone). Both nodes share this
 * machine's CPUs, and BuildKit's RUN containers do not keep a `taskset` of
 * their daemon (Cpus_allowed_list stays 0-1), so the figure shows what the
 * side-by-side builds cost here, not what two machines gain. Then the
 * builder the step makes for two platforms on Docker 28.5's classic store:
 * its setup and removal, as the step's log tells them.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registryBase } from '../../test/support/app-commits.js'
import { BUILDERS, type StackBuilder } from '../../test/support/builders.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { runAction } from './action.js'
import { HELLO, tagPushEnv } from './event.js'
import { requireDist, requireStack } from './host.js'
import { Skip } from './part.js'
import { printTable, ratio } from './report.js'

const PLATFORMS = 'linux/amd64,linux/arm64'
/** MB hashed per platform: about 3 s of one CPU here. */
const HASHED_MB = 300

/** A context whose build stage hashes HASHED_MB on the build platform, once per target. */
function crossCompiling(base: string): string {
  const nonce = randomBytes(6).toString('hex')
  const dir = mkdtempSync(join(tmpdir(), 'dpa-bench-nodes-'))
  const dockerfile = [
    `FROM --platform=$BUILDPLATFORM ${base} AS build`,
    'ARG TARGETPLATFORM',
    `RUN echo ${nonce} $TARGETPLATFORM && dd if=/dev/zero bs=1M count=${HASHED_MB} 2>/dev/null | sha256sum > /out`,
    'FROM scratch',
    'COPY --from=build /out /out',
    ''
  ]
  writeFileSync(join(dir, 'Dockerfile'), dockerfile.join('\n'))
  return dir
}

function builder(name: string): StackBuilder {
  const found = BUILDERS.find(b => b.name === name)
  if (found === undefined) throw new Skip(`no builder "${name}" in the stack`)
  return found
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const median = (values: number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]

/** One two-platform release on `on`, its wall time. */
async function release(
  on: StackBuilder,
  registry: StackRegistry,
  inputs: Record<string, string>
): Promise<{ wallMs: number; stdout: string }> {
  const DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'dpa-bench-config-'))
  const use = on.use(DOCKER_CONFIG)
  const name = `${registry.host}/bench/nodes-${randomBytes(4).toString('hex')}`
  try {
    const run = await runAction(
      {
        images: name,
        username: registry.username,
        password: registry.password,
        platforms: PLATFORMS,
        provenance: 'false',
        ...use.inputs,
        ...inputs
      },
      { ...tagPushEnv(), DOCKER_CONFIG, ...use.env }
    )
    return { wallMs: run.mainCost.wallMs, stdout: run.main.stdout }
  } finally {
    rmSync(DOCKER_CONFIG, { recursive: true, force: true })
    if (inputs.context !== HELLO)
      rmSync(inputs.context, { recursive: true, force: true })
  }
}

async function twoNodesAgainstOne(
  registry: StackRegistry,
  runs: number
): Promise<void> {
  const base = registryBase(registry)
  const one = builder('remote unix')
  const two = builder('two nodes')
  const walls = { one: [] as number[], two: [] as number[] }
  for (let i = 0; i < runs; i++) {
    walls.one.push(
      (await release(one, registry, { context: crossCompiling(base) })).wallMs
    )
    walls.two.push(
      (await release(two, registry, { context: crossCompiling(base) })).wallMs
    )
  }
  const oneMs = median(walls.one)
  const twoMs = median(walls.two)
  console.log(
    `  a release of ${PLATFORMS}, ${HASHED_MB} MB hashed per platform; both nodes on this machine's CPUs; median of ${runs}`
  )
  printTable([
    ['builder', 'step wall', 'runs', 'vs one node'],
    [
      'one node (dpa-remote)',
      seconds(oneMs),
      walls.one.map(seconds).join(' '),
      '1.00×'
    ],
    [
      'two nodes (dpa-two-node)',
      seconds(twoMs),
      walls.two.map(seconds).join(' '),
      ratio(twoMs / oneMs)
    ]
  ])
  console.log(
    '  goal: two nodes ≤ 0.6× one node (needs nodes on machines of their own: not measurable here)'
  )
}

/** The setup and removal times the step logs for the builder it makes. */
function ownBuilderTimes(stdout: string): { setup: string; removal: string } {
  const setup = /builder for this run was set up in ([\d.]+ s)/.exec(stdout)
  const removal = /builder for this run was removed in ([\d.]+ s)/.exec(stdout)
  return {
    setup: setup?.[1] ?? 'not logged',
    removal: removal?.[1] ?? 'not logged'
  }
}

async function ownBuilderCost(
  registry: StackRegistry,
  runs: number
): Promise<void> {
  const classic = builder('docker 28.5 classic store')
  const rows = [['run', 'step wall', 'builder set up', 'builder removed']]
  for (let i = 0; i < runs; i++) {
    const { wallMs, stdout } = await release(classic, registry, {
      context: HELLO
    })
    const { setup, removal } = ownBuilderTimes(stdout)
    rows.push([String(i + 1), seconds(wallMs), setup, removal])
  }
  console.log(
    `  a release of ${PLATFORMS} (the hello context) on Docker 28.5's classic store, no builder input: the step makes a docker-container builder`
  )
  printTable(rows)
  console.log('  goal: set up ≤ 3 s')
}

export async function scaleOut(runs: number): Promise<void> {
  requireDist('dist/index.js')
  const registry = await requireStack()
  await twoNodesAgainstOne(registry, runs)
  await ownBuilderCost(registry, runs)
}
