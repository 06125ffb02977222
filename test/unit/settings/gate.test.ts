import { describe, expect, it } from '@jest/globals'
import { parseSettings } from '../../../src/settings/settings.js'
import { legOutputs } from '../../../src/settings/leg-outputs.js'

const source = (inputs: Record<string, string | undefined>) => (name: string) =>
  inputs[name] ?? ''

const TRIVY = 'trivy image --exit-code 1 "$DPA_GATE_IMAGE"'
const LEGS = JSON.stringify(
  legOutputs('linux/amd64', [`sha256:${'a'.repeat(64)}`])
)
/** mode gate: the legs' outputs, as the reusable workflow's gate job hands them. */
const GATE_JOB = { mode: 'gate', platforms: 'linux/amd64', handover: LEGS }

describe('gate and gate-timeout', () => {
  it.each([
    {
      name: 'no gate: none, ten minutes',
      inputs: {},
      gate: '',
      gateTimeout: 600
    },
    {
      name: 'build with push: the line as given',
      inputs: { gate: TRIVY, 'gate-timeout': '120' },
      gate: TRIVY,
      gateTimeout: 120
    },
    {
      name: 'push: false with load: true gates the loaded image',
      inputs: { gate: TRIVY, push: 'false', load: 'true' },
      gate: TRIVY,
      gateTimeout: 600
    },
    {
      name: 'merge',
      inputs: { gate: TRIVY, mode: 'merge', platforms: 'linux/amd64' },
      gate: TRIVY,
      gateTimeout: 600
    },
    {
      name: 'promote',
      inputs: { gate: TRIVY, mode: 'promote', source: 'ghcr.io/o/app:rc' },
      gate: TRIVY,
      gateTimeout: 600
    },
    {
      name: "mode gate: the legs' digests handed over (the reusable workflow's gate job)",
      inputs: { gate: TRIVY, ...GATE_JOB },
      gate: TRIVY,
      gateTimeout: 600
    }
  ])('$name', async ({ inputs, gate, gateTimeout }) => {
    const settings = await parseSettings(
      source({ images: 'ghcr.io/o/app', ...inputs })
    )
    expect({ gate: settings.gate, gateTimeout: settings.gateTimeout }).toEqual({
      gate,
      gateTimeout
    })
  })

  it.each([
    {
      name: 'gate-timeout of zero',
      inputs: { gate: TRIVY, 'gate-timeout': '0' },
      error:
        /^input "gate-timeout": invalid value "0": expected a whole number from 1 to 21600$/
    },
    {
      name: 'gate-timeout in minutes',
      inputs: { gate: TRIVY, 'gate-timeout': '10m' },
      error: /^input "gate-timeout": invalid value "10m"/
    },
    {
      name: 'push: false without load: nothing to gate',
      inputs: { gate: TRIVY, push: 'false' },
      error:
        /^input "gate": invalid value ".*": with push: false .*set load: true$/
    },
    {
      name: 'mode digest: the gate would run beside the push credentials',
      inputs: { gate: TRIVY, mode: 'digest', platforms: 'linux/amd64' },
      error:
        /^input "gate": invalid value ".*": mode "digest" holds the push credentials: gate the legs in a mode "gate" job of its own, between the legs and the merge$/
    },
    {
      name: 'mode digest with handover: outputs too',
      inputs: {
        gate: TRIVY,
        mode: 'digest',
        platforms: 'linux/amd64',
        handover: 'outputs'
      },
      error: /^input "gate": invalid value ".*": mode "digest" holds the push/
    },
    {
      name: 'mode gate without a gate',
      inputs: GATE_JOB,
      error:
        /^input "gate": invalid value "": mode "gate" runs the gate on each leg: name its command$/
    },
    {
      name: 'mode gate without the handover',
      inputs: { ...GATE_JOB, gate: TRIVY, handover: '' },
      error:
        /^input "handover": invalid value "": mode "gate" gates the legs named by the JSON of needs/
    },
    {
      name: 'mode gate without platforms: no leg was asked for',
      inputs: { ...GATE_JOB, gate: TRIVY, platforms: '' },
      error:
        /^input "platforms": invalid value "": mode "gate" takes the platforms the digest jobs built/
    },
    {
      name: 'mode gate with tags: it moves none',
      inputs: { ...GATE_JOB, gate: TRIVY, tags: 'type=raw,value=x' },
      error:
        /^input "tags": invalid value "type=raw,value=x": mode "gate" builds, tags and attaches nothing/
    },
    {
      name: 'mode gate with secrets: the gate could read them (the value never shown)',
      inputs: { ...GATE_JOB, gate: TRIVY, secrets: 'token=s3cr3t' },
      error:
        /^input "secrets": invalid value "\*\*\*": mode "gate" builds, tags and attaches nothing, and the gate could read what it holds/
    },
    {
      name: 'mode gate with a source: only promote and rollback read one',
      inputs: { ...GATE_JOB, gate: TRIVY, source: 'ghcr.io/o/other:1' },
      error:
        /^input "source": invalid value "ghcr.io\/o\/other:1": only modes "promote" and "rollback" read a source; mode is "gate"$/
    },
    {
      name: 'mode build with a source',
      inputs: { source: 'ghcr.io/o/other:1' },
      error:
        /^input "source": .*only modes "promote" and "rollback" read a source; mode is "build"$/
    },
    {
      name: 'mode gate with sign: it publishes nothing to sign',
      inputs: { ...GATE_JOB, gate: TRIVY, sign: 'keyless' },
      error:
        /^input "sign": invalid value "keyless": mode "gate" publishes no index: sign in the mode "merge" job/
    },
    {
      name: 'outputs: the build goes elsewhere',
      inputs: { gate: TRIVY, outputs: 'type=local,dest=out' },
      error: /^input "gate": .*the gate has no image to read$/
    }
  ])(
    '$name is refused in one line naming the input',
    async ({ inputs, error }) => {
      const settings = parseSettings(
        source({ images: 'ghcr.io/o/app', ...inputs })
      )
      await expect(settings).rejects.toThrow(error)
    }
  )
})
