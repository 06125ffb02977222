import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { ROOT } from './runner.js'

export interface Registry {
  host: string
  username: string
  password: string
}

export interface Stack {
  a: Registry
  b: Registry
}

/** The running stack's registries and credentials (scripts/stack/stack.sh env). */
export function readStack(): Stack {
  const text = execFileSync(
    'bash',
    [join(ROOT, 'scripts/stack/stack.sh'), 'env'],
    {
      encoding: 'utf8'
    }
  )
  const env = Object.fromEntries(
    [...text.matchAll(/^export (\w+)=(.*)$/gm)].map(m => [
      m[1],
      m[2].replace(/^'|'$/g, '')
    ])
  )
  const registry = (key: string): Registry => ({
    host: env[`DPA_REGISTRY_${key}`],
    username: env[`DPA_REGISTRY_${key}_USER`],
    password: env[`DPA_REGISTRY_${key}_PASSWORD`]
  })
  return { a: registry('A'), b: registry('B') }
}

/** A repository name no other run uses. */
export function uniqueRepo(prefix: string): string {
  return `e2e/${prefix}-${randomBytes(4).toString('hex')}`
}
