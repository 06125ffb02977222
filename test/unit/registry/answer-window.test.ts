import { describe, expect, it } from '@jest/globals'
import { answerWindowMs } from '../../../src/registry/transport.js'

// After the last byte of a streamed body, the answer may take as long as the
// bytes still in flight need at 8 KiB/s, on top of the request timeout, so a
// slow but moving upload is not taken for a hang; never more than 4 MiB count.
describe('answerWindowMs', () => {
  it.each([
    { name: 'an empty body: the request timeout', sent: 0, expected: 30_000 },
    {
      name: 'a 64 KiB body: 8 s more',
      sent: 64 * 1024,
      expected: 38_000
    },
    {
      name: 'a 64 MiB chunk: what a socket can hold, 4 MiB, counts (512 s)',
      sent: 64 * 1024 * 1024,
      expected: 542_000
    }
  ])('$name', ({ sent, expected }) => {
    expect(answerWindowMs(sent, 30_000)).toBe(expected)
  })
})
