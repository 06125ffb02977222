import { describe, expect, it } from '@jest/globals'
import { stagingTag } from '../../../src/plan/staging.js'
import { isTag } from '../../../src/reference/grammar.js'

describe('stagingTag', () => {
  it.each([
    {
      name: 'the run id, linux/amd64',
      buildId: '123',
      platform: 'linux/amd64',
      expected: 'build-123-linux-amd64'
    },
    {
      name: 'a platform variant',
      buildId: '123',
      platform: 'linux/arm/v7',
      expected: 'build-123-linux-arm-v7'
    },
    {
      name: 'no run id: the short commit',
      buildId: '860c1904a1ce',
      platform: 'linux/s390x',
      expected: 'build-860c1904a1ce-linux-s390x'
    }
  ])('$name', ({ buildId, platform, expected }) => {
    const tag = stagingTag(buildId, platform)
    expect(tag).toBe(expected)
    expect(isTag(tag)).toBe(true)
  })

  it('each platform of a run stages under its own tag', () => {
    const platforms = [
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v6',
      'linux/arm/v7'
    ]
    const tags = new Set(platforms.map(p => stagingTag('123', p)))
    expect(tags.size).toBe(platforms.length)
  })
})
