/**
 * cosign 3's signatures (Debian sid's cosign 3.1.1 beside trixie's 2.5, as
 * sigstore/cosign-installer installs 3 today): a Sigstore bundle attached as
 * an OCI 1.1 referrer, which promote's verify-key accepts and carries, on
 * distribution 2.8 (registry A: no referrers API, the referrers tag) and on a
 * registry with the referrers API (test/support/referrers-registry.ts); and
 * `sign: key` verified by both cosigns; cosign 3 keyless against the Sigstore
 * stand-ins (test/support/sigstore-standins.ts) through verify-identity.
 * Judged by the real cosigns and the registries' own tag lists and referrers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { listTags } from './registry-api.js'
import { runMain } from './runner.js'
import { RELEASE_TAGS, errorLines, runHello, sigTag } from './releases.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'
import {
  stackEnv,
  type StackEnv,
  type StackRegistry
} from '../support/stack-env.js'
import { pushTestImage } from '../support/registry-seed.js'
import {
  startReferrersRegistry,
  type ReferrersRegistry
} from '../support/referrers-registry.js'
import {
  cosign3Sign,
  cosign3SignKeyless,
  cosignVerify,
  cosignVerifyKeyless,
  generateKeyPair,
  type KeyPair
} from '../support/cosign.js'
import {
  GITHUB_ISSUER,
  startStandins,
  WORKFLOW_IDENTITY,
  type Standins
} from '../support/sigstore-standins.js'

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json'

let stack: StackEnv
let keys: KeyPair
let otherKeys: KeyPair
let withApi: ReferrersRegistry

beforeAll(async () => {
  stack = stackEnv()
  keys = await generateKeyPair('correct horse')
  otherKeys = await generateKeyPair('battery staple')
  withApi = await startReferrersRegistry({ api: true })
})
afterAll(() => withApi.close())

const referrersTag = (digest: string) => digest.replace(':', '-')

/** The referrers the registry's API lists for a digest (404: it has no API). */
async function apiReferrers(r: StackRegistry, repo: string, digest: string) {
  const response = await fetch(
    `http://${r.host}/v2/${repo}/referrers/${digest}`
  )
  if (response.status === 404) return undefined
  const index = (await response.json()) as {
    manifests: { artifactType?: string }[]
  }
  return index.manifests
}

interface Place {
  name: string
  registry: () => StackRegistry
  /** The inputs that log in there (the referrers registry asks for none). */
  logins: () => Record<string, string>
  /** The tags a repository holds beside its own once a digest is signed there by cosign 3. */
  referrerTags: (digest: string) => string[]
  /** What the referrers API lists for the signed digest (undefined: no API). */
  listed: unknown
}

const PLACES: Place[] = [
  {
    name: 'distribution 2.8, no referrers API: the referrers tag',
    registry: () => stack.a,
    logins: () => ({ logins: loginsFor(stack.a) }),
    referrerTags: digest => [referrersTag(digest)],
    listed: undefined
  },
  {
    name: 'a registry with the referrers API',
    registry: () => ({ host: withApi.host, username: '', password: '' }),
    logins: () => ({}),
    referrerTags: () => [],
    listed: [expect.objectContaining({ artifactType: BUNDLE })]
  }
]

