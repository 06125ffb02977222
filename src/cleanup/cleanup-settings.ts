import { InputError } from '../errors/input-error.js'
import { parseInputList } from '../csv/csv.js'
import { checkEach, parseCount, type InputSource } from '../settings/parse.js'

const CLEANUP_KINDS = ['pr', 'untagged'] as const
type CleanupKind = (typeof CLEANUP_KINDS)[number]

/** mode cleanup's inputs: what to clean up, untagged's age and count kept, GHCR's token. */
export interface CleanupSettings {
  kinds: CleanupKind[]
  olderThanMs: number
  keep: number
  /** github-token: GHCR's images are deleted through GitHub's packages API with it (a secret). */
  githubToken: string
}

const DURATION = /^(\d+)(d|h|m)$/
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const

/** `older-than`: `7d`, `24h`, `90m`; empty is 7 days. */
export function parseAge(value: string): number {
  const text = value.trim()
  if (text === '') return 7 * UNIT_MS.d
  const match = DURATION.exec(text)
  if (match === null)
    throw new InputError(
      'older-than',
      value,
      'an age: a whole number and d, h or m, e.g. 7d, 24h'
    )
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
}

/**
 * `cleanup`, `older-than`, `keep` and github-token; `cleanup` only with mode cleanup, and there
 * required.
 */
export function parseCleanup(
  source: InputSource,
  mode: string
): CleanupSettings {
  const listed = parseInputList(source, 'cleanup').map(kind => kind.trim())
  const kinds = checkEach(
    'cleanup',
    listed,
    kind => CLEANUP_KINDS.some(k => k === kind),
    `expected ${CLEANUP_KINDS.join(' and/or ')}`
  ) as CleanupKind[]
  if (mode === 'cleanup' && kinds.length === 0)
    throw new InputError(
      'cleanup',
      '',
      'mode "cleanup" needs what to clean up: pr, untagged or both'
    )
  if (mode !== 'cleanup' && kinds.length > 0)
    throw new InputError(
      'cleanup',
      source('cleanup'),
      `only with mode "cleanup" (mode is "${mode}")`
    )
  return {
    kinds: [...new Set(kinds)],
    olderThanMs: parseAge(source('older-than')),
    keep: parseCount(source, 'keep', 0, 10_000),
    githubToken: source('github-token').trim()
  }
}
