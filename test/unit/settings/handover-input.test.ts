import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'

const A = `sha256:${'a'.repeat(64)}`
const LEGS = JSON.stringify({
  'leg-linux-amd64': JSON.stringify({ platform: 'linux/amd64', digests: [A] })
})

const settings = (inputs: Record<string, string>) =>
  parseSettings(name => inputs[name] ?? '')

describe('the handover input', () => {
  it.each<{
    name: string
    inputs: Record<string, string>
    legs: Record<string, string[]> | undefined
  }>([
    {
      name: 'digest: outputs',
      inputs: { mode: 'digest', handover: 'outputs', platforms: 'linux/amd64' },
      legs: {}
    },
    {
      name: "merge: the legs' outputs",
      inputs: { mode: 'merge', handover: LEGS, platforms: 'linux/amd64' },
      legs: { 'linux/amd64': [A] }
    },
    {
      name: 'merge with push: false: nothing handed over, nothing checked',
      inputs: {
        mode: 'merge',
        handover: '{}',
        push: 'false',
        platforms: 'linux/amd64'
      },
      legs: undefined
    }
  ])('$name', async ({ inputs, legs }) => {
    const parsed = await settings({ images: 'ghcr.io/o/app', ...inputs })
    expect(parsed.handover && Object.fromEntries(parsed.handover)).toEqual(legs)
  })

  it.each<{ name: string; inputs: Record<string, string> }>([
    { name: 'mode build', inputs: { handover: 'outputs' } },
    {
      name: 'digest with JSON',
      inputs: { mode: 'digest', handover: LEGS, platforms: 'linux/amd64' }
    },
    {
      name: 'merge with outputs',
      inputs: { mode: 'merge', handover: 'outputs', platforms: 'linux/amd64' }
    }
  ])('$name: one line naming the input', async ({ inputs }) => {
    await expect(
      settings({ images: 'ghcr.io/o/app', ...inputs })
    ).rejects.toThrow(/^input "handover": invalid value [^\n]+$/)
  })
})
