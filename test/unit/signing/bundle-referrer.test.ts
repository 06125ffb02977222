/**
 * cosign 3's signatures: a bundle referrer recorded from Debian sid's cosign 3.1.1 signing with
 * the fixture key (test/fixtures/cosign3/README.md), read back from a memory registry in the
 * referrers tag schema as cosign left it on distribution 2.8; which verify, and why the others
 * are not cosign's signature of the digest.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseImageName } from '../../../src/reference/images.js'
import { sha256Digest } from '../../../src/reference/grammar.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import {
  countKeylessSignatures,
  parseTrustedRoot
} from '../../../src/signing/keyless-verify.js'
import {
  GITHUB_ISSUER,
  startStandins,
  WORKFLOW_IDENTITY,
  type Standins
} from '../../support/sigstore-standins.js'
import {
  countValidBundles,
  preAuthEncoding,
  statementRefusal,
  type BundleJson
} from '../../../src/signing/bundle-referrer.js'

const FIXTURES = 'test/fixtures/cosign3'
const read = (file: string) => readFileSync(join(FIXTURES, file))
const PUBLIC = readFileSync('test/fixtures/cosign/cosign.pub', 'utf8')
const IMAGE = 'registry.test/acme/webapp'
/** The digest cosign signed: the recorded image manifest's. */
const DIGEST = sha256Digest(read('image.json'))
const OTHER = `sha256:${'b'.repeat(64)}`
const RECORDED = JSON.parse(read('bundle.json').toString()) as BundleJson

const manifest = (bytes: Uint8Array, mediaType: string) => ({
  mediaType,
  digest: sha256Digest(bytes),
  body: new Uint8Array(bytes)
})

/** The recorded referrer, its bundle (`bundle` in its place) and the referrers tag listing it. */
function registryWith(
  bundle: BundleJson | string,
  subject = DIGEST
): MemoryRegistry {
  const registry = new MemoryRegistry()
  const image = parseImageName(IMAGE)
  const text = typeof bundle === 'string' ? bundle : JSON.stringify(bundle)
  const blob = new TextEncoder().encode(text)
  const json = JSON.parse(read('referrer.json').toString()) as {
    layers: { digest: string; size: number }[]
    subject: { digest: string }
  }
  json.layers[0] = { ...json.layers[0], digest: sha256Digest(blob) }
  json.subject.digest = subject
  const referrer = manifest(
    new TextEncoder().encode(JSON.stringify(json)),
    'application/vnd.oci.image.manifest.v1+json'
  )
  const list = JSON.parse(read('referrers-tag.json').toString()) as {
    manifests: { digest: string; size: number }[]
  }
  list.manifests[0].digest = referrer.digest
  const index = manifest(
    new TextEncoder().encode(JSON.stringify(list)),
    'application/vnd.oci.image.index.v1+json'
  )
  void registry.putBlob(image, blob)
  void registry.putManifest(image, referrer.digest, referrer)
  void registry.putManifest(image, DIGEST.replace(':', '-'), index)
  return registry
}

/** The recorded bundle with its statement changed (its signature then no longer verifies). */
function withStatement(change: (s: Record<string, unknown>) => void) {
  const envelope = RECORDED.dsseEnvelope!
  const statement = JSON.parse(
    Buffer.from(envelope.payload, 'base64').toString()
  ) as Record<string, unknown>
  change(statement)
  const payload = Buffer.from(JSON.stringify(statement)).toString('base64')
  return { ...RECORDED, dsseEnvelope: { ...envelope, payload } }
}

const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString()

