/**
 * sign: keyless against local stand-ins of GitHub's OIDC issuer, Fulcio and
 * Rekor (test/support/sigstore-standins.ts), judged by the real cosign 2.5
 * given their trust roots, and by the registry's own tag lists.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { publishedTags, readManifest } from './registry-api.js'
import { runMain } from './runner.js'
import { credentials, runnerEnv, uniqueRepo, visibleText } from './steps.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { cosignVerifyKeyless } from '../support/cosign.js'
import {
  GITHUB_ISSUER,
  startStandins,
  WORKFLOW_IDENTITY,
  type Standins
} from '../support/sigstore-standins.js'

const HELLO = 'test/fixtures/contexts/hello'
const RELEASE_TAGS = ['1', '1.2', '1.2.3']
let stack: StackEnv
let standins: Standins

const sigTag = (digest: string) => `${digest.replace(':', '-')}.sig`
const errors = (text: string) =>
  text.split('\n').filter(line => line.startsWith('::error::'))
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
    const main = await runMain(
      {
        images: `${a.host}/${repo}`,
        ...credentials(a),
        context: HELLO,
        platforms: 'linux/amd64,linux/arm64',
        sign: 'keyless',
        'fulcio-url': standins.fulcioUrl,
        'rekor-url': standins.rekorUrl
      },
      runnerEnv('push-tag', standins.tokenEnv)
    )
    expect(errors(main.stdout)).toEqual([])
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
    }
    // the OIDC token was asked for once and never shows
    expect(standins.tokens).toHaveLength(1)
    const seen = visibleText(main)
    for (const token of standins.tokens) expect(seen).not.toContain(token)
    expect(seen).not.toContain(standins.tokenEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
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
})
