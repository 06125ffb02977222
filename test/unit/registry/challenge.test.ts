import { describe, expect, it } from '@jest/globals'
import {
  parseChallenges,
  pickChallenge
} from '../../../src/registry/challenge.js'

describe('parseChallenges', () => {
  it.each([
    {
      name: 'distribution htpasswd',
      header: 'Basic realm="registry-a"',
      expected: [{ scheme: 'basic', params: { realm: 'registry-a' } }]
    },
    {
      name: 'Docker Hub',
      header:
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      expected: [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull'
          }
        }
      ]
    },
    {
      name: 'comma inside a quoted scope',
      header:
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull,push"',
      expected: [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://ghcr.io/token',
            service: 'ghcr.io',
            scope: 'repository:o/a:pull,push'
          }
        }
      ]
    },
    {
      name: 'error parameter and spaces after commas',
      header: 'Bearer realm="r", error="insufficient_scope", scope="x"',
      expected: [
        {
          scheme: 'bearer',
          params: { realm: 'r', error: 'insufficient_scope', scope: 'x' }
        }
      ]
    },
    {
      name: 'two challenges in one header',
      header: 'Basic realm="a", Bearer realm="b",service="s"',
      expected: [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'b', service: 's' } }
      ]
    },
    {
      name: 'unquoted values',
      header: 'Basic realm=registry',
      expected: [{ scheme: 'basic', params: { realm: 'registry' } }]
    },
    {
      name: 'escaped quote in a quoted value',
      header: 'Basic realm="a\\"b"',
      expected: [{ scheme: 'basic', params: { realm: 'a"b' } }]
    },
    {
      name: 'case-insensitive scheme and names',
      header: 'BEARER Realm="x"',
      expected: [{ scheme: 'bearer', params: { realm: 'x' } }]
    },
    {
      name: 'scheme without parameters',
      header: 'Basic',
      expected: [{ scheme: 'basic', params: {} }]
    },
    { name: 'empty', header: '', expected: [] }
  ])('$name', ({ header, expected }) => {
    expect(parseChallenges(header)).toEqual(expected)
  })
})

describe('pickChallenge', () => {
  it.each([
    {
      name: 'Bearer preferred over Basic',
      header: 'Basic realm="a", Bearer realm="b"',
      scheme: 'bearer'
    },
    { name: 'Basic alone', header: 'Basic realm="a"', scheme: 'basic' },
    {
      name: 'unsupported scheme only',
      header: 'Negotiate abc',
      scheme: undefined
    },
    { name: 'no header', header: null, scheme: undefined }
  ])('$name', ({ header, scheme }) => {
    expect(pickChallenge(header)?.scheme).toBe(scheme)
  })
})
