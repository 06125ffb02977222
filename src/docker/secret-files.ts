import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { splitSecret } from '../secrets.js'

/**
 * Writes each `id=value` build secret to its own file (mode 600) and returns
 * the `id=…,src=…` specs for buildx, so no value reaches a command line.
 */
export function writeSecretFiles(secrets: string[], dir: string): string[] {
  if (secrets.length === 0) return []
  const secretDir = join(dir, 'secrets')
  mkdirSync(secretDir, { recursive: true, mode: 0o700 })
  return secrets.map((secret, index) => {
    const { id, value } = splitSecret(secret, index)
    const file = join(secretDir, `${index}-${id}`)
    writeFileSync(file, value, { mode: 0o600 })
    return `id=${id},src=${file}`
  })
}
