import { describe, expect, it } from '@jest/globals'
import {
  RetriesExhaustedError,
  TransientError,
  withRetry
} from '../../../src/registry/retry.js'

type Outcome = string | Error

/** An operation that plays the outcomes in order (the last one repeats). */
function scripted(outcomes: Outcome[]) {
  let calls = 0
  const operation = (): Promise<string> => {
    const outcome = outcomes[Math.min(calls++, outcomes.length - 1)]
    return typeof outcome === 'string'
      ? Promise.resolve(outcome)
      : Promise.reject(outcome)
  }
  return { operation, calls: () => calls }
}

function recordingSleep() {
  const delays: number[] = []
  const sleep = (ms: number): Promise<void> => {
    delays.push(ms)
    return Promise.resolve()
  }
  return { sleep, delays }
}

const transient = (message = 'flaky', retryAfterMs?: number) =>
  new TransientError(message, { retryAfterMs })

const base = { baseDelayMs: 100, random: () => 1, describe: 'GET /x' }

describe('withRetry: succeeds', () => {
  it.each([
    {
      name: 'first try, no sleep',
      outcomes: ['ok'],
      retries: 3,
      delays: [],
      calls: 1
    },
    {
      name: 'transient twice then success: exponential delays',
      outcomes: [transient(), transient(), 'ok'],
      retries: 3,
      delays: [100, 200],
      calls: 3
    },
    {
      name: 'Retry-After honoured instead of the backoff',
      outcomes: [transient('429', 1000), 'ok'],
      retries: 3,
      delays: [1000],
      calls: 2
    },
    {
      name: 'Retry-After capped by maxDelayMs',
      outcomes: [transient('429', 600_000), 'ok'],
      retries: 3,
      maxDelayMs: 5000,
      delays: [5000],
      calls: 2
    },
    {
      name: 'backoff capped by maxDelayMs',
      outcomes: [transient(), transient(), transient(), 'ok'],
      retries: 3,
      maxDelayMs: 150,
      delays: [100, 150, 150],
      calls: 4
    },
    {
      name: 'last allowed attempt succeeds',
      outcomes: [transient(), 'ok'],
      retries: 1,
      delays: [100],
      calls: 2
    }
  ])('$name', async ({ outcomes, retries, maxDelayMs, delays, calls }) => {
    const op = scripted(outcomes)
    const { sleep, delays: slept } = recordingSleep()
    const result = await withRetry(op.operation, {
      ...base,
      retries,
      maxDelayMs,
      sleep
    })
    expect(result).toBe('ok')
    expect(slept).toEqual(delays)
    expect(op.calls()).toBe(calls)
  })
})

describe('withRetry: fails', () => {
  it.each([
    {
      name: 'persistent transient: retries + 1 attempts, then the last cause',
      outcomes: [transient('503 one'), transient('503 two')],
      retries: 3,
      message: /^GET \/x failed after 4 attempts: 503 two$/,
      delays: [100, 200, 400],
      calls: 4
    },
    {
      name: 'retries 0: one attempt',
      outcomes: [transient('reset')],
      retries: 0,
      message: /^GET \/x failed after 1 attempt: reset$/,
      delays: [],
      calls: 1
    },
    {
      name: 'non-transient error thrown at once, unchanged',
      outcomes: [new Error('401 for alice'), 'ok'],
      retries: 3,
      message: /^401 for alice$/,
      delays: [],
      calls: 1
    },
    {
      name: 'non-transient after a transient stops the retries',
      outcomes: [transient(), new Error('400 bad'), 'ok'],
      retries: 3,
      message: /^400 bad$/,
      delays: [100],
      calls: 2
    },
    {
      name: 'invalid retries',
      outcomes: ['ok'],
      retries: -1,
      message: /GET \/x: retries must be a whole number >= 0, got -1/,
      delays: [],
      calls: 0
    }
  ])('$name', async ({ outcomes, retries, message, delays, calls }) => {
    const op = scripted(outcomes)
    const { sleep, delays: slept } = recordingSleep()
    await expect(
      withRetry(op.operation, { ...base, retries, sleep })
    ).rejects.toThrow(message)
    expect(slept).toEqual(delays)
    expect(op.calls()).toBe(calls)
  })

  it('keeps the last cause and the attempt count on the error', async () => {
    const last = transient('last')
    const op = scripted([transient('first'), last])
    const { sleep } = recordingSleep()
    await expect(
      withRetry(op.operation, { ...base, retries: 1, sleep })
    ).rejects.toEqual(
      expect.objectContaining({
        name: 'RetriesExhaustedError',
        attempts: 2,
        lastError: last,
        cause: last
      })
    )
  })
})

describe('withRetry: jitter', () => {
  it.each([
    { name: 'random 0 halves each delay', random: 0, delays: [50, 100, 200] },
    {
      name: 'random 0.5 gives three quarters',
      random: 0.5,
      delays: [75, 150, 300]
    },
    {
      name: 'random 1 gives the full delay',
      random: 1,
      delays: [100, 200, 400]
    }
  ])('$name', async ({ random, delays }) => {
    const op = scripted([transient()])
    const { sleep, delays: slept } = recordingSleep()
    await expect(
      withRetry(op.operation, {
        ...base,
        random: () => random,
        retries: 3,
        sleep
      })
    ).rejects.toBeInstanceOf(RetriesExhaustedError)
    expect(slept).toEqual(delays)
  })
})