describe.each(PLACES)(
  'cosign 3 signs, promote verifies: $name',
  ({ registry, logins, referrerTags, listed }) => {
    let r: StackRegistry
    let repo: string
    let digest: string

    beforeAll(async () => {
      r = registry()
      repo = uniqueRepo('cosign3')
      const image = await pushTestImage(r, repo, {
        tags: ['rc'],
        format: 'oci'
      })
      digest = image.manifest.digest
      const signed = await cosign3Sign(
        stack.cosign3,
        `${r.host}/${repo}@${digest}`,
        keys,
        [r]
      )
      if (signed.code !== 0) throw new Error(`cosign 3 sign: ${signed.output}`)
    })

    it('cosign 3 attached a bundle referrer, which cosign 3 verifies and cosign 2.5 does not find', async () => {
      expect(await listTags(r, repo)).toEqual(
        ['rc', ...referrerTags(digest)].sort()
      )
      expect(await apiReferrers(r, repo, digest)).toEqual(listed)
      const ref = `${r.host}/${repo}@${digest}`
      const [two, three] = await Promise.all([
        cosignVerify(ref, keys.publicKeyFile, [r]),
        cosignVerify(ref, keys.publicKeyFile, [r], stack.cosign3)
      ])
      expect(three).toMatchObject({ code: 0 })
      expect(two.code).not.toBe(0)
      expect(two.output).toMatch(/no signatures found/)
    })

    /** The signed image promoted within its registry, gated by verify-key. */
    const promote = (target: string, verifyKey: string) =>
      runMain(
        {
          mode: 'promote',
          source: `${r.host}/${repo}@${digest}`,
          images: `${r.host}/${target}`,
          'verify-key': verifyKey,
          ...logins()
        },
        runnerEnv('push-tag')
      )

    it('promote with verify-key lands, carries the bundle, and cosign 3.1.1 verifies the promoted tag', async () => {
      const target = uniqueRepo('cosign3-promoted')
      const main = await promote(target, keys.publicKey)
      expect(errorLines(main.stdout)).toEqual([])
      expect(main.code).toBe(0)
      expect(main.stdout).toContain(
        `${r.host}/${repo}@${digest}: 0 .sig signature(s) and 1 Sigstore bundle(s) verify`
      )
      expect(main.outputs.digest).toBe(digest)
      expect(await listTags(r, target)).toEqual(
        [...RELEASE_TAGS, ...referrerTags(digest)].sort()
      )
      for (const tag of RELEASE_TAGS) {
        const verified = await cosignVerify(
          `${r.host}/${target}:${tag}`,
          keys.publicKeyFile,
          [r],
          stack.cosign3
        )
        expect({ tag, ...verified }).toMatchObject({ tag, code: 0 })
        expect(verified.output).toContain(digest)
      }
    })

    it('signed by another key: refused before anything is copied, the target empty', async () => {
      const target = uniqueRepo('cosign3-refused')
      const main = await promote(target, otherKeys.publicKey)
      expect(main.code).not.toBe(0)
      expect(errorLines(main.stdout)).toEqual([
        expect.stringMatching(
          /input "verify-key": no signature on .* verifies with this key, so nothing was promoted/
        )
      ])
      expect(await listTags(r, target)).toEqual([])
    })
  }
)

describe('cosign 3 signs, promote to another registry (imagetools)', () => {
  it('the bundle is copied to the target and verifies on the source digest there', async () => {
    const { a, b } = stack
    const repo = uniqueRepo('cosign3-cross')
    const image = await pushTestImage(a, repo, { tags: ['rc'], format: 'oci' })
    const digest = image.manifest.digest
    const ref = `${a.host}/${repo}@${digest}`
    expect(await cosign3Sign(stack.cosign3, ref, keys, [a])).toMatchObject({
      code: 0
    })
    const target = uniqueRepo('cosign3-cross-promoted')
    const main = await runMain(
      {
        mode: 'promote',
        source: ref,
        images: `${b.host}/${target}`,
        logins: loginsFor(a, b),
        'verify-key': keys.publicKey
      },
      runnerEnv('push-tag')
    )
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    // imagetools wrapped the one manifest in an index (docs/modes.md, known limits)
    expect(main.outputs.digest).not.toBe(digest)
    expect(main.stdout).toContain(
      `::warning::${b.host}/${target}: the promoted digest ${main.outputs.digest} wraps the ` +
        `source ${digest} in an index, which the carried referrers do not cover: they verify ` +
        `on ${b.host}/${target}@${digest}`
    )
    expect(await listTags(b, target)).toEqual(
      [...RELEASE_TAGS, referrersTag(digest)].sort()
    )
    const verified = await cosignVerify(
      `${b.host}/${target}@${digest}`,
      keys.publicKeyFile,
      [b],
      stack.cosign3
    )
    expect(verified).toMatchObject({ code: 0 })
  })
})

