/** Statistics and plain-text tables: the bench prints figures, it judges nothing. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median of a[i] / b[i]: each pair ran back to back, so drift cancels. */
export function medianRatio(a: number[], b: number[]): number {
  return median(a.map((value, i) => value / b[i]))
}

export const ms = (value: number): string => `${value.toFixed(0)} ms`
export const ms1 = (value: number): string => `${value.toFixed(1)} ms`
export const ratio = (value: number): string => `${value.toFixed(2)}x`
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`

/** "median (min–max)" of some milliseconds. */
export function spread(values: number[], format = ms): string {
  const low = Math.min(...values)
  const high = Math.max(...values)
  return `${format(median(values))} (${low.toFixed(0)}–${high.toFixed(0)})`
}

/** Prints rows as left-aligned columns, indented under a part's title. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map(row => (row[column] ?? '').length))
  )
  for (const row of rows) {
    const cells = row.map((cell, column) => cell.padEnd(widths[column]))
    console.log(`  ${cells.join('  ').trimEnd()}`)
  }
}
