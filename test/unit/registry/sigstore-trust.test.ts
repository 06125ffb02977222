import { describe, expect, it } from '@jest/globals'
import {
  certificateIssuer,
  parseTrustedRoot,
  signedEntryPayload,
  subjectAltNames
} from '../../../src/registry/sigstore-trust.js'

const OID_V2 = [0x2b, 6, 1, 4, 1, 0x83, 0xbf, 0x30, 1, 8]
const OID_V1 = [0x2b, 6, 1, 4, 1, 0x83, 0xbf, 0x30, 1, 1]
const tlv = (tag: number, content: number[]) => {
  const n = content.length
  const length = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255]
  return [tag, ...length, ...content]
}
const text = (value: string) => [...Buffer.from(value, 'utf8')]
/** An extension as a certificate holds it: SEQUENCE { OID, [critical], OCTET STRING }. */
const extension = (oid: number[], value: number[], critical = false) =>
  tlv(0x30, [
    ...tlv(0x06, oid),
    ...(critical ? [0x01, 0x01, 0xff] : []),
    ...tlv(0x04, value)
  ])
const ISSUER = 'https://token.actions.githubusercontent.com'
const LONG = `https://${'x'.repeat(300)}.example`

describe('the issuer Fulcio writes into a certificate', () => {
  it.each([
    {
      name: 'v2: a UTF8String',
      der: extension(OID_V2, tlv(0x0c, text(ISSUER))),
      issuer: ISSUER
    },
    {
      name: 'v1: the raw bytes',
      der: extension(OID_V1, text(ISSUER)),
      issuer: ISSUER
    },
    {
      name: 'v2 before v1 when both are there',
      der: [
        ...extension(OID_V1, text('https://v1')),
        ...extension(OID_V2, tlv(0x0c, text('https://v2')))
      ],
      issuer: 'https://v2'
    },
    {
      name: 'a critical extension',
      der: extension(OID_V2, tlv(0x0c, text(ISSUER)), true),
      issuer: ISSUER
    },
    {
      name: 'a long value (two length bytes)',
      der: extension(OID_V2, tlv(0x0c, text(LONG))),
      issuer: LONG
    },
    { name: 'none', der: extension([0x55, 0x1d, 0x11], [0x30, 0]), issuer: '' }
  ])('$name', ({ der, issuer }) => {
    expect(certificateIssuer(new Uint8Array([0x30, 0x00, ...der]))).toBe(issuer)
  })
})

describe('the names of a certificate', () => {
  it.each([
    {
      name: 'a workflow URI',
      san: 'URI:https://github.com/a/b/.github/workflows/r.yml@refs/tags/v1',
      names: ['https://github.com/a/b/.github/workflows/r.yml@refs/tags/v1']
    },
    {
      name: 'an email beside a DNS name',
      san: 'DNS:example.com, email:a@b.c',
      names: ['a@b.c']
    },
    { name: 'none', san: undefined, names: [] }
  ])('$name', ({ san, names }) => {
    expect(subjectAltNames(san)).toEqual(names)
  })
})

describe("what Rekor's signed entry timestamp signs", () => {
  it('the entry with its keys sorted, whatever order they come in', () => {
    expect(
      new TextDecoder().decode(
        signedEntryPayload({
          logIndex: 7,
          logID: 'c0ffee',
          integratedTime: 1700000000,
          body: 'Ym9keQ=='
        })
      )
    ).toBe(
      '{"body":"Ym9keQ==","integratedTime":1700000000,"logID":"c0ffee","logIndex":7}'
    )
  })
})

describe('a Sigstore trusted_root.json', () => {
  const root = {
    tlogs: [
      {
        publicKey: { rawBytes: Buffer.from('rekor key').toString('base64') },
        logId: { keyId: Buffer.from([0xc0, 0xff, 0xee]).toString('base64') }
      }
    ],
    certificateAuthorities: [
      {
        certChain: {
          certificates: [
            { rawBytes: Buffer.from('intermediate').toString('base64') },
            { rawBytes: Buffer.from('root').toString('base64') }
          ]
        }
      }
    ]
  }

  it('gives the Fulcio chains and the Rekor keys by hex log id', () => {
    const trust = parseTrustedRoot(JSON.stringify(root))
    expect(
      trust.authorities.map(chain =>
        chain.map(der => Buffer.from(der).toString())
      )
    ).toEqual([['intermediate', 'root']])
    expect(
      [...trust.logs].map(([id, key]) => [id, Buffer.from(key).toString()])
    ).toEqual([['c0ffee', 'rekor key']])
  })

  it.each([
    { name: 'no Fulcio', json: { ...root, certificateAuthorities: [] } },
    { name: 'no Rekor', json: { ...root, tlogs: [] } },
    {
      name: 'a chain without certificates',
      json: { ...root, certificateAuthorities: [{}] }
    },
    {
      name: 'a log without a key',
      json: { ...root, tlogs: [{ logId: { keyId: 'AA==' } }] }
    }
  ])('refuses $name', ({ json }) => {
    expect(() => parseTrustedRoot(JSON.stringify(json))).toThrow()
  })
})