describe('sign: key, verified by cosign 2.5 and 3.1.1', () => {
  it("both verify the action's `.sig` signature with their defaults", async () => {
    const { a } = stack
    const repo = uniqueRepo('signed-both')
    const main = await runHello(a, repo, {
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': keys.password
    })
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    const { digest } = main.outputs
    expect(await listTags(a, repo)).toEqual(
      [...RELEASE_TAGS, sigTag(digest)].sort()
    )
    for (const binary of ['cosign', stack.cosign3]) {
      const verified = await cosignVerify(
        `${a.host}/${repo}:1.2.3`,
        keys.publicKeyFile,
        [a],
        binary
      )
      expect({ binary, ...verified }).toMatchObject({ binary, code: 0 })
      expect(verified.output).toContain(digest)
    }
  })
})

describe('cosign 3 signs keyless, promote verifies the identity', () => {
  let standins: Standins
  let repo: string
  let digest: string
  beforeAll(async () => {
    standins = await startStandins()
    const { a } = stack
    repo = uniqueRepo('cosign3-keyless')
    const image = await pushTestImage(a, repo, { tags: ['rc'], format: 'oci' })
    digest = image.manifest.digest
    const {
      ACTIONS_ID_TOKEN_REQUEST_URL: url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN
    } = standins.tokenEnv
    const answer = await fetch(`${url}&audience=sigstore`, {
      headers: { authorization: `bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }
    })
    const { value } = (await answer.json()) as { value: string }
    const ref = `${a.host}/${repo}@${digest}`
    const signed = await cosign3SignKeyless(
      stack.cosign3,
      ref,
      standins,
      value,
      [a]
    )
    if (signed.code !== 0) throw new Error(`cosign 3 sign: ${signed.output}`)
  })
  afterAll(() => standins.close())

  const promote = (target: string, identity: string) =>
    runMain(
      {
        mode: 'promote',
        source: `${stack.a.host}/${repo}@${digest}`,
        images: `${stack.a.host}/${target}`,
        logins: loginsFor(stack.a),
        'verify-identity': identity,
        'verify-trusted-root': standins.trustedRootFile
      },
      runnerEnv('push-tag')
    )

  it('verify-identity lets it through, the bundle goes along, cosign 3.1.1 verifies the promoted tag', async () => {
    const { a } = stack
    const target = uniqueRepo('cosign3-keyless-promoted')
    const main = await promote(target, WORKFLOW_IDENTITY)
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    expect(main.stdout).toContain(
      `1 keyless signature(s) verify for ${WORKFLOW_IDENTITY}`
    )
    expect(await listTags(a, target)).toEqual(
      [...RELEASE_TAGS, referrersTag(digest)].sort()
    )
    const verified = await cosignVerifyKeyless(
      `${a.host}/${target}:1.2.3`,
      { identity: WORKFLOW_IDENTITY, issuer: GITHUB_ISSUER },
      {},
      [a],
      { binary: stack.cosign3, trustedRoot: standins.trustedRootFile }
    )
    expect(verified).toMatchObject({ code: 0 })
    expect(verified.output).toContain(digest)
  })

  it('another identity: refused, the target empty', async () => {
    const target = uniqueRepo('cosign3-keyless-refused')
    const main = await promote(
      target,
      WORKFLOW_IDENTITY.replace('release', 'other')
    )
    expect(main.code).not.toBe(0)
    expect(errorLines(main.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `input "verify-identity": no keyless signature on .* verifies for .*: ` +
            `the certificate names ${WORKFLOW_IDENTITY}, so nothing was promoted`
        )
      )
    ])
    expect(await listTags(stack.a, target)).toEqual([])
  })
})
