import { describe, expect, it } from '@jest/globals'
import { parseSettings, type Settings } from '../../../src/settings/settings.js'
import {
  describePublication,
  type Publication
} from '../../../src/plan/publication.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import { stepLine } from '../../../src/plan/steps.js'
import { attestValues } from '../../../src/argv/attest.js'
import type { AttestationGround } from '../../../src/context/context-types.js'
import { NOW, RELEASE } from '../docker/run-fixture.js'

// github-attestations: where the default turns it on (an ID token, a public repository, github.com),
// the one line where it does not (a log line where the job has no ID token, else a notice), an explicit ask refused before anything runs, and the plan's
// steps, the ones the run executes (test/e2e/github-attestations.test.ts).

const GROUND: AttestationGround = {
  idToken: true,
  visibility: 'public',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  organization: true
}

async function publicationOf(
  inputs: Record<string, string>,
  ground: AttestationGround | null = GROUND
) {
  const all: Record<string, string> = { images: 'ghcr.io/octo/app', ...inputs }
  const settings = await parseSettings(name => all[name] ?? '')
  const ctx = { ...RELEASE, ...(ground && { attestationGround: ground }) }
  return { settings, publication: describePublication(settings, ctx, NOW) }
}

/** The plan of these settings on the default builder. */
const pipelineOf = (settings: Settings, publication: Publication) =>
  pipelineFor({
    settings,
    publication,
    builder: { name: 'default', driver: 'docker', store: 'containerd' },
    files: { metadata: '/m', iid: '/i', layout: '/l', secretSpecs: [] },
    userConfig: '/u'
  })

const told = (notices: string[]) =>
  notices.filter(n => n.startsWith('github-attestations'))

