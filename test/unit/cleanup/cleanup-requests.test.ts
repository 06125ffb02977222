import { describe, expect, it } from '@jest/globals'
import { takeStep } from '../../../src/cleanup/cleanup-requests.js'
import type { CleanupStep } from '../../../src/cleanup/cleanup-steps.js'
import type { CleanupStore } from '../../../src/cleanup/cleanup-plan.js'
import { parseImageName, type Image } from '../../../src/reference/images.js'
import {
  jsonManifest,
  OCI_MANIFEST,
  type Manifest
} from '../../../src/registry/manifest.js'
import { MemoryRegistry } from '../../support/memory-registry.js'

const IMAGE = parseImageName('registry.example.com/acme/app')
const NOW = new Date('2026-11-26T12:00:00Z')
const HELD = jsonManifest(OCI_MANIFEST, { config: { digest: 'c' }, layers: [] })

/** A registry whose PUTs of a tag fail once `broken` (the tag's give-back). */
class Breaking extends MemoryRegistry {
  broken = false
  putManifest(image: Image, tag: string, manifest: Manifest) {
    if (this.broken) return Promise.reject(new Error('HTTP 503 on the PUT'))
    return super.putManifest(image, tag, manifest)
  }
}

describe("takeStep: a tombstone's DELETE that fails", () => {
  const refusing: CleanupStore = {
    read: () => Promise.resolve({ tags: {}, manifests: {} }),
    deleteManifest: () => Promise.reject(new Error('HTTP 403 denied'))
  }
  it.each([
    {
      name: "gives the tag back to its digest, and fails with the delete's own error",
      breakPut: false,
      error: /^HTTP 403 denied$/,
      left: 'its digest'
    },
    {
      name: "whose give-back fails too: the error keeps the delete's cause and says where the tag is left",
      breakPut: true,
      error: new RegExp(
        `^HTTP 403 denied; registry.example.com/acme/app:pr-7 is left on its tombstone: ` +
          `giving it back to ${HELD.digest} failed: HTTP 503 on the PUT$`
      ),
      left: 'the tombstone'
    }
  ])('$name', async ({ breakPut, error, left }) => {
    const client = new Breaking()
    await client.putManifest(IMAGE, HELD.digest, HELD)
    const of = {
      image: IMAGE,
      store: refusing,
      at: { kind: 'registry' as const },
      removal: {
        tag: 'pr-7',
        digest: HELD.digest,
        tombstone: true,
        reason: 'r'
      }
    }
    const step = (action: 'tombstone put' | 'tombstone delete') =>
      ({ action, tag: 'pr-7', of }) as CleanupStep<typeof of>
    await takeStep(step('tombstone put'), client, NOW)
    const stone = client.tagsOf(IMAGE.name)['pr-7']
    expect(stone).not.toBe(HELD.digest)
    client.broken = breakPut
    await expect(
      takeStep(step('tombstone delete'), client, NOW)
    ).rejects.toThrow(error)
    const where: Record<string, string> = {
      'its digest': HELD.digest,
      'the tombstone': stone
    }
    expect(client.tagsOf(IMAGE.name)['pr-7']).toBe(where[left])
  })
})

describe("takeStep: the delete probe's request that fails names itself and what it leaves", () => {
  const refusing: CleanupStore = {
    read: () => Promise.resolve({ tags: {}, manifests: {} }),
    deleteManifest: () => Promise.reject(new Error('HTTP 403 denied'))
  }
  const of = {
    image: IMAGE,
    store: refusing,
    at: { kind: 'registry' as const },
    removal: { digest: HELD.digest, tombstone: false, reason: 'r' }
  }
  it.each([
    {
      name: 'the DELETE of a digest no image has: nothing written',
      action: 'probe absent' as const,
      error: new RegExp(
        `^cleanup: registry.example.com refuses to delete \\(nothing was deleted\\): the ` +
          `delete probe's DELETE of sha256:0{64} failed: HTTP 403 denied$`
      ),
      left: 0
    },
    {
      name: 'the DELETE of its tombstone, pushed a moment before: the tombstone stays and is named',
      action: 'probe delete' as const,
      error: new RegExp(
        `^cleanup: registry.example.com refuses to delete \\(nothing was deleted\\): the ` +
          `delete probe's DELETE of its tombstone failed: HTTP 403 denied; the tombstone ` +
          `(sha256:[0-9a-f]{64}) stays, untagged$`
      ),
      left: 1
    }
  ])('$name', async ({ action, error, left }) => {
    const client = new MemoryRegistry()
    if (action === 'probe delete')
      await takeStep({ action: 'probe put', of }, client, NOW)
    const pushed = client.calls.flatMap(
      c => /^PUT \S+ (sha256:\S+)$/.exec(c)?.[1] ?? []
    )
    expect(pushed).toHaveLength(left)
    const message = await takeStep({ action, of }, client, NOW).then(
      () => 'no error',
      (e: unknown) => (e as Error).message
    )
    expect(message).toMatch(error)
    expect(error.exec(message)?.[1]).toBe(pushed[0])
    for (const digest of pushed)
      expect(await client.getManifest(IMAGE, digest)).toBeDefined()
  })
})
