import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import {
  cleanupSteps,
  stepRequest
} from '../../../src/cleanup/cleanup-steps.js'

const d = (name: string) => `sha256:${name.padEnd(64, '0')}`

const CONFIG = 'blobs/uploads/<upload>?digest=<empty config>'

describe('cleanupSteps: every request the run makes, in its order, the DELETE where each store deletes', () => {
  const VERSIONS =
    'https://api.github.com/orgs/acme/packages/container/app/versions'
  const remove = (digest: string, tombstone = false) => ({
    digest,
    tombstone,
    reason: 'r',
    ...(tombstone && { tag: 'pr-7' })
  })
  it.each([
    {
      name: 'a registry that deletes by the registry API',
      image: 'registry.example.com/acme/app',
      at: { kind: 'registry' as const },
      lines: [
        `DELETE https://registry.example.com/v2/acme/app/manifests/sha256:${'0'.repeat(64)}`,
        `PUT https://registry.example.com/v2/acme/app/${CONFIG}`,
        'PUT https://registry.example.com/v2/acme/app/manifests/<tombstone>',
        'DELETE https://registry.example.com/v2/acme/app/manifests/<tombstone>',
        'GET https://registry.example.com/v2/acme/app/tags/list',
        `PUT https://registry.example.com/v2/acme/app/${CONFIG}`,
        'PUT https://registry.example.com/v2/acme/app/manifests/pr-7',
        'DELETE https://registry.example.com/v2/acme/app/manifests/<tombstone>',
        `DELETE https://registry.example.com/v2/acme/app/manifests/${d('b1')}`
      ]
    },
    {
      name: "GHCR: no probe (the first delete is the probe, so plain deletes go first); the packages API's DELETE of a version; tombstones up by the registry API",
      image: 'ghcr.io/acme/app',
      at: { kind: 'ghcr' as const, versions: VERSIONS },
      lines: [
        `GET ${VERSIONS}`,
        `DELETE ${VERSIONS}/<version of ${d('b1')}>`,
        `PUT https://ghcr.io/v2/acme/app/${CONFIG}`,
        'PUT https://ghcr.io/v2/acme/app/manifests/pr-7',
        `DELETE ${VERSIONS}/<version of <tombstone>>`
      ]
    }
  ])('$name', ({ image, at, lines }) => {
    const img = parseImageName(image)
    const steps = cleanupSteps([
      { image: img, removal: remove(d('a1'), true), at },
      { image: img, removal: remove(d('b1')), at }
    ])
    const requests = steps.map(stepRequest)
    expect(requests.map(s => `${s.method} ${s.url}`)).toStrictEqual(lines)
  })
})
