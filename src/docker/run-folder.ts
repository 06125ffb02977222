import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A private folder (mode 700) for this run's metadata and secret files. */
export function makeRunDir(base = tmpdir()): string {
  return mkdtempSync(join(base, 'docker-publish-'))
}

export function removeRunDir(dir: string): void {
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
}
