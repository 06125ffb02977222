import { InputError } from './errors.js'

const SECRET_LINE = /^([A-Za-z0-9_.-]+)=(.*)$/s

/** A `secrets` line split into its id and value; the one rule for both. */
export function splitSecret(
  line: string,
  index: number
): { id: string; value: string } {
  const match = SECRET_LINE.exec(line)
  if (match === null)
    // names the line, never the value: it is a secret
    throw new InputError(
      'secrets',
      `line ${index + 1}`,
      'expected id=value lines with an id of letters, digits, _ . -'
    )
  return { id: match[1], value: match[2] }
}
