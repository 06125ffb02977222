/**
 * Part 4: what `sign: key` adds to a publish of four tags: wall time, and
 * the bytes and requests through the fault proxy (no faults) in front of
 * registry A. The key is the cosign.key fixture (cosign's own format: its
 * scrypt costs what a user's cosign.key costs).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../test/e2e/runner.js'
import {
  startFaultProxy,
  type FaultProxy
} from '../../test/support/fault-proxy.js'
import type { StackRegistry } from '../../test/support/stack-env.js'
import { checkTags, publishInputs, runAction, type Inputs } from './action.js'
import { tagPushEnv } from './event.js'
import { requireDist, requireStack } from './host.js'
import { median, printTable, spread } from './report.js'

type Side = 'unsigned' | 'signed'

interface Sample {
  wallMs: number
  uploadBytes: number
  requests: number
  manifestPuts: number
}

const KEY = {
  sign: 'key',
  'signing-key': readFileSync(
    join(ROOT, 'test/fixtures/cosign/cosign.key'),
    'utf8'
  ),
  'signing-password': 'test only'
}

async function publishOnce(
  side: Side,
  proxy: FaultProxy,
  registry: StackRegistry,
  repository: string
): Promise<Sample> {
  const dockerConfig = mkdtempSync(join(tmpdir(), 'dpa-bench-docker-'))
  const inputs: Inputs = {
    ...publishInputs(`${proxy.host}/${repository}`, registry, proxy.host),
    ...(side === 'signed' ? KEY : {})
  }
  proxy.resetCounters()
  try {
    const run = await runAction(inputs, {
      ...tagPushEnv(),
      DOCKER_CONFIG: dockerConfig
    })
    checkTags(run.main)
    if (side === 'signed' && run.main.outputs.verify === '')
      throw new Error('the signed run printed no verify command')
    return {
      wallMs: run.mainCost.wallMs + run.postCost.wallMs,
      uploadBytes: proxy.blobUploadBytes,
      requests: proxy.requests.length,
      manifestPuts: proxy.requests.filter(
        r => r.method === 'PUT' && r.path.includes('/manifests/')
      ).length
    }
  } finally {
    rmSync(dockerConfig, { recursive: true, force: true })
  }
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(0)}`

export async function signingCost(runs: number): Promise<void> {
  requireDist('dist/index.js', 'dist/post/index.js')
  const registry = await requireStack()
  const prefix = `bench/sign-${randomBytes(3).toString('hex')}`
  const proxy = await startFaultProxy({ target: registry.host, faults: [] })
  const samples: Record<Side, Sample[]> = { unsigned: [], signed: [] }
  try {
    // i = -1 is the warm-up pair, not counted
    for (let i = -1; i < runs; i++) {
      const order: Side[] =
        i % 2 === 0 ? ['unsigned', 'signed'] : ['signed', 'unsigned']
      for (const side of order) {
        const sample = await publishOnce(
          side,
          proxy,
          registry,
          `${prefix}-${side}-${i + 1}`
        )
        if (i >= 0) samples[side].push(sample)
      }
    }
  } finally {
    await proxy.close()
  }
  const of = (side: Side, key: keyof Sample) => samples[side].map(s => s[key])
  const added = (key: keyof Sample) =>
    signed(median(of('signed', key)) - median(of('unsigned', key)))
  console.log(`  ${runs} pairs (order alternates), median (min–max)`)
  printTable([
    ['', 'wall', 'blob upload bytes', 'requests', 'manifest PUTs'],
    ...(['unsigned', 'signed'] as const).map(side => [
      side,
      spread(of(side, 'wallMs')),
      String(median(of(side, 'uploadBytes'))),
      String(median(of(side, 'requests'))),
      String(median(of(side, 'manifestPuts')))
    ]),
    [
      'signing adds',
      `${added('wallMs')} ms`,
      `${added('uploadBytes')} B`,
      added('requests'),
      added('manifestPuts')
    ]
  ])
  console.log(
    '  the key is a cosign.key (scrypt N=65536 opens it); an openssl PKCS#8 key opens in under a millisecond'
  )
}