describe('github-attestations left empty: the default', () => {
  it.each<{
    name: string
    ground?: Partial<AttestationGround>
    inputs?: Record<string, string>
    on: boolean
    notices?: RegExp[]
    remarks?: RegExp[]
  }>([
    { name: 'an ID token, a public repository, github.com', on: true },
    {
      name: 'no ID token',
      ground: { idToken: false },
      on: false,
      remarks: [
        /no ID token \(ACTIONS_ID_TOKEN_REQUEST_URL is not set; "permissions: id-token: write"/
      ]
    },
    {
      name: 'a private repository',
      ground: { visibility: 'private' },
      on: false,
      notices: [/the repository is private, not public/]
    },
    {
      name: 'GitHub Enterprise Server',
      ground: { serverUrl: 'https://ghes.example' },
      on: false,
      notices: [/https:\/\/ghes\.example is not github\.com/]
    },
    {
      name: 'push: false publishes nothing',
      inputs: { push: 'false' },
      on: false
    },
    {
      name: 'mode digest: the merge attests each leg',
      inputs: { mode: 'digest', platforms: 'linux/amd64' },
      on: false
    },
    {
      name: 'mode merge: the index and each leg',
      inputs: { mode: 'merge', platforms: 'linux/amd64,linux/arm64' },
      on: true
    },
    {
      name: 'set to false',
      inputs: { 'github-attestations': 'false' },
      on: false
    }
  ])(
    '$name',
    async ({ ground, inputs = {}, on, notices = [], remarks = [] }) => {
      const { publication } = await publicationOf(inputs, {
        ...GROUND,
        ...ground
      })
      expect(publication.attestations !== undefined).toBe(on)
      const said = told(publication.notices)
      expect(said).toEqual(notices.map(n => expect.stringMatching(n)))
      expect(told(publication.remarks ?? [])).toEqual(
        remarks.map(n => expect.stringMatching(n))
      )
    }
  )

  it('says nothing in the CLI, which has no job', async () => {
    const { publication } = await publicationOf({}, null)
    expect(publication.attestations).toBeUndefined()
    expect(told(publication.notices)).toEqual([])
    expect(publication.remarks).toBeUndefined()
  })
})

describe('github-attestations named explicitly', () => {
  it.each<{
    name: string
    inputs: Record<string, string>
    ground?: Partial<AttestationGround>
    error: RegExp
  }>([
    {
      name: 'without an ID token',
      inputs: { 'github-attestations': 'provenance' },
      ground: { idToken: false },
      error:
        /input "github-attestations": invalid value "provenance": .*"permissions: id-token: write"/
    },
    {
      name: 'sbom in mode promote, which copies what another run attested',
      inputs: {
        'github-attestations': 'provenance,sbom',
        mode: 'promote',
        source: 'ghcr.io/octo/app:1.2.3'
      },
      error:
        /input "github-attestations": invalid value "provenance,sbom": the SBOM is attested where the step builds the image \(mode build\) or merges the legs that built it \(mode merge\); mode is "promote"/
    },
    {
      name: 'sbom with the SBOM turned off',
      inputs: { 'github-attestations': 'provenance,sbom', sbom: 'false' },
      error:
        /input "github-attestations": invalid value "provenance,sbom": it attests the SBOM BuildKit makes, and sbom is "false"/
    },
    {
      name: 'sbom with an attests line that turns it off',
      inputs: {
        'github-attestations': 'provenance,sbom',
        attests: 'type=sbom,disabled=true'
      },
      error: /and sbom is "type=sbom,disabled=true"/
    },
    {
      name: 'a mode this version does not attest',
      inputs: {
        'github-attestations': 'provenance',
        mode: 'rollback',
        source: '1.4.2',
        tags: 'latest',
        reason: 'broken'
      },
      error:
        /attests the images of modes build and merge \(the merge attests each leg's digest too\) and records those of mode promote; mode is "rollback"/
    },
    {
      name: 'mode digest, whose merge attests',
      inputs: {
        'github-attestations': 'provenance',
        mode: 'digest',
        platforms: 'linux/amd64'
      },
      error: /mode is "digest"/
    },
    {
      name: 'push: false',
      inputs: { 'github-attestations': 'provenance', push: 'false' },
      error: /attesting needs the image pushed/
    },
    {
      name: 'a value it does not know',
      inputs: { 'github-attestations': 'slsa' },
      error:
        /input "github-attestations": invalid value "slsa": .*provenance, provenance,sbom, false/
    }
  ])('refuses $name', async ({ inputs, ground, error }) => {
    await expect(
      publicationOf(inputs, { ...GROUND, ...ground })
    ).rejects.toThrow(error)
  })

  it("takes provenance,sbom in mode merge: the legs' SBOMs", async () => {
    const { publication } = await publicationOf({
      'github-attestations': 'provenance,sbom',
      mode: 'merge',
      platforms: 'linux/amd64,linux/arm64'
    })
    expect(publication.attestations?.sbom).toBe(true)
  })

  it('takes a promote without an ID token, which signs nothing', async () => {
    const { publication } = await publicationOf(
      {
        'github-attestations': 'provenance',
        mode: 'promote',
        source: 'ghcr.io/octo/app:1.2.3'
      },
      { ...GROUND, idToken: false }
    )
    expect(publication.attestations?.explicit).toBe(true)
  })

  it('attests on a private repository and on GHES, where the API may refuse', async () => {
    for (const ground of [
      { visibility: 'private' },
      { serverUrl: 'https://ghes.example' }
    ]) {
      const { publication } = await publicationOf(
        { 'github-attestations': 'provenance' },
        { ...GROUND, ...ground }
      )
      expect({ ground, explicit: publication.attestations?.explicit }).toEqual({
        ground,
        explicit: true
      })
    }
  })
})

describe('github-attestations: provenance,sbom asks BuildKit for the SBOM it attests', () => {
  it.each<{ name: string; inputs: Record<string, string>; attest: string[] }>([
    {
      name: 'the default generator where sbom is left empty',
      inputs: {},
      attest: ['type=sbom,disabled=false']
    },
    {
      name: "the user's generator kept",
      inputs: { sbom: 'generator=registry.example/scanner:1' },
      attest: ['type=sbom,generator=registry.example/scanner:1']
    },
    {
      name: "an attests line of type sbom kept as the user's",
      inputs: { attests: 'type=sbom,generator=registry.example/scanner:1' },
      attest: ['type=sbom,generator=registry.example/scanner:1']
    }
  ])('$name', async ({ inputs, attest }) => {
    const { settings, publication } = await publicationOf({
      'github-attestations': 'provenance,sbom',
      provenance: 'false',
      ...inputs
    })
    expect(attestValues(settings.build)).toEqual([
      'type=provenance,disabled=true',
      ...attest
    ])
    expect(publication.attestations?.sbom).toBe(true)
  })

  it('leaves the build alone with provenance', async () => {
    const { settings } = await publicationOf({
      'github-attestations': 'provenance',
      provenance: 'false'
    })
    expect(attestValues(settings.build)).toEqual([
      'type=provenance,disabled=true'
    ])
  })
})

describe('github-attestations in the plan: after the gate, before any tag moves', () => {
  const subjects = 'for the digest and each platform manifest it lists'
  const attest = (registry: string, repository: string) => [
    `provenance POST https://api.github.com/repos/octo/app/attestations (only if ${subjects})`,
    `provenance PUT ${registry}/v2/${repository}/manifests/<referrer digest> (only if ${subjects}, once the attestations API stored them)`
  ]
  const artifacts = 'https://api.github.com/orgs/octo/artifacts'
  const record = [
    `record    GET ${artifacts}/<digest>/metadata/storage-records (only if the digest was attested by an earlier run)`,
    `record    POST ${artifacts}/metadata/storage-record (only if this run attested the digest, or no storage record of it is held)`
  ]
  it.each<{ name: string; organization: boolean; steps: string[] }>([
    {
      name: "an organization: each image's storage record after its referrers",
      organization: true,
      steps: [
        ...attest('https://ghcr.io', 'octo/app'),
        ...record,
        ...attest('http://127.0.0.1:5001', 'app'),
        ...record
      ]
    },
    {
      name: 'a user: no storage record (GitHub keeps them for organizations)',
      organization: false,
      steps: [
        ...attest('https://ghcr.io', 'octo/app'),
        ...attest('http://127.0.0.1:5001', 'app')
      ]
    }
  ])(
    'signs and stores each image, then attaches its referrers; $name',
    async ({ organization, steps }) => {
      const { settings, publication } = await publicationOf(
        { images: 'ghcr.io/octo/app\n127.0.0.1:5001/app', gate: 'true' },
        { ...GROUND, organization }
      )
      const pipeline = pipelineOf(settings, publication)
      expect(pipeline.provenance.map(stepLine)).toEqual(steps)
    }
  )
  it('with provenance,sbom, says the SBOM of each platform manifest is attested too', async () => {
    const { settings, publication } = await publicationOf({
      'github-attestations': 'provenance,sbom'
    })
    const pipeline = pipelineOf(settings, publication)
    const sboms = `${subjects}; and each platform manifest's SBOM BuildKit made`
    expect(pipeline.provenance.map(stepLine)).toEqual([
      `provenance POST https://api.github.com/repos/octo/app/attestations (only if ${sboms})`,
      `provenance PUT https://ghcr.io/v2/octo/app/manifests/<referrer digest> (only if ${sboms}, once the attestations API stored them)`,
      ...record
    ])
  })
})

describe("github-attestations on a promote: the source's travel, the target is recorded", () => {
  it.each<{ name: string; ground: AttestationGround; records: string[] }>([
    {
      name: 'an organization: a storage record of each image after the referrers are copied',
      ground: GROUND,
      records: [
        "record    POST https://api.github.com/orgs/octo/artifacts/metadata/storage-record (only if the source's GitHub provenance of the digest was copied)",
        "record    POST https://api.github.com/orgs/octo/artifacts/metadata/storage-record (only if the source's GitHub provenance of the digest was copied)"
      ]
    },
    {
      name: 'a user: no storage record (GitHub keeps them for organizations)',
      ground: { ...GROUND, organization: false },
      records: []
    }
  ])('$name; nothing signed', async ({ ground, records }) => {
    const { settings, publication } = await publicationOf(
      {
        mode: 'promote',
        source: 'ghcr.io/octo/app:1.2.3',
        images: 'ghcr.io/octo/prod\n127.0.0.1:5001/prod'
      },
      ground
    )
    const pipeline = pipelineOf(settings, publication)
    expect(pipeline.provenance).toEqual([])
    expect(
      pipeline.sign.filter(s => s.step === 'record').map(stepLine)
    ).toEqual(records)
    // each record after the copies it depends on
    expect(pipeline.sign.map(step => step.step)).toEqual([
      'referrers',
      'referrers',
      ...records.map(() => 'record'),
      'carry',
      'carry'
    ])
  })
})
