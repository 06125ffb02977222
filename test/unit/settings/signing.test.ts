import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'

const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''

const KEY =
  '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----'
const PUBLIC =
  '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'
const IMAGE = { images: 'ghcr.io/o/app' }

describe('the signing inputs', () => {
  it.each([
    { name: 'off by default', inputs: {}, sign: 'off' },
    { name: 'false', inputs: { sign: 'false' }, sign: 'off' },
    {
      name: 'key with a key',
      inputs: { sign: 'key', 'signing-key': KEY },
      sign: 'key'
    },
    {
      name: 'true picks the key when one is given',
      inputs: { sign: 'true', 'signing-key': KEY },
      sign: 'key'
    }
  ])('$name', async ({ inputs, sign }) => {
    const settings = await parseSettings(source({ ...IMAGE, ...inputs }))
    expect(settings.signing.sign).toBe(sign)
  })

  it('keeps the password as given (it may end in a space)', async () => {
    const settings = await parseSettings(
      source({
        ...IMAGE,
        sign: 'key',
        'signing-key': KEY,
        'signing-password': 'p w '
      })
    )
    expect(settings.signing.password).toBe('p w ')
  })

  it.each([
    {
      name: 'an unknown sign value',
      inputs: { sign: 'yes' },
      error:
        /input "sign": invalid value "yes": expected one of false, true, key, keyless/
    },
    {
      name: 'key without a key',
      inputs: { sign: 'key' },
      error: /input "sign": .*needs input "signing-key"/
    },
    {
      name: 'keyless, not available yet',
      inputs: { sign: 'keyless' },
      error:
        /input "sign": invalid value "keyless": keyless signing .* not available yet/
    },
    {
      name: 'true without a key (keyless)',
      inputs: { sign: 'true' },
      error: /input "sign": invalid value "true": keyless/
    },
    {
      name: 'a key that is no PEM, its value not quoted',
      inputs: { sign: 'key', 'signing-key': 'hunter2' },
      error: /input "signing-key": invalid value "\*\*\*": expected a PEM key/
    },
    {
      name: 'signing a digest leg',
      inputs: {
        sign: 'key',
        'signing-key': KEY,
        mode: 'digest',
        platforms: 'linux/amd64'
      },
      error: /input "sign": .*sign in the mode "merge" job/
    },
    {
      name: 'signing without push',
      inputs: { sign: 'key', 'signing-key': KEY, push: 'false' },
      error: /input "sign": .*needs the image pushed/
    },
    {
      name: 'verify-key outside promote',
      inputs: { 'verify-key': PUBLIC },
      error: /input "verify-key": .*only mode "promote"/
    }
  ])('refuses $name', async ({ inputs, error }) => {
    await expect(
      parseSettings(source({ ...IMAGE, ...inputs }))
    ).rejects.toThrow(error)
  })

  it('never shows the key in the error', async () => {
    await expect(
      parseSettings(source({ ...IMAGE, 'signing-key': 'secret-key-text' }))
    ).rejects.not.toThrow(/secret-key-text/)
  })
})
