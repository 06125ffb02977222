import { describe, expect, it } from '@jest/globals'
import {
  attestsAlready,
  type ProvenancePredicate
} from '../../../src/signing/provenance-signer.js'
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
