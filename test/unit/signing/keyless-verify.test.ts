/**
 * promote's keyless gate on signatures made by the real keyless signer
 * against the Sigstore stand-ins (test/support/sigstore-standins.ts), kept
 * in a memory registry: which verify, and the reason given for the others.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import { readFileSync } from 'node:fs'
import { MemoryRegistry } from '../../support/memory-registry.js'
import {
  GITHUB_ISSUER,
  startStandins,
  WORKFLOW_IDENTITY,
  type SctKind,
  type Standins
} from '../../support/sigstore-standins.js'
import { addSignature } from '../../../src/signing/signatures.js'
import {
  openKeylessSigner,
  requestIdToken
} from '../../../src/signing/sigstore-client.js'
import {
  countKeylessSignatures,
  parseTrustedRoot
} from '../../../src/signing/keyless-verify.js'

const IMAGE = 'registry.test/acme/webapp'
const DIGEST = `sha256:${'a'.repeat(64)}`
const LIMITS = { timeoutMs: 5_000, retries: 0 }

const standins = {} as Record<SctKind | 'other', Standins>
beforeAll(async () => {
  for (const kind of ['trusted', 'none', 'unknown-log'] as const)
    standins[kind] = await startStandins(kind)
  standins.other = await startStandins()
})
afterAll(() => Promise.all(Object.values(standins).map(s => s.close())))

/** The image in a memory registry, signed keyless through these stand-ins. */
async function signedBy(sigstore: Standins): Promise<MemoryRegistry> {
  const { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN } =
    sigstore.tokenEnv
  const token = await requestIdToken(
    url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    'sigstore',
    LIMITS
  )
  const signer = await openKeylessSigner(token, { ...sigstore, limits: LIMITS })
  const registry = new MemoryRegistry()
  await addSignature(registry, parseImageName(IMAGE), DIGEST, signer)
  return registry
}

type Root = Record<string, unknown>
const rootOf = (sigstore: Standins) =>
  JSON.parse(readFileSync(sigstore.trustedRootFile, 'utf8')) as Root

describe("promote's keyless gate", () => {
  const WORKFLOW = { identity: WORKFLOW_IDENTITY, issuer: GITHUB_ISSUER }
  /** The trusted stand-ins' root, with one part taken from another instance's. */
  const swapped = (part: string) => (own: Root, other: Root) => ({
    ...own,
    [part]: other[part]
  })

  it.each([
    { name: 'a certificate with an SCT from the trusted CT log', valid: 1 },
    {
      name: 'another identity',
      policy: { identity: WORKFLOW_IDENTITY.replace('release', 'other') },
      refusal: `the certificate names ${WORKFLOW_IDENTITY}`
    },
    {
      name: 'another issuer',
      policy: { issuer: 'https://accounts.google.com' },
      refusal: `the certificate's issuer is ${GITHUB_ISSUER}`
    },
    {
      name: 'a certificate without an SCT',
      signer: 'none' as const,
      refusal:
        'the certificate has no valid SCT from a trusted CT log (expected 1 SCTs, got 0)'
    },
    {
      name: 'an SCT from a CT log the trust does not name',
      signer: 'unknown-log' as const,
      refusal:
        'the certificate has no valid SCT from a trusted CT log (SCT verification failed)'
    },
    {
      name: "another CT log's key in the trust",
      trust: swapped('ctlogs'),
      refusal:
        'the certificate has no valid SCT from a trusted CT log (SCT verification failed)'
    },
    {
      name: "another Rekor's key in the trust",
      trust: swapped('tlogs'),
      refusal: 'inclusion promise could not be verified'
    },
    {
      name: "another Fulcio's root in the trust",
      trust: swapped('certificateAuthorities'),
      refusal: 'Failed to verify certificate chain'
    }
  ])(
    '$name',
    async ({
      signer = 'trusted' as SctKind,
      policy = {},
      trust,
      valid = 0,
      refusal
    }) => {
      const registry = await signedBy(standins[signer])
      const own = rootOf(standins[signer])
      const root = trust ? trust(own, rootOf(standins.other)) : own
      const result = await countKeylessSignatures(
        registry,
        parseImageName(IMAGE),
        DIGEST,
        {
          ...WORKFLOW,
          ...policy,
          trust: parseTrustedRoot(JSON.stringify(root))
        }
      )
      expect(result).toEqual({
        valid,
        refusals: refusal === undefined ? [] : [refusal]
      })
    }
  )

  it('counts none on a digest without signatures', async () => {
    const registry = await signedBy(standins.trusted)
    const other = `sha256:${'b'.repeat(64)}`
    expect(
      await countKeylessSignatures(registry, parseImageName(IMAGE), other, {
        ...WORKFLOW,
        trust: parseTrustedRoot(JSON.stringify(rootOf(standins.trusted)))
      })
    ).toEqual({ valid: 0, refusals: [] })
  })
})

describe('a Sigstore trusted_root.json', () => {
  it.each([
    { name: 'no Fulcio', part: 'certificateAuthorities' },
    { name: 'no Rekor', part: 'tlogs' }
  ])('refuses one naming $name', ({ part }) => {
    const root = { ...rootOf(standins.trusted), [part]: [] }
    expect(() => parseTrustedRoot(JSON.stringify(root))).toThrow(
      'it names no certificateAuthorities or no tlogs (expected a Sigstore trusted_root.json)'
    )
  })

  it.each([
    { name: 'a chain without certificates', part: 'certificateAuthorities' },
    { name: 'a log without a key', part: 'tlogs' }
  ])('refuses $name', ({ part }) => {
    const root = rootOf(standins.trusted)
    const broken = { ...root, [part]: [{ logId: { keyId: 'AA==' } }] }
    expect(() => parseTrustedRoot(JSON.stringify(broken))).toThrow()
  })
})
