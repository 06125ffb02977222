/**
 * Part 12: what github-attestations adds to a two-platform release of four tags: wall time of
 * main and post, beside the same release with `github-attestations: false`. The attesting side
 * signs through @actions/attest against the local stand-ins of GitHub's token issuer, Fulcio and
 * Rekor (reached through test/support/sigstore-forwarder.ts, as the e2e reach them) and stores
 * with the attestations API's stand-in: no network latency is in the figure. A third side,
 * `provenance,sbom`, has BuildKit make each platform's SBOM with the stack's stand-in generator
 * (scripts/stack/sbom-generator.sh, a file list: far quicker than syft) and attests it too.
 */
import { randomBytes } from 'node:crypto'
import { startStandins } from '../../test/support/sigstore-standins.js'
import { startSigstoreForwarder } from '../../test/support/sigstore-forwarder.js'
import { startAttestationsApi } from '../../test/support/attestations-api.js'
import { checkTags, publishInputs, runAction } from './action.js'
import { tagPushEnv } from './event.js'
import { requireDist, requireStack } from './host.js'
import { median, printTable, spread } from './report.js'
import { stackEnv } from '../../test/support/stack-env.js'

type Side = 'without' | 'attested' | 'sbom'
const SIDES: Side[] = ['without', 'attested', 'sbom']
const ASKED: Record<Side, string> = {
  without: 'false',
  attested: 'provenance',
  sbom: 'provenance,sbom'
}

export async function attestationsCost(runs: number): Promise<void> {
  requireDist('dist/index.js', 'dist/post/index.js')
  const registry = await requireStack()
  const prefix = `bench/attest-${randomBytes(3).toString('hex')}`
  const standins = await startStandins()
  const forwarder = await startSigstoreForwarder(standins)
  const api = await startAttestationsApi()
  const wall: Record<Side, number[]> = { without: [], attested: [], sbom: [] }
  const generator = `generator=${stackEnv().emulation.standIns.sbomGenerator}`
  const env = {
    ...standins.tokenEnv,
    ...forwarder.env,
    GITHUB_API_URL: api.url
  }
  try {
    // i = -1 is the warm-up round, not counted; the order alternates
    for (let i = -1; i < runs; i++) {
      const order = i % 2 === 0 ? SIDES : [...SIDES].reverse()
      for (const side of order) {
        const inputs = {
          ...publishInputs(
            `${registry.host}/${prefix}-${side}-${i + 1}`,
            registry
          ),
          platforms: 'linux/amd64,linux/arm64',
          'github-token': 'ghs_bench',
          'github-attestations': ASKED[side],
          ...(side === 'sbom' && { sbom: generator })
        }
        const run = await runAction(inputs, { ...tagPushEnv(), ...env })
        checkTags(run.main)
        if (side !== 'without' && run.main.outputs.attestations === '[]')
          throw new Error('the attesting run stored no attestation')
        if (i >= 0) wall[side].push(run.mainCost.wallMs + run.postCost.wallMs)
      }
    }
  } finally {
    await Promise.all([api.close(), forwarder.close(), standins.close()])
  }
  const added = (side: Side) => {
    const ms = median(wall[side]) - median(wall.without)
    return `${ms >= 0 ? '+' : ''}${ms.toFixed(0)} ms`
  }
  console.log(
    `  ${runs} rounds of the three (order alternates), median (min–max)`
  )
  printTable([
    ['', 'wall (main + post)'],
    ['github-attestations: false', spread(wall.without)],
    ['provenance (3 subjects)', spread(wall.attested)],
    ['provenance,sbom (3 subjects, 2 SBOMs)', spread(wall.sbom)],
    ['provenance adds', added('attested')],
    ['provenance,sbom adds', added('sbom')]
  ])
  console.log(
    '  attested: one ID token, 3 Fulcio certificates, 3 Rekor entries, 3 API stores and 3 referrers, local stand-ins'
  )
  console.log(
    "  provenance,sbom: BuildKit's stand-in generator run per platform, then 5 of each"
  )
}
