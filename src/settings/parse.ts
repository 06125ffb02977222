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
  const value = parseValue(
    source,
    name,
    text => TRUE_VALUES.includes(text) || FALSE_VALUES.includes(text),
    'expected true or false'
  )
  return value === '' ? fallback : TRUE_VALUES.includes(value)
}

/** An input's value, trimmed ('' when empty); an error when it is given and fails `ok`. */
export function parseValue(
  source: InputSource,
  name: string,
  ok: (value: string) => boolean,
  allowed: string
): string {
  const value = source(name).trim()
  if (value !== '' && !ok(value)) throw new InputError(name, value, allowed)
  return value
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
  const value = parseValue(
    source,
    name,
    text => choices.some(c => c === text),
    `expected one of ${choices.join(', ')}`
  )
  // '' (not given) is none of the choices
  return choices.find(c => c === value) ?? fallback
}

export function parseCount(
  source: InputSource,
  name: string,
  fallback: number,
  max: number,
  min = 0
): number {
  const value = parseValue(
    source,
    name,
    text => /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max,
    `expected a whole number from ${min} to ${max}`
  )
  return value === '' ? fallback : Number(value)
}

/** Whether a value holds a line break, tab or other control character. */
export function hasControlCharacter(value: string): boolean {
  return [...value].some(
    c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f
  )
}
