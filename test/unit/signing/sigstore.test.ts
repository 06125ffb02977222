import { describe, expect, it } from '@jest/globals'
import {
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  certificateChain,
  certificateIdentity,
  certificateRequest,
  challenge,
  keylessAnnotations,
  keylessVerifyCommand,
  rekorBundle,
  rekorEntry,
  tokenClaims
} from '../../../src/signing/sigstore.js'
import { SIGNATURE_ANNOTATION } from '../../../src/signing/cosign.js'

const part = (value: object) =>
  Buffer.from(JSON.stringify(value)).toString('base64url')
const token = (claims: object) =>
  `${part({ alg: 'ES256' })}.${part(claims)}.c2ln`

const GITHUB = {
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/webapp:ref:refs/tags/v1.2.3',
  job_workflow_ref: 'acme/webapp/.github/workflows/release.yml@refs/tags/v1.2.3'
}
const LEAF = '-----BEGIN CERTIFICATE-----\nTEVBRg==\n-----END CERTIFICATE-----'
const ROOT = '-----BEGIN CERTIFICATE-----\nUk9PVA==\n-----END CERTIFICATE-----'

describe('the OIDC token', () => {
  it.each([
    { name: "GitHub Actions' claims", value: token(GITHUB), claims: GITHUB },
    {
      name: 'an email token',
      value: token({
        iss: 'https://accounts.google.com',
        sub: '1',
        email: 'a@b.c'
      }),
      claims: { iss: 'https://accounts.google.com', sub: '1', email: 'a@b.c' }
    }
  ])('reads $name', ({ value, claims }) => {
    expect(tokenClaims(value)).toEqual(claims)
  })

  it.each([
    { name: 'not a JWT', value: 'opaque-token' },
    { name: 'a body that is not JSON', value: 'a.bm90IGpzb24.c' },
    { name: 'no subject', value: token({ iss: 'https://issuer' }) },
    { name: 'no issuer', value: token({ sub: 'x' }) }
  ])('refuses $name', ({ value }) => {
    expect(() => tokenClaims(value)).toThrow(
      /not a JWT with "iss" and "sub" claims/
    )
  })
})

describe('the identity Fulcio certifies, and what the proof signs', () => {
  it.each([
    {
      name: 'a GitHub workflow: its URL at the ref, the subject signed',
      claims: GITHUB,
      identity:
        'https://github.com/acme/webapp/.github/workflows/release.yml@refs/tags/v1.2.3',
      proof: GITHUB.sub
    },
    {
      name: 'a reusable workflow: the called workflow, not the caller',
      claims: {
        ...GITHUB,
        job_workflow_ref:
          'acme/builder/.github/workflows/build.yml@refs/heads/main'
      },
      identity:
        'https://github.com/acme/builder/.github/workflows/build.yml@refs/heads/main',
      proof: GITHUB.sub
    },
    {
      name: 'an email token: the email',
      claims: { iss: 'https://accounts.google.com', sub: '1', email: 'a@b.c' },
      identity: 'a@b.c',
      proof: 'a@b.c'
    },
    {
      name: 'another issuer: the subject',
      claims: {
        iss: 'https://gitlab.com',
        sub: 'project_path:g/p:ref_type:tag'
      },
      identity: 'project_path:g/p:ref_type:tag',
      proof: 'project_path:g/p:ref_type:tag'
    }
  ])('$name', ({ claims, identity, proof }) => {
    expect(certificateIdentity(claims)).toBe(identity)
    expect(challenge(claims)).toBe(proof)
  })
})

