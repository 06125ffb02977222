/**
 * sign: key and promote's verify-key against the real stack, judged by the
 * real cosign 2.5 and the registry's own tag lists.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { listTags, publishedTags, readManifest } from './registry-api.js'
import { runMain } from './runner.js'
import { RELEASE_TAGS, sigTag, errorLines, runHello } from './releases.js'
import { loginsFor, runnerEnv, uniqueRepo, visibleText } from './steps.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { pushTestImage, putManifestBytes } from '../support/registry-seed.js'
import {
  cosignVerify,
  generateKeyPair,
  type KeyPair
} from '../support/cosign.js'

let stack: StackEnv
let keys: KeyPair
let otherKeys: KeyPair

/** cosign's signature tag of a digest. */

const basic = (r: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${r.username}:${r.password}`).toString('base64')}`

beforeAll(async () => {
  stack = stackEnv()
  keys = await generateKeyPair('correct horse')
  otherKeys = await generateKeyPair('battery staple')
})

describe('sign: key, verified by the real cosign', () => {
  let repo: string
  let digest: string

  it('signs the published digest: cosign verify --key passes on the digest and on each tag', async () => {
    repo = uniqueRepo('signed')
    const { a } = stack
    const main = await runHello(a, repo, {
      // an index: a copy to another registry keeps its digest
      platforms: 'linux/amd64,linux/arm64',
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': keys.password
    })
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    digest = main.outputs.digest
    expect((await readManifest(a, repo, '1.2.3')).digest).toBe(digest)
    // exactly the asked tags and cosign's signature tag
    expect(await publishedTags(a, repo)).toEqual([
      ...RELEASE_TAGS,
      sigTag(digest)
    ])
    const command = `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${a.host}/${repo}@${digest}`
    expect(main.outputs.verify).toBe(command)
    expect(main.summary).toContain(command)
    for (const ref of [
      `${a.host}/${repo}@${digest}`,
      ...RELEASE_TAGS.map(tag => `${a.host}/${repo}:${tag}`)
    ]) {
      const verified = await cosignVerify(ref, keys.publicKeyFile, [a])
      expect({ ref, ...verified }).toMatchObject({ ref, code: 0 })
      expect(verified.output).toContain(digest)
    }
    // the key and its password never show
    const seen = visibleText(main)
    expect(seen).not.toContain(keys.password)
    for (const line of keys.privateKey
      .split('\n')
      .filter(l => !l.startsWith('-----') && l.length > 8))
      expect(seen).not.toContain(line)
  })

  it('does not verify with another key, nor once a tag points at an image nobody signed', async () => {
    const { a } = stack
    const ref = `${a.host}/${repo}:1.2.3`
    expect(
      (await cosignVerify(ref, otherKeys.publicKeyFile, [a])).code
    ).not.toBe(0)
    // tampered: the tag moved to other content behind the publisher's back
    await pushTestImage(a, repo, { tags: ['1.2.3'] })
    const tampered = await cosignVerify(ref, keys.publicKeyFile, [a])
    expect(tampered.code).not.toBe(0)
    expect(tampered.output).toMatch(
      /no signatures found|no matching signatures/i
    )
    // the untouched tag still verifies
    expect(
      (await cosignVerify(`${a.host}/${repo}:1.2`, keys.publicKeyFile, [a]))
        .code
    ).toBe(0)
  })

  it('an unsigned publish does not verify', async () => {
    const { a } = stack
    const unsigned = uniqueRepo('unsigned')
    const main = await runHello(a, unsigned, {})
    expect(main.code).toBe(0)
    expect(await publishedTags(a, unsigned)).toEqual(RELEASE_TAGS)
    expect(main.outputs.verify).toBe('')
    const verified = await cosignVerify(
      `${a.host}/${unsigned}:1.2.3`,
      keys.publicKeyFile,
      [a]
    )
    expect(verified.code).not.toBe(0)
  })

  /** The signed release promoted from registry A to B, gated by verify-key. */
  function promoteToB(target: string, verifyKey: string) {
    const { a, b } = stack
    return runMain(
      {
        mode: 'promote',
        source: `${a.host}/${repo}@${digest}`,
        images: `${b.host}/${target}`,
        logins: loginsFor(a, b),
        'verify-key': verifyKey
      },
      runnerEnv('push-tag')
    )
  }

  it('promote to another registry carries the signature: cosign verify passes on the promoted tag', async () => {
    const { b } = stack
    const target = uniqueRepo('promoted')
    const main = await promoteToB(target, keys.publicKey)
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    expect(await listTags(b, target)).toEqual([...RELEASE_TAGS, sigTag(digest)])
    for (const tag of RELEASE_TAGS) {
      const verified = await cosignVerify(
        `${b.host}/${target}:${tag}`,
        keys.publicKeyFile,
        [b]
      )
      expect({ tag, ...verified }).toMatchObject({ tag, code: 0 })
      expect(verified.output).toContain(digest)
    }
  })

  it('verify-key refuses to promote a source whose signature does not verify: no tag moves', async () => {
    const { b } = stack
    const target = uniqueRepo('refused')
    const main = await promoteToB(target, otherKeys.publicKey)
    expect(main.code).not.toBe(0)
    expect(errorLines(main.stdout).join('\n')).toMatch(
      /input "verify-key": no signature on .* verifies with this key, so nothing was promoted/
    )
    // verified right after the source was read: nothing was copied
    expect(await listTags(b, target)).toEqual([])
  })
  it('a tampered signature does not verify, and verify-key then refuses the promotion', async () => {
    const { a, b } = stack
    const tag = sigTag(digest)
    const read = await fetch(`http://${a.host}/v2/${repo}/manifests/${tag}`, {
      headers: {
        Authorization: basic(a),
        Accept: 'application/vnd.oci.image.manifest.v1+json'
      }
    })
    const manifest = (await read.json()) as {
      layers: { annotations: Record<string, string> }[]
    }
    const annotations = manifest.layers[0].annotations
    const signature = annotations['dev.cosignproject.cosign/signature']
    // one byte of the signature changed
    const bytes = Buffer.from(signature, 'base64')
    bytes[bytes.length - 1] ^= 1
    annotations['dev.cosignproject.cosign/signature'] = bytes.toString('base64')
    const body = new TextEncoder().encode(JSON.stringify(manifest))
    await putManifestBytes(a, repo, tag, {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: '',
      bytes: body
    })
    const verified = await cosignVerify(
      `${a.host}/${repo}@${digest}`,
      keys.publicKeyFile,
      [a]
    )
    expect(verified.code).not.toBe(0)
    const target = uniqueRepo('tampered')
    const main = await promoteToB(target, keys.publicKey)
    expect(main.code).not.toBe(0)
    expect(await listTags(b, target)).toEqual([])
  })

  it('a single-platform image promoted to another registry: its new index is signed too', async () => {
    const { a, b } = stack
    const source = uniqueRepo('signed-one')
    const signing = {
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': keys.password
    }
    const built = await runHello(a, source, {
      // one plain manifest: a provenance attestation would make an index
      provenance: 'false',
      ...signing
    })
    expect(built.code).toBe(0)
    const sourceDigest = built.outputs.digest
    const target = uniqueRepo('promoted-one')
    const main = await runMain(
      {
        mode: 'promote',
        source: `${a.host}/${source}:1.2.3`,
        images: `${b.host}/${target}`,
        logins: loginsFor(a, b),
        'verify-key': keys.publicKey,
        ...signing
      },
      runnerEnv('push-tag')
    )
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    const promoted = main.outputs.digest
    // imagetools wrapped the manifest in an index (docs/modes.md, known limits)
    expect(promoted).not.toBe(sourceDigest)
    expect(await listTags(b, target)).toEqual(
      [...RELEASE_TAGS, sigTag(promoted), sigTag(sourceDigest)].sort()
    )
    for (const ref of [
      `${b.host}/${target}:1.2.3`,
      `${b.host}/${target}@${sourceDigest}`
    ]) {
      const verified = await cosignVerify(ref, keys.publicKeyFile, [b])
      expect({ ref, code: verified.code }).toEqual({ ref, code: 0 })
    }
  })
})

describe('sign: key before anything runs', () => {
  it('a dry run plans the signature tag after the read-back and writes nothing', async () => {
    const { a } = stack
    const repo = uniqueRepo('signed-dry')
    const main = await runHello(a, repo, {
      'dry-run': 'true',
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': keys.password
    })
    expect(main.code).toBe(0)
    const steps = JSON.parse(main.outputs.plan) as {
      step: string
      url?: string
    }[]
    // the last step: nothing is left to clean up on containerd's store
    expect(steps.at(-1)).toEqual({
      step: 'sign',
      method: 'PUT',
      url: `http://${a.host}/v2/${repo}/manifests/sha256-<digest>.sig`
    })
    expect(await listTags(a, repo)).toEqual([])
  })

  it('a wrong password fails naming the input before the build, and is never shown', async () => {
    const { a } = stack
    const repo = uniqueRepo('signed-badpw')
    const main = await runHello(a, repo, {
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': 'not the password'
    })
    expect(main.code).not.toBe(0)
    expect(errorLines(main.stdout)).toEqual([
      expect.stringMatching(
        /input "signing-password": invalid value "\*\*\*": it does not open the cosign key/
      )
    ])
    // the plan is printed; no phase of it ran
    expect(main.stdout).not.toMatch(/::group::(Log in|Stage)/)
    expect(await listTags(a, repo)).toEqual([])
    expect(visibleText(main)).not.toContain('not the password')
  })
})
