import { describe, expect, it } from '@jest/globals'
import { checkBranchName } from '../../../src/settings/branch-name.js'
import { checkRegistry, checkUsername } from '../../../src/settings/logins.js'
import {
  parseImageName,
  parseImageReference
} from '../../../src/reference/images.js'

describe('checkRegistry: every spelling docker login takes, as docker keeps it', () => {
  it.each([
    { name: 'host', value: 'ghcr.io', expected: 'ghcr.io' },
    { name: 'docker hub', value: 'docker.io', expected: 'docker.io' },
    {
      name: "docker hub's v1 URL (docker login's default)",
      value: 'https://index.docker.io/v1/',
      expected: 'docker.io'
    },
    {
      name: "docker hub's index",
      value: 'index.docker.io',
      expected: 'docker.io'
    },
    {
      name: "docker hub's API host",
      value: 'registry-1.docker.io',
      expected: 'docker.io'
    },
    {
      name: 'docker hub in capitals',
      value: 'Docker.IO',
      expected: 'docker.io'
    },
    {
      name: 'host and port',
      value: '127.0.0.1:5001',
      expected: '127.0.0.1:5001'
    },
    { name: 'localhost', value: 'localhost:5000', expected: 'localhost:5000' },
    {
      name: 'http URL with a trailing slash',
      value: 'http://localhost:5000/',
      expected: 'localhost:5000'
    },
    {
      name: 'capitals in the host: kept, as docker keeps them',
      value: 'Registry.Example.com',
      expected: 'Registry.Example.com'
    },
    { name: 'IPv6', value: '[::1]:5000', expected: '[::1]:5000' },
    {
      name: 'http URL',
      value: 'http://127.0.0.1:5001',
      expected: '127.0.0.1:5001'
    },
    {
      name: 'https URL with a path',
      value: 'https://ghcr.io/v2/',
      expected: 'ghcr.io'
    },
    { name: 'trailing slash', value: 'ghcr.io/', expected: 'ghcr.io' },
    { name: 'path after the host', value: 'ghcr.io/acme', expected: 'ghcr.io' },
    {
      name: 'highest port',
      value: 'r.example:65535',
      expected: 'r.example:65535'
    }
  ])('accepts $name', ({ value, expected }) => {
    expect(checkRegistry(value, 'registry')).toBe(expected)
  })

  it.each([
    { name: 'space', value: 'ghcr io' },
    { name: 'port over 65535', value: 'ghcr.io:70000' },
    { name: 'port zero', value: 'ghcr.io:0' },
    { name: 'other scheme', value: 'ftp://ghcr.io' },
    { name: 'user info', value: 'me@ghcr.io' },
    { name: 'query', value: 'https://ghcr.io/?x=1' },
    { name: 'empty host', value: 'https:///v1/' },
    { name: 'underscore in the host', value: 'my_registry.io' },
    { name: 'scheme only', value: 'https://' }
  ])('rejects $name', ({ value }) => {
    expect(() => checkRegistry(value, 'registry')).toThrow(
      /^input "registry": invalid value ".*": expected a registry host\[:port\] or an http\(s\) URL of one/
    )
  })
})

describe('checkUsername', () => {
  it.each([
    { name: 'plain', value: 'bot' },
    { name: 'email', value: 'me@example.com' },
    { name: 'token user', value: '00000000-0000-0000-0000-000000000000' }
  ])('accepts $name', ({ value }) => {
    expect(checkUsername(value, 'username')).toBe(value)
  })

  it.each([
    { name: 'newline', value: 'bot\nother' },
    { name: 'carriage return', value: 'bot\r' },
    { name: 'tab', value: 'a\tb' },
    { name: 'NUL', value: 'a\u0000' }
  ])('rejects $name', ({ value }) => {
    expect(() => checkUsername(value, 'username')).toThrow(
      /^input "username": invalid value .*: expected a user name on one line/
    )
  })
})

describe('checkBranchName', () => {
  it.each([
    { name: 'empty (not given)', value: '' },
    { name: 'main', value: 'main' },
    { name: 'slashes', value: 'release/v1.x' },
    { name: 'capitals and dashes', value: 'Dev-Trunk_2' }
  ])('accepts $name', ({ value }) => {
    expect(checkBranchName(value)).toBe(value)
  })

  it.each([
    { name: 'space', value: 'my branch' },
    { name: 'double dot', value: 'a..b' },
    { name: 'leading dash', value: '-main' },
    { name: 'trailing slash', value: 'main/' },
    { name: 'colon', value: 'a:b' },
    { name: 'lock ending', value: 'main.lock' },
    { name: 'reflog syntax', value: 'main@{1}' },
    { name: 'lone @', value: '@' }
  ])('rejects $name', ({ value }) => {
    expect(() => checkBranchName(value)).toThrow(
      /^input "default-branch": invalid value ".*": expected a git branch name/
    )
  })
})

describe('image ports and source case', () => {
  it.each([
    { name: 'port over 65535', value: 'r.example:65536/app' },
    { name: 'port zero', value: 'localhost:0/app' }
  ])('rejects an image with a $name', ({ value }) => {
    expect(() => parseImageName(value)).toThrow(
      /^input "images": invalid value .*port 1-65535/
    )
  })

  it('lower-cases images (metadata-action, SPEC 1)', () => {
    expect(parseImageName('ghcr.io/Acme/App').name).toBe('ghcr.io/acme/app')
  })

  it.each([
    { name: 'capitals in the path', value: 'ghcr.io/Acme/app:1.0' },
    {
      name: 'capitals in the repository',
      value: 'ghcr.io/acme/App@sha256:' + 'a'.repeat(64)
    },
    { name: 'port over 65535', value: 'r.example:99999/app:1' }
  ])('rejects a source with $name', ({ value }) => {
    expect(() => parseImageReference(value, 'source')).toThrow(
      /^input "source": invalid value .*lower-case path components/
    )
  })

  it('keeps capitals in the source host, as docker does', () => {
    expect(
      parseImageReference('Registry.Example:5000/app:1', 'source').image
    ).toEqual({
      name: 'Registry.Example:5000/app',
      registry: 'Registry.Example:5000',
      apiHost: 'Registry.Example:5000',
      scheme: 'https',
      repository: 'app'
    })
  })
})
