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
    },
    { name: 'keyless', inputs: { sign: 'keyless' }, sign: 'keyless' },
    {
      name: 'true without a key is keyless',
      inputs: { sign: 'true' },
      sign: 'keyless'
    }
  ])('$name', async ({ inputs, sign }) => {
    const settings = await parseSettings(source({ ...IMAGE, ...inputs }))
    expect(settings.signing.sign).toBe(sign)
  })

  it.each([
    {
      name: 'the public-good instances by default',
      inputs: {},
      urls: ['https://fulcio.sigstore.dev', 'https://rekor.sigstore.dev']
    },
    {
      name: 'private instances as given',
      inputs: {
        'fulcio-url': 'http://127.0.0.1:5555/fulcio',
        'rekor-url': 'https://rekor.internal '
      },
      urls: ['http://127.0.0.1:5555/fulcio', 'https://rekor.internal']
    }
  ])('keyless endpoints: $name', async ({ inputs, urls }) => {
    const settings = await parseSettings(
      source({ ...IMAGE, sign: 'keyless', ...inputs })
    )
    expect([settings.signing.fulcioUrl, settings.signing.rekorUrl]).toEqual(
      urls
    )
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
      name: 'a Fulcio URL that is not http(s)',
      inputs: { sign: 'keyless', 'fulcio-url': 'fulcio.example' },
      error:
        /input "fulcio-url": invalid value "fulcio.example": expected an http\(s\) URL, e.g. https:\/\/fulcio.sigstore.dev/
    },
    {
      name: 'a Rekor URL with a space',
      inputs: { sign: 'keyless', 'rekor-url': 'https://rekor .example' },
      error: /input "rekor-url": invalid value "https:\/\/rekor .example"/
    },
    {
      name: 'keyless on a digest leg',
      inputs: { sign: 'keyless', mode: 'digest', platforms: 'linux/amd64' },
      error:
        /input "sign": invalid value "keyless": .*sign in the mode "merge" job/
    },
    {
      name: 'verify-identity outside promote',
      inputs: {
        'verify-identity':
          'https://github.com/o/r/.github/workflows/r.yml@refs/tags/v1',
        'verify-trusted-root': 'trusted_root.json'
      },
      error: /input "verify-identity": .*only modes "promote" and "rollback"/
    },
    {
      name: 'verify-identity without a trusted root',
      inputs: {
        mode: 'promote',
        source: 'ghcr.io/o/app:1',
        'verify-identity':
          'https://github.com/o/r/.github/workflows/r.yml@refs/tags/v1'
      },
      error:
        /input "verify-trusted-root": invalid value "": verify-identity needs the path of a Sigstore trusted_root.json/
    },
    {
      name: 'a trusted root without verify-identity',
      inputs: {
        mode: 'promote',
        source: 'ghcr.io/o/app:1',
        'verify-trusted-root': 'trusted_root.json'
      },
      error: /input "verify-trusted-root": .*read only with verify-identity/
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
      error: /input "verify-key": .*only modes "promote" and "rollback"/
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
