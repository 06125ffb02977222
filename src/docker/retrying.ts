import {
  RetriesExhaustedError,
  TransientError,
  withRetry,
  type RetryOptions
} from '../registry/retry.js'
import { DockerCommandError, DockerStalledError } from './runner.js'

// "image … already exists": two builds naming one image at once in the containerd store (two
// matrix legs on one machine); the engine's race, which the next attempt does not meet
const TRANSIENT =
  /connection refused|connection reset|i\/o timeout|TLS handshake timeout|EOF$|50[0234] |Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error|429 |Too Many Requests|toomanyrequests|image "[^"]+": already exists/im

/**
 * A registry's refusal to serve a pull now (429, 5xx) that dockerd passes on: its Retry-After it
 * does not pass, so the wait is the backoff's.
 */
export const THROTTLED =
  /toomanyrequests|429 Too Many Requests|50[0234] |Service Unavailable|Bad Gateway/im

export type RetryPolicy = Pick<RetryOptions, 'retries' | 'sleep'>

/**
 * A docker command again on a transient registry fault (5xx, 429, a stall); its last error as is.
 */
export async function retryDocker<T>(
  work: () => Promise<T>,
  policy: RetryPolicy,
  describe: string,
  transient = TRANSIENT
): Promise<T> {
  try {
    return await withRetry(
      () =>
        work().catch((error: unknown) => {
          if (
            error instanceof DockerStalledError ||
            (error instanceof DockerCommandError &&
              transient.test(error.output))
          )
            throw new TransientError(error.message, { cause: error })
          throw error
        }),
      { ...policy, describe }
    )
  } catch (error) {
    // the docker error itself, not the count of attempts
    throw error instanceof RetriesExhaustedError ? error.lastError.cause : error
  }
}
