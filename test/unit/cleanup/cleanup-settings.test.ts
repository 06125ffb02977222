import { describe, expect, it } from '@jest/globals'
import { parseCleanup } from '../../../src/cleanup/cleanup-settings.js'

const DAY = 86_400_000
const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''

describe('parseCleanup', () => {
  it.each([
    {
      name: 'pr, defaults for untagged',
      mode: 'cleanup',
      inputs: { cleanup: 'pr' },
      expected: {
        kinds: ['pr'],
        olderThanMs: 7 * DAY,
        keep: 0,
        githubToken: ''
      }
    },
    {
      name: 'pr and untagged, an age in hours, two kept',
      mode: 'cleanup',
      inputs: {
        cleanup: 'pr\nuntagged',
        'older-than': '24h',
        keep: '2',
        'github-token': ' ghs_x '
      },
      expected: {
        kinds: ['pr', 'untagged'],
        olderThanMs: DAY,
        keep: 2,
        githubToken: 'ghs_x'
      }
    },
    {
      name: 'another mode without cleanup',
      mode: 'build',
      inputs: {},
      expected: { kinds: [], olderThanMs: 7 * DAY, keep: 0, githubToken: '' }
    }
  ])('$name', ({ mode, inputs, expected }) => {
    expect(parseCleanup(source(inputs), mode)).toStrictEqual(expected)
  })

  it.each([
    {
      name: 'mode cleanup without cleanup',
      mode: 'cleanup',
      inputs: {},
      error:
        'input "cleanup": invalid value "": mode "cleanup" needs what to clean up'
    },
    {
      name: 'cleanup with another mode',
      mode: 'build',
      inputs: { cleanup: 'pr' },
      error:
        'input "cleanup": invalid value "pr": only with mode "cleanup" (mode is "build")'
    },
    {
      name: 'an unknown kind',
      mode: 'cleanup',
      inputs: { cleanup: 'pr,tags' },
      error:
        'input "cleanup": invalid value "tags": expected pr and/or untagged'
    },
    {
      name: 'a bad keep',
      mode: 'cleanup',
      inputs: { cleanup: 'pr', keep: '-1' },
      error: 'input "keep": invalid value "-1"'
    }
  ])('refuses $name, naming the input', ({ mode, inputs, error }) => {
    expect(() => parseCleanup(source(inputs), mode)).toThrow(error)
  })
})
