/**
 * sign: keyless against local stand-ins of GitHub's OIDC issuer, Fulcio and
 * Rekor (test/support/sigstore-standins.ts), judged by the real cosign 2.5
 * given their trust roots, and by the registry's own tag lists.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listTags, publishedTags, readManifest } from './registry-api.js'
import { runMain } from './runner.js'
import { RELEASE_TAGS, sigTag, errorLines, runHello } from './releases.js'
import { loginsFor, runnerEnv, uniqueRepo, visibleText } from './steps.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { cosignVerifyKeyless } from '../support/cosign.js'
import {
  GITHUB_ISSUER,
  startStandins,
  WORKFLOW_IDENTITY,
  type Standins
} from '../support/sigstore-standins.js'

let stack: StackEnv
let standins: Standins

const WORKFLOW = { identity: WORKFLOW_IDENTITY, issuer: GITHUB_ISSUER }

beforeAll(async () => {
  stack = stackEnv()
  standins = await startStandins()
})
afterAll(() => standins.close())

describe('sign: keyless, verified by the real cosign', () => {
  let repo: string
  let digest: string

  it('signs the published digest with a certificate for the workflow: cosign verify passes on the digest and each tag', async () => {
    repo = uniqueRepo('keyless')
    const { a } = stack
    const main = await runHello(
      a,
      repo,
      {
        platforms: 'linux/amd64,linux/arm64',
        sign: 'keyless',
        'fulcio-url': standins.fulcioUrl,
        'rekor-url': standins.rekorUrl,
        // the job's ID token turns GitHub's attestations on: github-attestations.test.ts has them
        'github-attestations': 'false'
      },
      runnerEnv('push-tag', standins.tokenEnv)
    )
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    digest = main.outputs.digest
    expect((await readManifest(a, repo, '1.2.3')).digest).toBe(digest)
    expect(await publishedTags(a, repo)).toEqual([
      ...RELEASE_TAGS,
      sigTag(digest)
    ])
    const command = `cosign verify --certificate-identity ${WORKFLOW_IDENTITY} --certificate-oidc-issuer ${GITHUB_ISSUER} ${a.host}/${repo}@${digest}`
    expect(main.outputs.verify).toBe(command)
    expect(main.summary).toContain(command)
    for (const ref of [
      `${a.host}/${repo}@${digest}`,
      ...RELEASE_TAGS.map(tag => `${a.host}/${repo}:${tag}`)
    ]) {
      const verified = await cosignVerifyKeyless(
        ref,
        WORKFLOW,
        standins.trustEnv,
        [a]
      )
      expect({ ref, ...verified }).toMatchObject({ ref, code: 0 })
      expect(verified.output).toContain(digest)
      // the chain to Fulcio's root and Rekor's entry (from its bundle) checked
      expect(verified.output).toContain(
        'The code-signing certificate was verified using trusted certificate authority certificates'
      )
      expect(verified.output).toContain(
        'Existence of the claims in the transparency log was verified offline'
      )
    }
    // the OIDC token was asked for once and never shows
    expect(standins.tokens).toHaveLength(1)
    const seen = visibleText(main)
    for (const token of standins.tokens) expect(seen).not.toContain(token)
    expect(seen).not.toContain(standins.tokenEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
  })

  it('cosign 3.1.1 verifies it too, given the same trust as a trusted_root.json', async () => {
    const { a } = stack
    const cosign3 = {
      binary: stack.cosign3,
      trustedRoot: standins.trustedRootFile
    }
    const ref = `${a.host}/${repo}:1.2.3`
    const verified = await cosignVerifyKeyless(ref, WORKFLOW, {}, [a], cosign3)
    expect(verified).toMatchObject({ code: 0 })
    expect(verified.output).toContain(digest)
    const other = { ...WORKFLOW, identity: `${WORKFLOW_IDENTITY}-other` }
    const refused = await cosignVerifyKeyless(ref, other, {}, [a], cosign3)
    expect(refused.code).not.toBe(0)
  })

  it('does not verify for another identity or another issuer', async () => {
    const { a } = stack
    const ref = `${a.host}/${repo}:1.2.3`
    for (const wrong of [
      { ...WORKFLOW, identity: WORKFLOW_IDENTITY.replace('release', 'other') },
      { ...WORKFLOW, issuer: 'https://accounts.google.com' }
    ]) {
      const verified = await cosignVerifyKeyless(
        ref,
        wrong,
        standins.trustEnv,
        [a]
      )
      expect({ wrong, code: verified.code }).not.toEqual({ wrong, code: 0 })
      expect(verified.output).toMatch(/no matching signatures|expected/i)
    }
  })

  it("does not verify against another Fulcio's root, Rekor's key or CT log's key", async () => {
    const { a } = stack
    const other = await startStandins()
    try {
      const reasons: Record<string, RegExp> = {
        SIGSTORE_ROOT_FILE: /certificate signed by unknown authority/,
        SIGSTORE_REKOR_PUBLIC_KEY: /rekor log public key not found/,
        // the SCT names its log by key: the certificate was logged elsewhere
        SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: /ctfe public key not found/
      }
      for (const [name, reason] of Object.entries(reasons)) {
        const trust = { ...standins.trustEnv, [name]: other.trustEnv[name] }
        const verified = await cosignVerifyKeyless(
          `${a.host}/${repo}@${digest}`,
          WORKFLOW,
          trust,
          [a]
        )
        expect({ name, code: verified.code }).not.toEqual({ name, code: 0 })
        expect(verified.output).toMatch(reason)
      }
    } finally {
      await other.close()
    }
  })

  it('promote to another registry carries the keyless signature: cosign verify passes on the promoted tag', async () => {
    const { a, b } = stack
    const target = uniqueRepo('keyless-promoted')
    const main = await runMain(
      {
        mode: 'promote',
        source: `${a.host}/${repo}@${digest}`,
        images: `${b.host}/${target}`,
        logins: loginsFor(a, b)
      },
      runnerEnv('push-tag')
    )
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    expect(await listTags(b, target)).toEqual([...RELEASE_TAGS, sigTag(digest)])
    const verified = await cosignVerifyKeyless(
      `${b.host}/${target}:1.2.3`,
      WORKFLOW,
      standins.trustEnv,
      [b]
    )
    expect(verified.code).toBe(0)
    expect(verified.output).toContain(digest)
  })

  /** A keyless release on A (`repo@digest` by default) promoted to B, gated by verify-identity. */
  function promoteGated(
    target: string,
    identity: string,
    trustedRoot: string,
    source = `${stack.a.host}/${repo}@${digest}`
  ) {
    const { a, b } = stack
    return runMain(
      {
        mode: 'promote',
        source,
        images: `${b.host}/${target}`,
        logins: loginsFor(a, b),
        'verify-identity': identity,
        'verify-trusted-root': trustedRoot
      },
      runnerEnv('push-tag')
    )
  }

  it("verify-identity lets the workflow's release through to another registry", async () => {
    const { b } = stack
    const target = uniqueRepo('keyless-gated')
    const main = await promoteGated(
      target,
      WORKFLOW_IDENTITY,
      standins.trustedRootFile
    )
    expect(errorLines(main.stdout)).toEqual([])
    expect(main.code).toBe(0)
    expect(main.stdout).toContain(
      `1 keyless signature(s) verify for ${WORKFLOW_IDENTITY}`
    )
    expect(await listTags(b, target)).toEqual([...RELEASE_TAGS, sigTag(digest)])
  })

  it('verify-identity refuses another identity, or another trust root: no tag moves', async () => {
    const { b } = stack
    const other = await startStandins()
    try {
      for (const [identity, trust] of [
        [
          WORKFLOW_IDENTITY.replace('release', 'other'),
          standins.trustedRootFile
        ],
        [WORKFLOW_IDENTITY, other.trustedRootFile]
      ]) {
        const target = uniqueRepo('keyless-refused')
        const main = await promoteGated(target, identity, trust)
        expect(main.code).not.toBe(0)
        expect(errorLines(main.stdout).join('\n')).toMatch(
          /input "verify-identity": no keyless signature on .* verifies for .*, so nothing was promoted/
        )
        expect(await listTags(b, target)).toEqual([])
      }
    } finally {
      await other.close()
    }
  })

  it('verify-trusted-root that is not a trusted_root.json fails naming the input: no tag moves', async () => {
    const { b } = stack
    const notRoot = join(mkdtempSync(join(tmpdir(), 'dpa-root-')), 'root.json')
    writeFileSync(notRoot, JSON.stringify({ tlogs: [] }))
    for (const [path, why] of [
      [join(notRoot, 'missing'), 'ENOTDIR'],
      [notRoot, 'it names no certificateAuthorities or no tlogs']
    ]) {
      const target = uniqueRepo('keyless-bad-root')
      const main = await promoteGated(target, WORKFLOW_IDENTITY, path)
      expect(main.code).not.toBe(0)
      expect(errorLines(main.stdout)).toEqual([
        expect.stringContaining(
          `input "verify-trusted-root": invalid value "${path}": not a readable Sigstore trusted_root.json (${why}`
        )
      ])
      expect(await listTags(b, target)).toEqual([])
    }
  })

  it.each([
    {
      sct: 'none' as const,
      reason: 'no valid SCT from a trusted CT log (expected 1 SCTs, got 0)'
    },
    {
      sct: 'unknown-log' as const,
      reason: 'no valid SCT from a trusted CT log (SCT verification failed)'
    }
  ])(
    'verify-identity refuses a certificate whose SCT is $sct, naming why: no tag moves',
    async ({ sct, reason }) => {
      const { a, b } = stack
      const unlogged = await startStandins(sct)
      try {
        const source = uniqueRepo(`keyless-sct-${sct}`)
        const signed = await runHello(
          a,
          source,
          {
            sign: 'keyless',
            'fulcio-url': unlogged.fulcioUrl,
            'rekor-url': unlogged.rekorUrl,
            'github-attestations': 'false'
          },
          runnerEnv('push-tag', unlogged.tokenEnv)
        )
        expect(errorLines(signed.stdout)).toEqual([])
        const target = uniqueRepo('keyless-sct-refused')
        const main = await promoteGated(
          target,
          WORKFLOW_IDENTITY,
          unlogged.trustedRootFile,
          `${a.host}/${source}@${signed.outputs.digest}`
        )
        expect(main.code).not.toBe(0)
        expect(errorLines(main.stdout)).toEqual([
          expect.stringContaining(
            `input "verify-identity": no keyless signature on ${a.host}/${source}@${signed.outputs.digest} verifies for ${WORKFLOW_IDENTITY} (issuer ${GITHUB_ISSUER}): the certificate has ${reason}, so nothing was promoted`
          )
        ])
        expect(await listTags(b, target)).toEqual([])
      } finally {
        await unlogged.close()
      }
    }
  )
})

