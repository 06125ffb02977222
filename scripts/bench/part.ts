/** A part of the bench: prints its table, or `skipped: <why>`, and never stops the others. */

/** Thrown when a prerequisite of a part is missing. */
export class Skip extends Error {}

export interface Part {
  title: string
  run: () => void | Promise<void>
}

/** Runs each part in turn; returns false if one broke (not merely skipped). */
export async function runParts(parts: Part[]): Promise<boolean> {
  let ok = true
  for (const part of parts) {
    console.log(`\n== ${part.title}`)
    try {
      await part.run()
    } catch (error) {
      if (error instanceof Skip) {
        console.log(`  skipped: ${error.message}`)
      } else {
        ok = false
        const text = error instanceof Error ? error.message : String(error)
        console.log(`  failed: ${text.split('\n').join('\n  ')}`)
      }
    }
  }
  return ok
}
