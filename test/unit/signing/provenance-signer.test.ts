import { describe, expect, it } from '@jest/globals'
import {
  attestsAlready,
  statesPredicate,
  type ProvenancePredicate
} from '../../../src/signing/provenance-signer.js'
import { builtSboms, sbomPredicate } from '../../../src/signing/built-sboms.js'
import { jsonManifest } from '../../../src/registry/manifest.js'
import { parseImageName } from '../../../src/reference/images.js'
import { MemoryRegistry } from '../../support/memory-registry.js'
import type { BundleJson } from '../../../src/signing/bundle-referrer.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

/** The predicate @actions/attest builds for a tag push of acme/webapp at one commit. */
function predicate(
  changes: { workflow?: string; sha?: string; attempt?: string } = {}
): ProvenancePredicate {
  const {
    workflow = 'release.yml',
    sha = '2899da65e50d9829084d7e6000ae25569157e24d',
    attempt = '1'
  } = changes
  const repo = 'https://github.com/acme/webapp'
  return {
    type: 'https://slsa.dev/provenance/v1',
    params: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: {
            ref: 'refs/tags/v1.2.3',
            repository: repo,
            path: `.github/workflows/${workflow}`
          }
        },
        resolvedDependencies: [
          { uri: `git+${repo}@refs/tags/v1.2.3`, digest: { gitCommit: sha } }
        ]
      },
      runDetails: {
        builder: {
          id: `${repo}/.github/workflows/${workflow}@refs/tags/v1.2.3`
        },
        metadata: {
          invocationId: `${repo}/actions/runs/8123/attempts/${attempt}`
        }
      } as ProvenancePredicate['params']['runDetails']
    }
  }
}

/** A DSSE bundle whose statement is `made`'s provenance of `digest`. */
function bundle(made: ProvenancePredicate, digest = DIGEST): BundleJson {
  const [algorithm, hex] = digest.split(':')
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'registry/app', digest: { [algorithm]: hex } }],
    predicateType: made.type,
    predicate: made.params
  }
  const payload = Buffer.from(JSON.stringify(statement)).toString('base64')
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    dsseEnvelope: { payload, payloadType: 'application/vnd.in-toto+json' }
  }
}

