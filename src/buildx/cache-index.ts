/**
 * The order the writer puts BuildKit's cache entries in: the index first, then the layers nearest
 * the root. BuildKit's gha export spools its blobs in its index's layer order, which is sorted by
 * digest (remotecache v1's Marshal ends with sortConfig), not parents first; and a layer is of use
 * to a later build only with every layer under it (its chain). So where a quota or the post
 * step's bound leaves some entries unwritten, the ones written are chains from the root up, give
 * or take the four written at once (a root deferred while deeper ones end leaves those of no use).
 */

/** A layer of the index (remotecache v1's CacheLayer): its blob and the layer under it. */
interface IndexLayer {
  blob?: unknown
  /** The index of the layer under it: -1 for none; absent for 0 (Go's omitempty drops a 0). */
  parent?: unknown
}

const BLOB_KEY = /^buildkit-blob-\d+-(sha256:[0-9a-f]{64})$/

/** The index's layers (one that is not an object read as empty), or none when it is no index. */
function indexLayers(indexJson: string): IndexLayer[] {
  try {
    const index = JSON.parse(indexJson) as { layers?: unknown } | null
    if (!Array.isArray(index?.layers)) return []
    return index.layers.map((layer: unknown) =>
      typeof layer === 'object' && layer !== null ? layer : {}
    )
  } catch {
    return []
  }
}

/**
 * Adds each blob's depth in the index's chains to `depths` (0: a root layer), keeping the least
 * where a blob is in several chains or indexes. A layer whose chain loops or names no layer of
 * the index gets none.
 */
export function addLayerDepths(
  depths: Map<string, number>,
  indexJson: string
): void {
  const layers = indexLayers(indexJson)
  const byLayer: (number | undefined)[] = []
  const depthOf = (i: number, seen: Set<number>): number | undefined => {
    if (byLayer[i] !== undefined || seen.has(i)) return byLayer[i]
    const parent = layers[i].parent ?? 0
    if (parent === -1) return (byLayer[i] = 0)
    if (!Number.isInteger(parent) || !layers[parent as number]) return
    const under = depthOf(parent as number, seen.add(i))
    return under === undefined ? undefined : (byLayer[i] = under + 1)
  }
  layers.forEach(({ blob }, i) => {
    const depth = depthOf(i, new Set())
    if (typeof blob !== 'string' || depth === undefined) return
    depths.set(blob, Math.min(depth, depths.get(blob) ?? depth))
  })
}

/**
 * Entries in the order to write them: what is not a blob (an index) first, then the blobs by
 * their depth, then the blobs no depth names; each group in the order it came.
 */
export function rootsFirst<T extends { key: string }>(
  entries: readonly T[],
  depths: ReadonlyMap<string, number>
): T[] {
  const rank = ({ key }: T): number => {
    const digest = BLOB_KEY.exec(key)?.[1]
    if (digest === undefined) return -1
    return depths.get(digest) ?? Number.MAX_SAFE_INTEGER
  }
  // Array.prototype.sort is stable: a group keeps the order it came in
  return [...entries].sort((a, b) => rank(a) - rank(b))
}
