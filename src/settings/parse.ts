import { InputError } from '../errors/input-error.js'

/** Reads one raw input value by its action.yml name ('' when unset). */
export type InputSource = (name: string) => string

const TRUE_VALUES = ['true', 'True', 'TRUE']
const FALSE_VALUES = ['false', 'False', 'FALSE']

export function parseBoolean(
  source: InputSource,
  name: string,
  fallback: boolean
): boolean {
  const value = source(name).trim()
  if (value === '') return fallback
  if (TRUE_VALUES.includes(value)) return true
  if (FALSE_VALUES.includes(value)) return false
  throw new InputError(name, value, 'expected true or false')
}

/** The values as given when each passes `ok`, else an error quoting the first that does not. */
export function checkEach(
  input: string,
  values: string[],
  ok: (value: string, index: number) => boolean,
  allowed: string
): string[] {
  values.forEach((value, index) => {
    if (!ok(value, index)) throw new InputError(input, value, allowed)
  })
  return values
}

/** Non-empty lines, trimmed; lines starting with # are comments. */
export function parseLines(source: InputSource, name: string): string[] {
  return source(name)
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('#'))
}

export function parseChoice<T extends string>(
  source: InputSource,
  name: string,
  choices: readonly T[],
  fallback: T
): T {
  const value = source(name).trim()
  if (value === '') return fallback
  const choice = choices.find(c => c === value)
  if (choice === undefined)
    throw new InputError(name, value, `expected one of ${choices.join(', ')}`)
  return choice
}

export function parseCount(
  source: InputSource,
  name: string,
  fallback: number,
  max: number,
  min = 0
): number {
  const value = source(name).trim()
  if (value === '') return fallback
  const count = Number(value)
  if (!/^\d+$/.test(value) || count < min || count > max)
    throw new InputError(
      name,
      value,
      `expected a whole number from ${min} to ${max}`
    )
  return count
}

/** Whether a value holds a line break, tab or other control character. */
export function hasControlCharacter(value: string): boolean {
  return [...value].some(
    c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f
  )
}
