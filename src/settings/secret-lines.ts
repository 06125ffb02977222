import { InputError } from '../errors/input-error.js'

// `:` too: an id may name a host with its port (GIT_AUTH_TOKEN.host:8443)
const SECRET_LINE = /^([A-Za-z0-9_.:-]+)=(.*)$/s

/** What follows the `=` in each input's lines. */
const VALUE_NAMES: Record<string, string> = {
  secrets: 'value',
  'secret-files': 'path',
  'secret-envs': 'VARIABLE'
}

/** A `secrets` (or `secret-files`, `secret-envs`) line split into its id and value. */
export function splitSecret(
  line: string,
  index: number,
  input = 'secrets'
): { id: string; value: string } {
  const match = SECRET_LINE.exec(line)
  if (match === null)
    // names the line, never the value: it is a secret
    throw new InputError(
      input,
      `line ${index + 1}`,
      `expected id=${VALUE_NAMES[input] ?? 'value'} lines with an id of letters, digits, _ . : -`
    )
  return { id: match[1], value: match[2] }
}

/** What a log line, an error or a debug line shows in place of a secret. */
export const REDACTED = '***'
