/**
 * Part 5: the 4-tag publish of part 2 with 1,000 images in the engine's
 * local store (tags of one image: cheap to make, and each a name the store
 * lists), then the tags removed.
 */
import { loadavg } from 'node:os'
import { exec, measure } from './proc.js'
import { fullPublish } from './publish.js'

const STORE_SIZE = 1_000
const BASE = 'local/busybox'
const name = (i: number) => `bench-store/img-${i}:latest`

/** Runs `work` on 0..count-1, `width` at a time. */
async function inParallel(
  count: number,
  width: number,
  work: (i: number) => Promise<unknown>
) {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++)
    })
  )
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export async function publishWithBigStore(runs: number): Promise<void> {
  const before = (await exec('docker', ['images', '-q']))
    .split('\n')
    .filter(Boolean).length
  const made = await measure(() =>
    inParallel(STORE_SIZE, 4, i =>
      exec('docker', ['image', 'tag', BASE, name(i)])
    )
  )
  const listed = (await exec('docker', ['images', '-q']))
    .split('\n')
    .filter(Boolean).length
  console.log(
    `  ${STORE_SIZE} tags of ${BASE} made in ${seconds(made.cost.wallMs)} (load ${loadavg()[0].toFixed(1)}); the store lists ${listed} images (${before} before)`
  )
  try {
    await fullPublish(runs)
  } finally {
    const removed = await measure(() =>
      inParallel(STORE_SIZE / 100, 2, i =>
        exec('docker', [
          'image',
          'rm',
          ...Array.from({ length: 100 }, (_, j) => name(i * 100 + j))
        ])
      )
    )
    console.log(
      `  the ${STORE_SIZE} tags removed in ${seconds(removed.cost.wallMs)}`
    )
  }
}
