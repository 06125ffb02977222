import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../errors.js'

/**
 * Writes each `id=value` build secret to its own file (mode 600) and returns
 * the `id=…,src=…` specs for buildx, so no value reaches a command line.
 */
export function writeSecretFiles(secrets: string[], dir: string): string[] {
  if (secrets.length === 0) return []
  const secretDir = join(dir, 'secrets')
  mkdirSync(secretDir, { recursive: true, mode: 0o700 })
  return secrets.map((secret, index) => {
    const eq = secret.indexOf('=')
    const id = secret.slice(0, eq)
    if (eq <= 0 || !/^[A-Za-z0-9_.-]+$/.test(id))
      throw new InputError(
        'secrets',
        `line ${index + 1}`,
        'expected id=value lines with an id of letters, digits, _ . -'
      )
    const file = join(secretDir, `${index}-${id}`)
    writeFileSync(file, secret.slice(eq + 1), { mode: 0o600 })
    return `id=${id},src=${file}`
  })
}
