/** Bounded retries with exponential backoff: only a TransientError is tried again. */
import { setTimeout as realSleep } from 'node:timers/promises'

const DEFAULT_BASE_DELAY_MS = 500
const DEFAULT_MAX_DELAY_MS = 30_000

/** A failure worth another try: connection errors, timeouts, 5xx, 429. */
export class TransientError extends Error {
  /** The server's Retry-After, when it sent one. */
  readonly retryAfterMs?: number

  constructor(
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {}
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
  /** Delay before the first retry, doubled for each further one. */
  baseDelayMs?: number
  /** Upper bound of any delay, Retry-After included. */
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
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS
  if (error.retryAfterMs !== undefined)
    return Math.min(Math.max(0, error.retryAfterMs), maxDelayMs)
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS
  const backoff = Math.min(baseDelayMs * 2 ** (retry - 1), maxDelayMs)
  const random = options.random ?? Math.random
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