describe('attestsAlready: whether a referrer already holds this run’s provenance', () => {
  it.each<{ name: string; held: BundleJson; expected: boolean }>([
    {
      name: 'a re-run (another attempt of the same run)',
      held: bundle(predicate({ attempt: '2' })),
      expected: true
    },
    { name: 'the same run', held: bundle(predicate()), expected: true },
    {
      name: 'another workflow of the repository',
      held: bundle(predicate({ workflow: 'other.yml' })),
      expected: false
    },
    {
      name: 'another commit',
      held: bundle(predicate({ sha: 'f00dface'.repeat(5) })),
      expected: false
    },
    {
      name: 'another subject',
      held: bundle(predicate(), `sha256:${'b'.repeat(64)}`),
      expected: false
    },
    {
      name: 'another predicate type',
      held: bundle({ ...predicate(), type: 'https://spdx.dev/Document/v2.3' }),
      expected: false
    },
    {
      name: 'a message-signature bundle (no DSSE envelope)',
      held: { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' },
      expected: false
    },
    {
      name: 'a payload that is no JSON',
      held: {
        dsseEnvelope: {
          payload: 'bm90IGpzb24=',
          payloadType: 'application/vnd.in-toto+json'
        }
      },
      expected: false
    },
    {
      name: 'an empty bundle (a layer that was no JSON)',
      held: {},
      expected: false
    }
  ])('$name: $expected', ({ held, expected }) => {
    expect(attestsAlready(held, predicate(), DIGEST)).toBe(expected)
  })
})

const SPDX = {
  spdxVersion: 'SPDX-2.3',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'sbom',
  files: [{ fileName: './hello.txt' }]
}
const CYCLONEDX = {
  bomFormat: 'CycloneDX',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  specVersion: '1.6'
}

describe("sbomPredicate: an SBOM's predicate as actions/attest's sbom-path makes it", () => {
  it.each<{ name: string; document: Record<string, unknown>; type: string }>([
    {
      name: 'SPDX 2.3',
      document: SPDX,
      type: 'https://spdx.dev/Document/v2.3'
    },
    {
      name: 'SPDX 2.2',
      document: { ...SPDX, spdxVersion: 'SPDX-2.2' },
      type: 'https://spdx.dev/Document/v2.2'
    },
    {
      name: 'CycloneDX',
      document: CYCLONEDX,
      type: 'https://cyclonedx.org/bom'
    }
  ])('$name: $type, the document its predicate', ({ document, type }) => {
    expect(sbomPredicate(document, 'app@sha256:1')).toEqual({
      type,
      params: document
    })
  })

  it.each<{ name: string; document: Record<string, unknown> }>([
    { name: 'SPDX without SPDXID', document: { spdxVersion: 'SPDX-2.3' } },
    {
      name: 'CycloneDX without serialNumber',
      document: { bomFormat: 'CycloneDX', specVersion: '1.6' }
    },
    { name: 'an empty predicate', document: {} }
  ])('refuses $name, naming where it was read', ({ document }) => {
    expect(() => sbomPredicate(document, 'app@sha256:1')).toThrow(
      'app@sha256:1 is neither an SPDX nor a CycloneDX JSON document'
    )
  })
})

describe('statesPredicate: whether a referrer already holds this SBOM of the subject', () => {
  const sbom = sbomPredicate(SPDX, 'app')
  const held = (made: { type: string; params: object }, digest = DIGEST) =>
    bundle(made as ProvenancePredicate, digest)
  it.each<{ name: string; bundle: BundleJson; expected: boolean }>([
    { name: 'the same document', bundle: held(sbom), expected: true },
    {
      name: 'another document',
      bundle: held({ ...sbom, params: { ...SPDX, name: 'other' } }),
      expected: false
    },
    {
      name: 'another subject',
      bundle: held(sbom, `sha256:${'b'.repeat(64)}`),
      expected: false
    },
    {
      name: "the subject's provenance",
      bundle: bundle(predicate()),
      expected: false
    }
  ])('$name: $expected', ({ bundle: found, expected }) => {
    expect(statesPredicate(found, sbom, DIGEST)).toBe(expected)
  })
})

describe("builtSboms: every SBOM BuildKit made of each platform manifest, from the index's attestation manifests", () => {
  const image = parseImageName('registry.test/acme/webapp')
  const SPDX_TYPE = 'https://spdx.dev/Document'
  const platform = (n: number) => `sha256:${String(n).repeat(64)}`
  const statement = (type: string, predicate: object) =>
    new TextEncoder().encode(JSON.stringify({ predicateType: type, predicate }))
  const named = (name: string) => ({ ...SPDX, name })

  /** An index of platform manifests, each with an attestation manifest of these statements. */
  async function indexOf(
    registry: MemoryRegistry,
    statements: { type: string; predicate: object }[][]
  ) {
    const entries = []
    for (const [n, layers] of statements.entries()) {
      const descriptors = []
      for (const { type, predicate } of layers) {
        const bytes = statement(type, predicate)
        const digest = await registry.putBlob(image, bytes)
        descriptors.push({
          mediaType: 'application/vnd.in-toto+json',
          digest,
          size: bytes.length,
          annotations: { 'in-toto.io/predicate-type': type }
        })
      }
      const attestation = jsonManifest(
        'application/vnd.oci.image.manifest.v1+json',
        { layers: descriptors }
      )
      await registry.putManifest(image, attestation.digest, attestation)
      const subject = platform(n + 1)
      entries.push(
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: subject,
          size: 1
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: attestation.digest,
          size: attestation.body.length,
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': subject
          }
        }
      )
    }
    return jsonManifest('application/vnd.oci.image.index.v1+json', {
      manifests: entries
    })
  }

  it.each<{
    name: string
    statements: { type: string; predicate: object }[][]
    sboms: Record<string, string[]>
  }>([
    {
      name: 'one scan per platform (the final stage)',
      statements: [
        [{ type: SPDX_TYPE, predicate: named('final') }],
        [{ type: SPDX_TYPE, predicate: named('final') }]
      ],
      sboms: { [platform(1)]: ['final'], [platform(2)]: ['final'] }
    },
    {
      name: "the final stage's and the context's scans, beside the provenance: both, in order",
      statements: [
        [
          { type: SPDX_TYPE, predicate: named('final') },
          { type: 'https://slsa.dev/provenance/v0.2', predicate: {} },
          { type: SPDX_TYPE, predicate: named('context') }
        ]
      ],
      sboms: { [platform(1)]: ['final', 'context'] }
    },
    {
      name: 'a platform whose attestation manifest holds no SBOM: none',
      statements: [
        [{ type: 'https://slsa.dev/provenance/v0.2', predicate: {} }],
        [{ type: SPDX_TYPE, predicate: named('final') }]
      ],
      sboms: { [platform(2)]: ['final'] }
    }
  ])('$name', async ({ statements, sboms }) => {
    const registry = new MemoryRegistry()
    const index = await indexOf(registry, statements)
    const found = await builtSboms(registry, image, index)
    expect(
      Object.fromEntries(
        [...found].map(([subject, predicates]) => [
          subject,
          predicates.map(p => (p.params as { name: string }).name)
        ])
      )
    ).toEqual(sboms)
    for (const predicates of found.values())
      for (const { type } of predicates)
        expect(type).toBe('https://spdx.dev/Document/v2.3')
  })

  it('reads no platform another index gave already (a merge reads its legs after the index)', async () => {
    const registry = new MemoryRegistry()
    const index = await indexOf(registry, [
      [{ type: SPDX_TYPE, predicate: named('final') }]
    ])
    const known = new Map([[platform(1), [sbomPredicate(SPDX, 'leg')]]])
    const before = registry.calls.length
    expect(await builtSboms(registry, image, index, known)).toEqual(new Map())
    expect(registry.calls.slice(before)).toEqual([])
  })
})
