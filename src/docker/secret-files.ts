import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { splitSecret } from '../settings/secret-lines.js'

/** The folder of a run's secret files, in the run's folder `dir`. */
function secretDirOf(dir: string): string {
  return join(dir, 'secrets')
}

/** Whether a command reads the run's secret files (its argv names one). */
export function readsSecretFiles(argv: string[], dir: string): boolean {
  const secretDir = secretDirOf(dir)
  return argv.some(arg => arg.includes(secretDir))
}

/** Deletes the secret files (SECURITY.md: as soon as the build ends, also after a failure). */
export function removeSecretFiles(dir: string): void {
  if (dir !== '') rmSync(secretDirOf(dir), { recursive: true, force: true })
}

/** Each `id=value` build secret in its own file (600): buildx's specs carry no value. */
export function writeSecretFiles(secrets: string[], dir: string): string[] {
  if (secrets.length === 0) return []
  const secretDir = secretDirOf(dir)
  mkdirSync(secretDir, { recursive: true, mode: 0o700 })
  return secrets.map((secret, index) => {
    const { id, value } = splitSecret(secret, index)
    const file = join(secretDir, `${index}-${id}`)
    writeFileSync(file, value, { mode: 0o600 })
    return `id=${id},src=${file}`
  })
}
