import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'

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
    {
      name: 'a digest of the image',
      given: `sha256:${'a'.repeat(64)}`,
      reference: `sha256:${'a'.repeat(64)}`
    },
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
