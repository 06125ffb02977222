/** Bounded retries with exponential backoff: only a TransientError is tried again. */
import { setTimeout as realSleep } from 'node:timers/promises'

/** A failure worth another try: connection errors, timeouts, 5xx, 429. */
export class TransientError extends Error {
  /** The server's Retry-After, when it sent one. */
  readonly retryAfterMs?: number

  constructor(
    message: string,
    options: ErrorOptions & { retryAfterMs?: number } = {}
  ) {
    super(message, { cause: options.cause })
    this.name = 'TransientError'
    this.retryAfterMs = options.retryAfterMs
  }
}

/** Thrown when the last attempt failed with a TransientError. */
export class RetriesExhaustedError extends Error {
  constructor(
    describe: string,
    readonly attempts: number,
    readonly lastError: TransientError
  ) {
    super(
      `${describe} failed after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: ` +
        `${lastError.message}`,
      { cause: lastError }
    )
    this.name = 'RetriesExhaustedError'
  }
}

export interface RetryOptions {
  /** Tries after the first one: at most retries + 1 attempts. */
  retries: number
  /** Waits between attempts (injected: tests record instead of waiting); default a timer. */
  sleep?: (ms: number) => Promise<void>
  /** Delay before the first retry, doubled for each further one; default 500 ms. */
  baseDelayMs?: number
  /** Upper bound of any delay, Retry-After included; default 30 s. */
  maxDelayMs?: number
  /**
   * Jitter source in [0, 1]: a backoff delay d becomes d/2 + random() * d/2. Defaults to
   * Math.random; `() => 1` gives the plain exponential delays.
   */
  random?: () => number
  /** What is being done, for the final message ("registry x: GET …"). */
  describe: string
}

/** The delay before retry number `retry` (1-based) after `error`. */
function retryDelayMs(
  retry: number,
  error: TransientError,
  options: RetryOptions
): number {
  const {
    baseDelayMs = 500,
    maxDelayMs = 30_000,
    random = Math.random
  } = options
  if (error.retryAfterMs !== undefined)
    return Math.min(Math.max(0, error.retryAfterMs), maxDelayMs)
  const backoff = Math.min(baseDelayMs * 2 ** (retry - 1), maxDelayMs)
  return Math.round(backoff / 2 + (random() * backoff) / 2)
}

export async function withRetry<T>(
  operation: () => Promise<T>,
  options: RetryOptions
): Promise<T> {
  const { retries, sleep = realSleep } = options
  if (!Number.isInteger(retries) || retries < 0)
    throw new Error(
      `${options.describe}: retries must be a whole number >= 0, got ${retries}`
    )
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      if (!(error instanceof TransientError)) throw error
      if (attempt > retries) {
        throw new RetriesExhaustedError(options.describe, attempt, error)
      }
      await sleep(retryDelayMs(attempt, error, options))
    }
  }
}
