/** A server a describe block uses: started before its tests, closed after them. */
import { afterAll, beforeAll } from '@jest/globals'

/** `start`ed in beforeAll and closed in afterAll; the getter throws before it has started. */
export function startedForSuite<T extends { close(): Promise<void> }>(
  what: string,
  start: () => Promise<T>
): () => T {
  let started: T | undefined
  beforeAll(async () => {
    started = await start()
  })
  afterAll(async () => {
    await started?.close()
  })
  return () => {
    if (started === undefined) throw new Error(`${what} has not started`)
    return started
  }
}
