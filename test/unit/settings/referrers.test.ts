import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'

const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''
const IMAGE = { images: 'ghcr.io/o/app' }

describe('the referrers input', () => {
  it.each([
    {
      name: "off by default: build-push-action's default provenance alone",
      inputs: {},
      referrers: false
    },
    {
      name: 'on when provenance asks for attestations',
      inputs: { provenance: 'mode=max' },
      referrers: true
    },
    { name: 'on when sbom asks', inputs: { sbom: 'true' }, referrers: true },
    {
      name: 'on when attests asks',
      inputs: { attests: 'type=provenance,mode=max' },
      referrers: true
    },
    {
      name: 'off when provenance is turned off',
      inputs: { provenance: 'false' },
      referrers: false
    },
    {
      name: 'off when provenance says disabled=true',
      inputs: { provenance: 'disabled=true' },
      referrers: false
    },
    {
      name: 'off when asked but nothing is pushed',
      inputs: { provenance: 'mode=max', push: 'false' },
      referrers: false
    },
    {
      name: 'off when asked in a digest leg (the merge attaches)',
      inputs: {
        provenance: 'mode=max',
        mode: 'digest',
        platforms: 'linux/amd64'
      },
      referrers: false
    },
    {
      name: 'referrers: false wins over provenance',
      inputs: { provenance: 'mode=max', referrers: 'false' },
      referrers: false
    },
    { name: 'true in build', inputs: { referrers: 'true' }, referrers: true },
    {
      name: 'true in merge, which publishes the index',
      inputs: { referrers: 'true', mode: 'merge', platforms: 'linux/amd64' },
      referrers: true
    }
  ])('$name', async ({ inputs, referrers }) => {
    const settings = await parseSettings(source({ ...IMAGE, ...inputs }))
    expect(settings.referrers).toBe(referrers)
  })

  it.each([
    {
      name: 'a digest leg, which publishes no index',
      inputs: { mode: 'digest', platforms: 'linux/amd64' },
      error:
        /input "referrers": invalid value "true": mode "digest" stages one platform/
    },
    {
      name: 'a build that pushes nothing',
      inputs: { push: 'false' },
      error: /input "referrers": invalid value "true": .*needs the image pushed/
    },
    {
      name: 'a value that is no boolean',
      inputs: { referrers: 'maybe' },
      error: /input "referrers"/
    }
  ])('refuses $name', async ({ inputs, error }) => {
    await expect(
      parseSettings(source({ ...IMAGE, referrers: 'true', ...inputs }))
    ).rejects.toThrow(error)
  })
})
