import { describe, expect, it } from '@jest/globals'
import { versionsState } from '../../../src/cleanup/ghcr-store.js'
import { parseImageName } from '../../../src/reference/images.js'
import type { PackageVersion } from '../../../src/cleanup/github-packages.js'
import {
  jsonManifest,
  OCI_INDEX,
  OCI_MANIFEST,
  type Manifest
} from '../../../src/registry/manifest.js'

const image = parseImageName('ghcr.io/octo-org/app')
const digest = (n: number) => `sha256:${String(n).repeat(64)}`
const MAY = new Date('2026-05-01T00:00:00Z')
const JUNE = new Date('2026-06-01T00:00:00Z')

const version = (
  n: number,
  tags: string[] = [],
  updated = MAY
): PackageVersion => ({ id: n, digest: digest(n), tags, created: MAY, updated })

const index = (...children: number[]) =>
  jsonManifest(OCI_INDEX, {
    schemaVersion: 2,
    manifests: children.map(c => ({
      mediaType: OCI_MANIFEST,
      digest: digest(c),
      size: 1
    }))
  })
const image1 = jsonManifest(OCI_MANIFEST, { schemaVersion: 2, layers: [] })
const referrer = (subject: number) =>
  jsonManifest(OCI_MANIFEST, {
    schemaVersion: 2,
    layers: [],
    subject: { mediaType: OCI_MANIFEST, digest: digest(subject), size: 1 }
  })

const rows: {
  name: string
  versions: PackageVersion[]
  registry: Record<string, Manifest>
  expected: unknown
}[] = [
  {
    name: "an index's children, untagged versions of their own",
    versions: [version(1, ['latest']), version(2), version(3)],
    registry: {
      [digest(1)]: index(2, 3),
      [digest(2)]: image1,
      [digest(3)]: image1
    },
    expected: {
      tags: { latest: digest(1) },
      manifests: {
        [digest(1)]: {
          children: [digest(2), digest(3)],
          age: { time: MAY, source: 'package version' }
        },
        [digest(2)]: {
          children: [],
          age: { time: MAY, source: 'package version' }
        },
        [digest(3)]: {
          children: [],
          age: { time: MAY, source: 'package version' }
        }
      }
    }
  },
  {
    name: "a referrer's subject, and a cosign tag on its own version",
    versions: [version(1, ['v1']), version(4), version(5, ['sha256-1.sig'])],
    registry: {
      [digest(1)]: image1,
      [digest(4)]: referrer(1),
      [digest(5)]: image1
    },
    expected: {
      tags: { v1: digest(1), 'sha256-1.sig': digest(5) },
      manifests: {
        [digest(1)]: {
          children: [],
          age: { time: MAY, source: 'package version' }
        },
        [digest(4)]: {
          children: [],
          subject: digest(1),
          age: { time: MAY, source: 'package version' }
        },
        [digest(5)]: {
          children: [],
          age: { time: MAY, source: 'package version' }
        }
      }
    }
  },
  {
    name: 'the age is the later of the version times (pushed, by GitHub); a version the registry lacks is left out',
    versions: [version(1, ['latest'], JUNE), version(6)],
    registry: { [digest(1)]: image1 },
    expected: {
      tags: { latest: digest(1) },
      manifests: {
        [digest(1)]: {
          children: [],
          age: { time: JUNE, source: 'package version' }
        }
      }
    }
  }
]

describe('versionsState', () => {
  it.each(rows)('$name', async ({ versions, registry, expected }) => {
    const client = {
      getManifest: (_image: unknown, reference: string) =>
        Promise.resolve(registry[reference])
    }
    expect(await versionsState(client, image, versions)).toEqual(expected)
  })
})
