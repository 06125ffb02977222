/** Requests to a registry, a few at a time. */

/** Manifests and configs read from a registry at once. */
export const PARALLEL_READS = 8

/**
 * Runs `work` on every item, at most `limit` at once; the first failure rejects, and no item is
 * started after it (why not p-limit: its queued calls all still run after one has failed).
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>
): Promise<void> {
  const queue = [...items]
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift())
      await work(item).catch((error: unknown) => {
        // the other workers take no further item
        queue.length = 0
        throw error
      })
  }
  await Promise.all(Array.from({ length: limit }, worker))
}
