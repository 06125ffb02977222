import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MemoryRegistry } from '../../support/memory-registry.js'
import { loadSigner, verifies } from '../../../src/signing/signing-key.js'
import {
  copyArtifacts,
  countValidSignatures,
  writeSignature
} from '../../../src/signing/signatures.js'
import {
  artifactTag,
  artifactLayers,
  payloadDigest,
  SIGNATURE_ANNOTATION
} from '../../../src/signing/cosign.js'

const COSIGN = 'test/fixtures/cosign'
const cosignKey = readFileSync(join(COSIGN, 'cosign.key'), 'utf8')
const cosignPub = readFileSync(join(COSIGN, 'cosign.pub'), 'utf8')

/** An openssl-style key: PKCS#8, encrypted with a passphrase. */
function opensslKey(type: 'ec' | 'rsa' | 'ed25519', passphrase: string) {
  const options = {
    privateKeyEncoding: {
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase
    },
    publicKeyEncoding: { type: 'spki', format: 'pem' }
  } as const
  if (type === 'ec')
    return generateKeyPairSync('ec', { namedCurve: 'P-256', ...options })
  if (type === 'rsa')
    return generateKeyPairSync('rsa', { modulusLength: 2048, ...options })
  return generateKeyPairSync('ed25519', options)
}

const PAYLOAD = new TextEncoder().encode('{"critical":{}}')

describe('the signing key', () => {
  it.each([
    {
      name: 'cosign generate-key-pair',
      key: cosignKey,
      password: 'test only',
      pub: cosignPub
    },
    ...(['ec', 'rsa', 'ed25519'] as const).map(type => {
      const pair = opensslKey(type, 'pw')
      return {
        name: `openssl ${type} PKCS#8`,
        key: pair.privateKey,
        password: 'pw',
        pub: pair.publicKey
      }
    })
  ])('$name signs what its public key verifies', ({ key, password, pub }) => {
    const signer = loadSigner(key, password)
    expect(signer.publicKey.replace(/\s/g, '')).toBe(pub.replace(/\s/g, ''))
    const signature = signer.sign(PAYLOAD)
    expect(verifies(pub, PAYLOAD, signature)).toBe(true)
    expect(verifies(pub, new TextEncoder().encode('other'), signature)).toBe(
      false
    )
  })

  it.each([
    {
      name: 'a cosign key',
      key: cosignKey,
      error:
        /input "signing-password": invalid value "\*\*\*": it does not open the cosign key/
    },
    {
      name: 'an openssl key',
      key: opensslKey('ec', 'pw').privateKey,
      error:
        /input "signing-key": invalid value "\*\*\*": not a private key that "signing-password" opens/
    }
  ])('a wrong password for $name names the input', ({ key, error }) => {
    expect(() => loadSigner(key, 'wrong')).toThrow(error)
  })
})

describe("signatures in cosign's tag scheme", () => {
  const image = '127.0.0.1:5001/o/app'
  const app = parseImageName(image)
  const signer = loadSigner(cosignKey, 'test only')

  it('signs a digest under sha256-<hex>.sig, once per key', async () => {
    const registry = new MemoryRegistry()
    const digest = registry.push(image, 'one', '1.0.0').digest
    const tag = artifactTag(digest, 'sig')
    expect(tag).toBe(`sha256-${digest.slice(7)}.sig`)
    expect(await writeSignature(registry, app, digest, signer)).toEqual({
      tag,
      written: true
    })
    // a re-run finds its signature and writes nothing
    expect(await writeSignature(registry, app, digest, signer)).toEqual({
      tag,
      written: false
    })
    const manifest = await registry.getManifest(app, tag)
    const layers = artifactLayers(manifest)
    expect(layers).toHaveLength(1)
    const payload = await registry.getBlob(app, layers[0].digest)
    expect(payloadDigest(payload!)).toBe(digest)
    expect(layers[0].annotations?.[SIGNATURE_ANNOTATION]).toMatch(
      /^[A-Za-z0-9+/=]+$/
    )
    expect(await countValidSignatures(registry, app, digest, cosignPub)).toBe(1)
    const other = opensslKey('ec', 'x').publicKey
    expect(await countValidSignatures(registry, app, digest, other)).toBe(0)
    // another key adds its signature beside the first
    const second = loadSigner(opensslKey('ec', 'x').privateKey, 'x')
    await writeSignature(registry, app, digest, second)
    expect(artifactLayers(await registry.getManifest(app, tag))).toHaveLength(2)
  })

  it('two runs signing one digest at once both keep their signature', async () => {
    const registry = new MemoryRegistry()
    const digest = registry.push(image, 'one', '1.0.0').digest
    const keys = [opensslKey('ec', 'a'), opensslKey('ec', 'b')]
    await Promise.all(
      keys.map(key =>
        writeSignature(
          registry,
          app,
          digest,
          loadSigner(key.privateKey, key === keys[0] ? 'a' : 'b')
        )
      )
    )
    for (const key of keys)
      expect(
        await countValidSignatures(registry, app, digest, key.publicKey)
      ).toBe(1)
  })

  it('a signature of another digest does not count', async () => {
    const registry = new MemoryRegistry()
    const signed = registry.push(image, 'one').digest
    const other = registry.push(image, 'two').digest
    await writeSignature(registry, app, signed, signer)
    // the .sig of `signed` copied under `other`'s tag
    const manifest = await registry.getManifest(app, artifactTag(signed, 'sig'))
    await registry.putManifest(app, artifactTag(other, 'sig'), manifest!)
    expect(await countValidSignatures(registry, app, other, cosignPub)).toBe(0)
  })

  it('copies signatures and attestations to another repository, adding to what it holds', async () => {
    const registry = new MemoryRegistry()
    const target = parseImageName('127.0.0.1:5002/stable/app')
    const digest = registry.push(image, 'one').digest
    await writeSignature(registry, app, digest, signer)
    expect(await copyArtifacts(registry, app, digest, target)).toEqual([
      artifactTag(digest, 'sig')
    ])
    expect(
      await countValidSignatures(registry, target, digest, cosignPub)
    ).toBe(1)
    // copied again: nothing new
    expect(await copyArtifacts(registry, app, digest, target)).toEqual([])
    expect(
      await copyArtifacts(registry, app, 'sha256:' + '0'.repeat(64), target)
    ).toEqual([])
  })
})
