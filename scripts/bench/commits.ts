/**
 * Part 7: the second commit of an app whose dependency step takes 4 s, on
 * the docker driver of every engine of the stack: with no settings (no
 * SOURCE_DATE_EPOCH, the default), and with `reproducible: true` (which
 * passes it, as every run did before: BuildKit >= 0.22 keys its cache on it).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  appContext,
  commitEnv,
  ranDependencies
} from '../../test/support/app-commits.js'
import { BUILDERS, type StackBuilder } from '../../test/support/builders.js'
import { runAction } from './action.js'
import { requireDist, requireStack } from './host.js'
import { printTable } from './report.js'
import type { StackRegistry } from '../../test/support/stack-env.js'

const STEP_SECONDS = 4

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Commit 1, then commit 2 timed: its wall time and whether the step ran. */
async function secondCommit(
  builder: StackBuilder,
  registry: StackRegistry,
  inputs: Record<string, string>
): Promise<{ wallMs: number; ran: boolean }> {
  const nonce = randomBytes(6).toString('hex')
  const image = `${registry.host}/bench/commits-${nonce}`
  const run = async (commit: number) => {
    const DOCKER_CONFIG = mkdtempSync(join(tmpdir(), 'dpa-bench-config-'))
    const use = builder.use(DOCKER_CONFIG)
    return runAction(
      {
        images: image,
        username: registry.username,
        password: registry.password,
        context: appContext(nonce, commit, STEP_SECONDS),
        provenance: 'false',
        ...use.inputs,
        ...inputs
      },
      { ...commitEnv(commit), DOCKER_CONFIG, ...use.env }
    )
  }
  await run(1)
  const second = await run(2)
  return {
    wallMs: second.mainCost.wallMs,
    ran: ranDependencies(second.main.stdout)
  }
}

const said = (ran: boolean) => (ran ? 'ran again' : 'CACHED')

export async function secondCommits(): Promise<void> {
  requireDist('dist/index.js')
  const registry = await requireStack()
  const rows = [
    [
      'engine (docker driver)',
      'second commit, no settings',
      'its 4 s step',
      'reproducible: true',
      'its 4 s step'
    ]
  ]
  for (const builder of BUILDERS.filter(b => b.name.startsWith('docker '))) {
    const plain = await secondCommit(builder, registry, {})
    const reproducible = await secondCommit(builder, registry, {
      reproducible: 'true'
    })
    rows.push([
      builder.name,
      seconds(plain.wallMs),
      said(plain.ran),
      seconds(reproducible.wallMs),
      said(reproducible.ran)
    ])
  }
  printTable(rows)
}
