/**
 * `npm run bench`: prints performance figures and asserts nothing (the goals
 * are printed for people to read). BENCH_RUNS sets the repetitions of the
 * full publish (default 7); the cold start runs 4 × BENCH_RUNS pairs.
 * BENCH_PARTS picks parts by number (e.g. "1" or "1,3"; default: all).
 * Exits 0 when every part printed its figures or was skipped, 1 if one broke.
 */
import { bytesUploaded } from './bytes.js'
import { coldStart } from './cold-start.js'
import { checkRoot, printMachine } from './host.js'
import { runParts } from './part.js'
import { ghaCache } from './gha-cache.js'
import { fullPublish } from './publish.js'
import { signingCost } from './signing.js'
import { attestationsCost } from './attestations.js'
import { bigLayers } from './layers.js'
import { publishWithBigStore } from './store.js'
import { secondCommits } from './commits.js'
import { warmCache } from './warm-cache.js'
import { scaleOut } from './nodes.js'
import { soakFigures } from './soak.js'

function runs(): number {
  const value = Number(process.env.BENCH_RUNS ?? 7)
  if (!Number.isInteger(value) || value < 1)
    throw new Error(
      `BENCH_RUNS must be a whole number >= 1, got "${process.env.BENCH_RUNS}"`
    )
  return value
}

async function main(): Promise<void> {
  checkRoot()
  const n = runs()
  printMachine()
  const parts = [
    { title: '1. Cold start', run: () => coldStart(4 * n) },
    {
      title: '2. Full publish of 4 tags: action vs bare docker CLI',
      run: () => fullPublish(n)
    },
    { title: '3. Bytes uploaded (fault proxy, no faults)', run: bytesUploaded },
    {
      title: '4. What sign: key and sign: keyless add to a publish of 4 tags',
      run: () => signingCost(n)
    },
    {
      title:
        '5. 64 MB and 512 MB random layers: action vs bare docker, bytes, re-run, peak RSS',
      run: () => bigLayers(n)
    },
    {
      title: '6. Full publish of 4 tags with 1,000 images in the local store',
      run: () => publishWithBigStore(Math.min(n, 3))
    },
    {
      title:
        '7. The second commit of an app (a 4 s dependency step), each engine: no settings vs reproducible: true',
      run: secondCommits
    },
    {
      title:
        '8. Warm builds on cold runners: the second commit of an app (8 s, 32 MB dependency step), builder cache pruned: ours (no settings) vs bare buildx --push vs the best recipe',
      run: () => warmCache(Math.min(n, 3))
    },
    {
      title:
        '9. Scale out: a two-platform release on two nodes vs one; the builder the step makes on 28.5 classic',
      run: () => scaleOut(Math.min(n, 3))
    },
    {
      title:
        "10. Warm with GitHub's cache service (stand-in): a multi-stage app's second commit on a cold runner, each builder, and a pull request with push: false",
      run: () => ghaCache(Math.min(n, 5))
    },
    {
      title:
        '11. The soak per builder kind: schedules held, recovered, failed truthfully, slowest run (the last reliability run)',
      run: soakFigures
    },
    {
      title:
        '12. What github-attestations adds to a two-platform release of 4 tags (median of BENCH_RUNS)',
      run: () => attestationsCost(n)
    }
  ]
  const chosen = (process.env.BENCH_PARTS ?? '').split(',').filter(Boolean)
  const ok = await runParts(
    chosen.length === 0
      ? parts
      : parts.filter(p => chosen.includes(p.title.split('.')[0]))
  )
  if (!ok) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
