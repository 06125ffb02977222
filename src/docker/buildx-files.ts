/** buildx's own state files, read as buildx reads them. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** buildx's `current` file: the builder `buildx use` chose, for which endpoint. */
interface CurrentBuilder {
  Key?: unknown
  Name?: unknown
  Global?: unknown
}

/** Where buildx keeps its state: BUILDX_CONFIG when set, else <docker config>/buildx. */
export function buildxStateDir(
  env: NodeJS.ProcessEnv,
  configDir: string
): string {
  return env.BUILDX_CONFIG || join(configDir, 'buildx')
}

/** buildx's `current` file; undefined when it is missing or does not read as an object. */
export function readCurrentBuilder(
  buildxDir: string
): CurrentBuilder | undefined {
  try {
    const current = JSON.parse(
      readFileSync(join(buildxDir, 'current'), 'utf8')
    ) as CurrentBuilder | null
    return typeof current === 'object' && current !== null ? current : undefined
  } catch {
    return undefined
  }
}