describe('sign: keyless before anything runs', () => {
  it('without an OIDC token to ask for, fails naming the input before the build', async () => {
    const { a } = stack
    const repo = uniqueRepo('keyless-no-oidc')
    const main = await runHello(a, repo, { sign: 'true' })
    expect(main.code).not.toBe(0)
    expect(errorLines(main.stdout)).toEqual([
      expect.stringMatching(
        /input "sign": invalid value "keyless": keyless signing needs GitHub's OIDC token, and ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job "permissions: id-token: write", or sign with "signing-key"/
      )
    ])
    expect(main.stdout).not.toMatch(/::group::(Log in|Stage)/)
    expect(await listTags(a, repo)).toEqual([])
  })

  it('a dry run plans the signature tag and asks for no token', async () => {
    const { a } = stack
    const repo = uniqueRepo('keyless-dry')
    const asked = standins.tokens.length
    const main = await runHello(
      a,
      repo,
      {
        'dry-run': 'true',
        sign: 'keyless',
        'fulcio-url': standins.fulcioUrl,
        'rekor-url': standins.rekorUrl,
        // the job's ID token turns GitHub's attestations on: github-attestations.test.ts has them
        'github-attestations': 'false'
      },
      runnerEnv('push-tag', standins.tokenEnv)
    )
    expect(main.code).toBe(0)
    const steps = JSON.parse(main.outputs.plan) as { step: string }[]
    expect(steps.at(-1)).toEqual({
      step: 'sign',
      method: 'PUT',
      url: `http://${a.host}/v2/${repo}/manifests/sha256-<digest>.sig`
    })
    expect(standins.tokens).toHaveLength(asked)
    expect(await listTags(a, repo)).toEqual([])
  })
})
