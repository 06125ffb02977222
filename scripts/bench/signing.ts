/**
 * Part 4: what `sign: key` and `sign: keyless` add to a publish of four
 * tags: wall time, and the bytes and requests through the fault proxy (no
 * faults) in front of registry A. The key is the cosign.key fixture
 * (cosign's own format: its scrypt costs what a user's cosign.key costs);
 * keyless talks to the local stand-ins of GitHub's OIDC issuer, Fulcio and
 * Rekor (test/support/sigstore-standins.ts), whose traffic is not counted.
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
import {
  startStandins,
  type Standins
} from '../../test/support/sigstore-standins.js'
import { checkTags, publishInputs, runAction, type Inputs } from './action.js'
import { tagPushEnv } from './event.js'
import { requireDist, requireStack } from './host.js'
import { median, printTable, spread } from './report.js'

type Side = 'unsigned' | 'key' | 'keyless'
const SIDES: Side[] = ['unsigned', 'key', 'keyless']

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

/** The signing inputs and runner environment of each side. */
function sideOf(side: Side, standins: Standins) {
  if (side === 'key') return { inputs: KEY, env: {} }
  if (side === 'unsigned') return { inputs: {}, env: {} }
  return {
    inputs: {
      sign: 'keyless',
      'fulcio-url': standins.fulcioUrl,
      'rekor-url': standins.rekorUrl
    },
    env: standins.tokenEnv
  }
}

async function publishOnce(
  side: Side,
  standins: Standins,
  proxy: FaultProxy,
  registry: StackRegistry,
  repository: string
): Promise<Sample> {
  const dockerConfig = mkdtempSync(join(tmpdir(), 'dpa-bench-docker-'))
  const inputs: Inputs = {
    ...publishInputs(`${proxy.host}/${repository}`, registry, proxy.host),
    ...sideOf(side, standins).inputs
  }
  proxy.resetCounters()
  try {
    const run = await runAction(inputs, {
      ...tagPushEnv(),
      ...sideOf(side, standins).env,
      DOCKER_CONFIG: dockerConfig
    })
    checkTags(run.main)
    if (side !== 'unsigned' && run.main.outputs.verify === '')
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
  const standins = await startStandins()
  const samples: Record<Side, Sample[]> = { unsigned: [], key: [], keyless: [] }
  try {
    // i = -1 is the warm-up round, not counted; the order rotates
    for (let i = -1; i < runs; i++) {
      const at = (i + 1) % SIDES.length
      const order = [...SIDES.slice(at), ...SIDES.slice(0, at)]
      for (const side of order) {
        const sample = await publishOnce(
          side,
          standins,
          proxy,
          registry,
          `${prefix}-${side}-${i + 1}`
        )
        if (i >= 0) samples[side].push(sample)
      }
    }
  } finally {
    await proxy.close()
    await standins.close()
  }
  const of = (side: Side, key: keyof Sample) => samples[side].map(s => s[key])
  const added = (side: Side, key: keyof Sample) =>
    signed(median(of(side, key)) - median(of('unsigned', key)))
  const adds = (side: Side) => [
    `${side} adds`,
    `${added(side, 'wallMs')} ms`,
    `${added(side, 'uploadBytes')} B`,
    added(side, 'requests'),
    added(side, 'manifestPuts')
  ]
  console.log(`  ${runs} rounds of the three (order rotates), median (min–max)`)
  printTable([
    ['', 'wall', 'blob upload bytes', 'requests', 'manifest PUTs'],
    ...SIDES.map(side => [
      side,
      spread(of(side, 'wallMs')),
      String(median(of(side, 'uploadBytes'))),
      String(median(of(side, 'requests'))),
      String(median(of(side, 'manifestPuts')))
    ]),
    adds('key'),
    adds('keyless')
  ])
  console.log(
    '  the key is a cosign.key (scrypt N=65536 opens it); an openssl PKCS#8 key opens in under a millisecond'
  )
  console.log(
    '  keyless: one token, one Fulcio certificate and one Rekor entry per image, local stand-ins (no network latency)'
  )
}
