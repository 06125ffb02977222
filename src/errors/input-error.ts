/** An invalid workflow input: the message names the input, the value and what is allowed. */
export class InputError extends Error {
  constructor(input: string, value: string, allowed: string) {
    super(
      `input "${input}": invalid value ${JSON.stringify(value)}: ${allowed}`
    )
    this.name = 'InputError'
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
