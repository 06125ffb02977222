/** The layouts and metadata files buildx 0.13, 0.29 and 0.36 really write, read as a run reads them. */
import { describe, expect, it } from '@jest/globals'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  carriesAttestations,
  readLayout
} from '../../../src/layout/oci-layout.js'
import { parseBuildMetadata } from '../../../src/buildx/metadata.js'
import { classicManifest, namedIndex } from '../../../src/layout/image-load.js'
import { parseBuildWarnings } from '../../../src/buildx/check-result.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/buildx-output')

const CASES = ['0.13', '0.29', '0.36'].flatMap(version =>
  [
    { build: 'one-platform-three-tags', children: 0, blobs: 2 },
    // each platform's config, their one shared layer, each provenance's config and statement
    { build: 'two-platforms-provenance', children: 4, blobs: 7 }
  ].map(c => ({ ...c, version, name: `buildx ${version}, ${c.build}` }))
)

describe("buildx's real outputs", () => {
  it.each(CASES)(
    '$name: the layout root is the digest of the metadata file',
    async ({ version, build, children, blobs }) => {
      const dir = join(FIXTURES, version, build)
      const metadata = parseBuildMetadata(
        readFileSync(`${dir}.metadata.json`, 'utf8')
      )
      const layout = await readLayout(dir)
      expect(layout.root.digest).toBe(metadata.digest)
      expect(layout.manifests).toHaveLength(children)
      expect(layout.blobs).toHaveLength(blobs)
    }
  )

  it.each(CASES)(
    '$name: before buildx wrote index.json, read by the digest BuildKit told at the export',
    async ({ version, build }) => {
      const dir = join(FIXTURES, version, build)
      const { digest } = parseBuildMetadata(
        readFileSync(`${dir}.metadata.json`, 'utf8')
      )
      const early = mkdtempSync(join(tmpdir(), 'dpa-early-layout-'))
      try {
        cpSync(join(dir, 'blobs'), join(early, 'blobs'), { recursive: true })
        const read = await readLayout(early, new Map(), digest)
        const whole = await readLayout(dir)
        expect(read.root).toEqual(whole.root)
        expect(read.manifests).toEqual(whole.manifests)
        expect(read.blobs.map(blob => blob.digest)).toEqual(
          whole.blobs.map(blob => blob.digest)
        )
        await expect(
          readLayout(early, new Map(), `sha256:${'0'.repeat(64)}`)
        ).rejects.toThrow(/manifest sha256:0{64} is missing/)
      } finally {
        rmSync(early, { recursive: true, force: true })
      }
    }
  )

  it.each(CASES)(
    '$name: loads under each tag, and as one platform on the classic store',
    async ({ version, build }) => {
      const layout = await readLayout(join(FIXTURES, version, build))
      const refs = ['r/app:1', 'r/app:1.2']
      expect(
        namedIndex(layout, refs).manifests.map(entry => entry.digest)
      ).toEqual([layout.root.digest, layout.root.digest])
      const [image] = classicManifest(layout, refs, 'x64') as {
        Config: string
        Layers: string[]
      }[]
      const paths = new Set(
        layout.blobs.map(blob => `blobs/sha256/${blob.digest.slice(7)}`)
      )
      expect(paths.has(image.Config)).toBe(true)
      expect(image.Layers.every(layer => paths.has(layer))).toBe(true)
    }
  )
})

/** A build's metadata file, as buildx of `version` wrote it. */
const metadataFile = (version: string, build: string) =>
  JSON.parse(
    readFileSync(join(FIXTURES, version, `${build}.metadata.json`), 'utf8')
  ) as Record<string, unknown>

describe("buildx 0.29's check warnings in its metadata file", () => {
  it('reads each as the check result reads it: rule, what was found, the rule, its line', () => {
    const metadata = metadataFile('0.29', 'check-warnings')
    expect(parseBuildWarnings(metadata)).toEqual({
      warnings: [
        {
          rule: 'FromAsCasing',
          detail: "'as' and 'FROM' keywords' casing do not match",
          description:
            "The 'as' keyword should match the case of the 'from' keyword",
          url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
          source: 'Dockerfile',
          startLine: 1,
          endLine: 1
        },
        {
          rule: 'JSONArgsRecommended',
          detail:
            'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
          description:
            'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
          url: 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/',
          source: 'Dockerfile',
          startLine: 3,
          endLine: 3
        }
      ]
    })
  })

  it('lists them by line whatever order the build finished its steps in', () => {
    const metadata = metadataFile('0.29', 'check-warnings')
    const warnings = metadata['buildx.build.warnings'] as unknown[]
    const reversed = {
      ...metadata,
      'buildx.build.warnings': [...warnings].reverse()
    }
    expect(
      parseBuildWarnings(reversed).warnings.map(w => [w.rule, w.startLine])
    ).toEqual([
      ['FromAsCasing', 1],
      ['JSONArgsRecommended', 3]
    ])
  })

  it('a metadata file without warnings (buildx 0.13, or none found) has none', () => {
    const metadata = metadataFile('0.13', 'one-platform-three-tags')
    expect(parseBuildWarnings(metadata)).toEqual({ warnings: [] })
  })
})

describe('carriesAttestations', () => {
  it.each([
    {
      name: 'buildx 0.13, provenance: its index lists one per platform',
      version: '0.13',
      build: 'two-platforms-provenance',
      carries: true
    },
    {
      name: 'buildx 0.29, provenance',
      version: '0.29',
      build: 'two-platforms-provenance',
      carries: true
    },
    {
      name: 'buildx 0.29, one platform, none asked: a plain manifest',
      version: '0.29',
      build: 'one-platform-three-tags',
      carries: false
    }
  ])('$name', async ({ version, build, carries }) => {
    const layout = await readLayout(join(FIXTURES, version, build))
    expect(carriesAttestations(layout)).toBe(carries)
  })
})
