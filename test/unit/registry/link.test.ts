import { describe, expect, it } from '@jest/globals'
import { nextPageUrl, parseNextLink } from '../../../src/registry/origin.js'

describe('parseNextLink', () => {
  it.each([
    {
      name: 'distribution',
      header: '</v2/x/tags/list?last=b&n=2>; rel="next"',
      expected: '/v2/x/tags/list?last=b&n=2'
    },
    {
      name: 'unquoted rel',
      header: '</v2/x/tags/list?last=b>; rel=next',
      expected: '/v2/x/tags/list?last=b'
    },
    {
      name: 'absolute URL',
      header: '<https://ghcr.io/v2/o/a/tags/list?last=z>; rel="next"',
      expected: 'https://ghcr.io/v2/o/a/tags/list?last=z'
    },
    {
      name: 'next among other links',
      header: '</a>; rel="prev", </b>; rel="next"',
      expected: '/b'
    },
    { name: 'only prev', header: '</a>; rel="prev"', expected: undefined },
    { name: 'absent', header: null, expected: undefined }
  ])('$name', ({ header, expected }) => {
    expect(parseNextLink(header)).toBe(expected)
  })
})

describe('nextPageUrl', () => {
  const endpoint = {
    registry: 'ghcr.io',
    apiHost: 'ghcr.io',
    scheme: 'https' as const
  }
  const withLink = (link: string) =>
    new Response('{}', { headers: { Link: link } })

  it('keeps a same-origin link whole', () => {
    expect(
      nextPageUrl(
        endpoint,
        withLink('<https://ghcr.io/v2/o/a/tags/list?last=z&n=2>; rel="next"')
      )
    ).toBe('https://ghcr.io/v2/o/a/tags/list?last=z&n=2')
  })

  it('refuses a link to another origin, which would get our credentials', () => {
    expect(() =>
      nextPageUrl(
        endpoint,
        withLink('<https://evil.example/v2/o/a/tags/list>; rel="next"')
      )
    ).toThrow(
      /^registry ghcr\.io: the next page link points to another origin \(https:\/\/evil\.example\)$/
    )
  })
})