describe("cosign 3's bundle referrers, verified with a key", () => {
  it.each([
    { name: "cosign 3.1.1's own, with its key", valid: 1 },
    { name: 'another key', key: otherKey, valid: 0 },
    {
      name: 'a bundle whose signature was changed',
      bundle: {
        ...RECORDED,
        dsseEnvelope: {
          ...RECORDED.dsseEnvelope!,
          signatures: [{ sig: Buffer.from('forged').toString('base64') }]
        }
      },
      valid: 0
    },
    {
      name: 'a statement changed under its signature',
      bundle: withStatement(s => (s.predicate = { changed: true })),
      valid: 0
    },
    {
      name: 'a referrer of another digest (listed under ours)',
      subject: OTHER,
      valid: 0
    },
    { name: 'a blob that is not JSON', bundle: 'not json', valid: 0 }
  ])('$name', async ({ bundle = RECORDED, key = PUBLIC, subject, valid }) => {
    const registry = registryWith(bundle, subject)
    expect(
      await countValidBundles(registry, parseImageName(IMAGE), DIGEST, key)
    ).toBe(valid)
  })

  it('none on a digest without referrers', async () => {
    expect(
      await countValidBundles(
        new MemoryRegistry(),
        parseImageName(IMAGE),
        DIGEST,
        PUBLIC
      )
    ).toBe(0)
  })
})

describe("a bundle's statement", () => {
  it.each([
    { name: "cosign 3.1.1's signature of the digest", refusal: '' },
    {
      name: 'another digest',
      bundle: withStatement(s => (s.subject = [{ digest: { sha256: 'b' } }])),
      refusal: `a bundle vouches for another digest than ${DIGEST}`
    },
    {
      name: 'an attestation (cosign attest)',
      bundle: withStatement(
        s => (s.predicateType = 'https://slsa.dev/provenance/v1')
      ),
      refusal:
        'a bundle is an attestation (https://slsa.dev/provenance/v1), not a signature'
    },
    {
      name: 'a message signature, no envelope',
      bundle: { ...RECORDED, dsseEnvelope: undefined },
      refusal: 'a bundle holds no DSSE envelope'
    },
    {
      name: 'another payload type',
      bundle: {
        ...RECORDED,
        dsseEnvelope: { ...RECORDED.dsseEnvelope!, payloadType: 'text/plain' }
      },
      refusal: "a bundle's payload is text/plain, not an in-toto statement"
    }
  ])('$name', ({ bundle = RECORDED, refusal }) => {
    expect(statementRefusal(bundle, DIGEST)).toBe(refusal)
  })
})

describe("DSSE's pre-authentication encoding", () => {
  it('counts bytes, not characters', () => {
    expect(
      Buffer.from(
        preAuthEncoding('t/é', new TextEncoder().encode('ü'))
      ).toString()
    ).toBe('DSSEv1 4 t/é 2 ü')
  })
})

describe("cosign 3's bundle referrers, verified keyless", () => {
  let standins: Standins
  beforeAll(async () => {
    standins = await startStandins()
  })
  afterAll(() => standins.close())

  /** The recorded envelope as a keyless bundle would carry it: a certificate, no key hint. */
  const keyless = (bundle: BundleJson): BundleJson => ({
    ...bundle,
    verificationMaterial: {
      certificate: {
        rawBytes: Buffer.from('not a certificate').toString('base64')
      }
    }
  })

  it.each([
    {
      name: "a key's bundle: not a keyless signature, no refusal",
      bundle: RECORDED,
      refusals: []
    },
    {
      name: 'a keyless bundle of another digest',
      bundle: keyless(
        withStatement(s => (s.subject = [{ digest: { sha256: 'b' } }]))
      ),
      refusals: [`a bundle vouches for another digest than ${DIGEST}`]
    },
    {
      name: 'a keyless bundle whose certificate is none: refused by @sigstore/verify',
      bundle: keyless(RECORDED),
      refusals: [expect.any(String)]
    }
  ])('$name', async ({ bundle, refusals }) => {
    const result = await countKeylessSignatures(
      registryWith(bundle),
      parseImageName(IMAGE),
      DIGEST,
      {
        identity: WORKFLOW_IDENTITY,
        issuer: GITHUB_ISSUER,
        trust: parseTrustedRoot(readFileSync(standins.trustedRootFile, 'utf8'))
      }
    )
    expect(result).toEqual({ valid: 0, refusals })
  })
})
