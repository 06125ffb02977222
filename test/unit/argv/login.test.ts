import { describe, expect, it } from '@jest/globals'
import { loginArgs } from '../../../src/argv/login.js'

describe('loginArgs', () => {
  it.each([
    {
      name: 'login: the password is read from stdin',
      argv: loginArgs('ghcr.io', 'octo', '/home/u/.docker'),
      expected: [
        '--config',
        '/home/u/.docker',
        'login',
        'ghcr.io',
        '--username',
        'octo',
        '--password-stdin'
      ]
    },
    {
      name: 'login to a registry with a port',
      argv: loginArgs('127.0.0.1:5001', 'ci', '/home/u/.docker'),
      expected: [
        '--config',
        '/home/u/.docker',
        'login',
        '127.0.0.1:5001',
        '--username',
        'ci',
        '--password-stdin'
      ]
    }
  ])('$name', ({ argv, expected }) => {
    expect(argv).toEqual(expected)
  })
})
