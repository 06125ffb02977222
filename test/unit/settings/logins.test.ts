import { describe, expect, it } from '@jest/globals'
import { emptySecrets, type EmptyLogin } from '../../../src/settings/logins.js'

// An unset secret reads as an empty password: the trio's login step is
// guarded off on a pull request, and a run that pushes nothing needs none.

const PAIR: EmptyLogin = {
  registry: 'ghcr.io',
  username: 'u',
  input: 'password',
  value: ''
}
const ENTRY: EmptyLogin = {
  registry: '127.0.0.1:5002',
  username: 'bob',
  input: 'logins',
  value: 'entry 1 (registry 127.0.0.1:5002)'
}

describe('emptySecrets: a notice where the login can be skipped', () => {
  it.each([
    {
      name: "a fork's pull request that pushes",
      event: 'pull_request',
      pushed: ['ghcr.io'],
      notice:
        'Login to ghcr.io skipped: input "password" gave an empty password on a pull_request event (GitHub gives a fork\'s pull request no secrets); reads from ghcr.io go without credentials'
    },
    {
      name: 'a push event that pushes nothing',
      event: 'push',
      pushed: [],
      notice:
        'Login to ghcr.io skipped: input "password" gave an empty password and this run pushes nothing; reads from ghcr.io go without credentials'
    }
  ])('$name', ({ event, pushed, notice }) => {
    expect(emptySecrets([PAIR], event, pushed)).toEqual([notice])
  })

  it('skips a login for a registry the run only reads from, even on a push', () => {
    expect(emptySecrets([ENTRY], 'push', ['ghcr.io'])).toEqual([
      expect.stringMatching(
        /^Login to 127.0.0.1:5002 skipped: input "logins" gave an empty password/
      )
    ])
  })
})

describe('emptySecrets: an error where a push needs it', () => {
  it.each([
    { name: 'a push event', event: 'push', login: PAIR },
    { name: 'a release', event: 'release', login: PAIR },
    {
      name: 'pull_request_target, which is given secrets',
      event: 'pull_request_target',
      login: PAIR
    }
  ])('$name', ({ event, login }) => {
    expect(() => emptySecrets([login], event, ['ghcr.io'])).toThrow(
      /^input "password": invalid value "": the password is empty \(a secret that is not set reads as empty\), and this run pushes to ghcr.io/
    )
  })
})
