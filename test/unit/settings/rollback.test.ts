import { describe, expect, it } from '@jest/globals'
import { describePublication } from '../../../src/plan/publication.js'
import { parseSettings } from '../../../src/settings/settings.js'
import { NOW, RELEASE } from '../docker/run-fixture.js'

const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''

/** A rollback of ghcr.io/o/app's latest and 1 to 1.4.2, with a reason. */
const ROLLBACK = {
  mode: 'rollback',
  images: 'ghcr.io/o/app',
  source: '1.4.2',
  tags: 'latest\n1',
  reason: '1.5.0 corrupts uploads'
}

describe('mode rollback: inputs', () => {
  it.each([
    { name: 'a tag of the image', given: '1.4.2', reference: '1.4.2' },
    { name: 'a v-prefixed release', given: 'v1.4.2', reference: 'v1.4.2' },
    {
      name: 'the image named with its tag',
      given: 'ghcr.io/o/app:1.4.2',
      reference: '1.4.2'
    }
  ])('source: $name', async ({ given, reference }) => {
    const settings = await parseSettings(source({ ...ROLLBACK, source: given }))
    expect(settings.source).toEqual({
      image: expect.objectContaining({ name: 'ghcr.io/o/app' }),
      reference
    })
    expect(settings.tags).toEqual(['latest', '1'])
    expect(settings.reason).toBe('1.5.0 corrupts uploads')
  })

  it.each([
    {
      name: 'no reason',
      inputs: { reason: '' },
      error:
        /^input "reason": invalid value "": mode "rollback" needs one line that says why/
    },
    {
      name: 'a reason of two lines',
      inputs: { reason: 'one\ntwo' },
      error: /^input "reason": .*needs one line/
    },
    {
      name: 'an exact version among the tags',
      inputs: { tags: 'latest\n1.5.0' },
      error:
        /^input "tags": invalid value "1\.5\.0": mode "rollback" moves floating tags only/
    },
    {
      name: 'a fixed tag among the tags',
      inputs: { tags: 'sha-1a2b3c4' },
      error: /^input "tags": invalid value "sha-1a2b3c4": .*floating tags only/
    },
    {
      name: 'no tags',
      inputs: { tags: '' },
      error:
        /^input "tags": invalid value "": mode "rollback" moves the floating tags named here/
    },
    {
      name: 'no source',
      inputs: { source: '' },
      error:
        /^input "source": invalid value "": mode "rollback" needs the release to go back to/
    },
    {
      name: 'a source in another repository',
      inputs: { source: 'ghcr.io/o/other:1.4.2' },
      error:
        /^input "source": invalid value "ghcr\.io\/o\/other:1\.4\.2": .*same repository/
    },
    {
      name: 'tags: 1 with source: 2.0.0 (another major)',
      inputs: { tags: '1', source: '2.0.0' },
      error:
        /^input "source": invalid value "2\.0\.0": mode "rollback" moves tags back within their line, .*1 to a 1\.y\.z, .*; not in the line of tag "1"$/
    },
    {
      name: 'tags: 1.4 with source: 1.5.0 (another minor)',
      inputs: { tags: 'latest\n1.4', source: '1.5.0' },
      error:
        /^input "source": invalid value "1\.5\.0": .*not in the line of tag "1\.4"$/
    },
    {
      name: 'source: pr-42 (no release)',
      inputs: { tags: 'latest', source: 'pr-42' },
      error:
        /^input "source": invalid value "pr-42": .*latest to a release \(1\.4\.2\).*; no release$/
    },
    {
      name: 'a pre-release',
      inputs: { tags: 'latest', source: '1.5.0-rc.1' },
      error: /^input "source": invalid value "1\.5\.0-rc\.1": .*; no release$/
    },
    {
      name: 'a digest, which names no line',
      inputs: { source: `sha256:${'a'.repeat(64)}` },
      error:
        /^input "source": invalid value "sha256:a+": .*; a digest names no line$/
    },
    {
      name: 'a reason outside rollback',
      inputs: { mode: 'build', tags: '', source: '' },
      error: /^input "reason": .*only mode "rollback" takes a reason/
    }
  ])('refuses $name, naming the input', async ({ inputs, error }) => {
    await expect(
      parseSettings(source({ ...ROLLBACK, ...inputs }))
    ).rejects.toThrow(error)
  })
})

describe('mode rollback: a latest that the next push of the default branch moves again', () => {
  it.each([
    { name: 'latest under the default flavor: said', inputs: {}, told: 1 },
    {
      name: 'latest with latest=release: latest follows releases only',
      inputs: { flavor: 'latest=release' },
      told: 0
    },
    {
      name: 'latest with latest=false: no run moves it',
      inputs: { flavor: 'latest=false' },
      told: 0
    },
    { name: 'only 1: no latest', inputs: { tags: '1' }, told: 0 }
  ])('$name', async ({ inputs, told }) => {
    const settings = await parseSettings(source({ ...ROLLBACK, ...inputs }))
    const { notices } = describePublication(settings, RELEASE, NOW)
    const said = notices.filter(n =>
      n.startsWith(
        'latest goes back to 1.4.2, but with the default flavor the next push of the default ' +
          'branch moves it again: publish releases with `flavor: latest=release`'
      )
    )
    expect(said).toHaveLength(told)
  })
})