describe("Fulcio's request and answer", () => {
  it('asks for a certificate of the public key with the token and its proof', () => {
    expect(certificateRequest('jwt', 'PEM', 'proof')).toEqual({
      credentials: { oidcIdentityToken: 'jwt' },
      publicKeyRequest: {
        publicKey: { algorithm: 'ECDSA', content: 'PEM' },
        proofOfPossession: 'proof'
      }
    })
  })

  it.each([
    {
      name: 'an embedded SCT',
      answer: {
        signedCertificateEmbeddedSct: { chain: { certificates: [LEAF, ROOT] } }
      }
    },
    {
      name: 'a detached SCT',
      answer: {
        signedCertificateDetachedSct: {
          chain: { certificates: [LEAF, ROOT] },
          signedCertificateTimestamp: 'c2N0'
        }
      }
    }
  ])('reads the chain, leaf first, of $name', ({ answer }) => {
    expect(certificateChain(answer)).toEqual([`${LEAF}\n`, `${ROOT}\n`])
  })

  it.each([
    { name: 'no chain', answer: { signedCertificateEmbeddedSct: {} } },
    {
      name: 'an empty chain',
      answer: { signedCertificateEmbeddedSct: { chain: { certificates: [] } } }
    },
    {
      name: 'something else than certificates',
      answer: { signedCertificateEmbeddedSct: { chain: { certificates: [1] } } }
    },
    { name: 'null', answer: null }
  ])('refuses $name', ({ answer }) => {
    expect(() => certificateChain(answer)).toThrow(
      /Fulcio answered without a certificate chain/
    )
  })
})

describe("Rekor's entry and bundle", () => {
  it('enters the payload hash, the signature and the certificate (base64 of its PEM)', () => {
    expect(rekorEntry('ab12', 'c2ln', LEAF)).toEqual({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: 'ab12' } },
        signature: {
          content: 'c2ln',
          publicKey: { content: Buffer.from(LEAF).toString('base64') }
        }
      }
    })
  })

  const entry = {
    body: 'Ym9keQ==',
    integratedTime: 1700000000,
    logID: 'c0ffee',
    logIndex: 42,
    verification: { signedEntryTimestamp: 'U0VU', inclusionProof: {} }
  }

  it("turns Rekor's answer into cosign's bundle", () => {
    expect(JSON.parse(rekorBundle({ '24296fb2': entry }))).toEqual({
      SignedEntryTimestamp: 'U0VU',
      Payload: {
        body: 'Ym9keQ==',
        integratedTime: 1700000000,
        logIndex: 42,
        logID: 'c0ffee'
      }
    })
  })

  it.each([
    { name: 'no entry', answer: {} },
    { name: 'two entries', answer: { a: entry, b: entry } },
    {
      name: 'no signed entry timestamp',
      answer: { a: { ...entry, verification: {} } }
    },
    {
      name: 'a log index as text',
      answer: { a: { ...entry, logIndex: '42' } }
    },
    { name: 'not an object', answer: 'created' }
  ])('refuses $name', ({ answer }) => {
    expect(() => rekorBundle(answer)).toThrow(
      /Rekor answered without one log entry/
    )
  })
})

describe('the signature layer and the verify command', () => {
  it.each([
    {
      name: 'a leaf under a root',
      chain: [`${LEAF}\n`, `${ROOT}\n`],
      rest: `${ROOT}\n`
    },
    {
      name: 'a leaf, an intermediate and a root',
      chain: [`${LEAF}\n`, `${ROOT}\n`, `${ROOT}\n`],
      rest: `${ROOT}\n${ROOT}\n`
    }
  ])(
    'annotates $name: signature, certificate, the rest as chain, bundle',
    ({ chain, rest }) => {
      expect(keylessAnnotations('c2ln', chain, '{}')).toEqual({
        [SIGNATURE_ANNOTATION]: 'c2ln',
        [CERTIFICATE_ANNOTATION]: `${LEAF}\n`,
        [CHAIN_ANNOTATION]: rest,
        [BUNDLE_ANNOTATION]: '{}'
      })
    }
  )

  it('names the identity and the issuer', () => {
    expect(
      keylessVerifyCommand(
        'https://github.com/acme/webapp/.github/workflows/release.yml@refs/tags/v1',
        'https://token.actions.githubusercontent.com',
        'ghcr.io/acme/webapp@sha256:ab'
      )
    ).toBe(
      'cosign verify --certificate-identity https://github.com/acme/webapp/.github/workflows/release.yml@refs/tags/v1 --certificate-oidc-issuer https://token.actions.githubusercontent.com ghcr.io/acme/webapp@sha256:ab'
    )
  })
})
