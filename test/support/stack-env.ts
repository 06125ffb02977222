/**
 * The real test stack's registries (scripts/stack/stack.sh): from the
 * environment when `eval "$(stack.sh env)"` was done, else from `stack.sh env`.
 */
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

export interface StackRegistry {
  /** host:port, e.g. 127.0.0.1:5001 */
  host: string
  username: string
  password: string
}

export interface StackEnv {
  a: StackRegistry
  b: StackRegistry
}

const ROOT = resolve(import.meta.dirname, '../..')

/** Undoes bash's printf %q for the simple values stack.sh prints. */
function unquote(value: string): string {
  const quoted = /^'(.*)'$/.exec(value) ?? /^\$'(.*)'$/.exec(value)
  if (quoted !== null) return quoted[1]
  return value.replace(/\\(.)/g, '$1')
}

/** `export NAME=value` lines into a record. */
export function parseExports(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim())
    if (match !== null) values[match[1]] = unquote(match[2])
  }
  return values
}

function readVariables(): Record<string, string | undefined> {
  if (
    process.env.DPA_REGISTRY_A_PASSWORD &&
    process.env.DPA_REGISTRY_B_PASSWORD
  ) {
    return process.env
  }
  const script = resolve(ROOT, 'scripts/stack/stack.sh')
  try {
    return parseExports(
      execFileSync('bash', [script, 'env'], {
        encoding: 'utf8',
        timeout: 30_000
      })
    )
  } catch (error) {
    throw new Error(
      `cannot read the test stack's registries (run "bash scripts/stack/stack.sh up" as root first): ${String(error)}`
    )
  }
}

function registry(
  vars: Record<string, string | undefined>,
  id: 'A' | 'B'
): StackRegistry {
  const read = (suffix: string): string => {
    const name = `DPA_REGISTRY_${id}${suffix}`
    const value = vars[name]
    if (!value) throw new Error(`${name} is not set by stack.sh env`)
    return value
  }
  return {
    host: read(''),
    username: read('_USER'),
    password: read('_PASSWORD')
  }
}

let cached: StackEnv | undefined

export function stackEnv(): StackEnv {
  if (cached === undefined) {
    const vars = readVariables()
    cached = { a: registry(vars, 'A'), b: registry(vars, 'B') }
  }
  return cached
}
