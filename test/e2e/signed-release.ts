/**
 * A release as a workflow that signs leaves it, for the clean-up e2e on any registry: a
 * two-platform `latest` of the hello fixture with provenance, built and signed by the action
 * (cosign's `.sig` tag), then signed by cosign 3 (a Sigstore bundle, an OCI 1.1 referrer); and
 * `oras discover` of a digest's referrers, to judge that a clean-up left them.
 */
import { execFile } from 'node:child_process'
import { expect } from '@jest/globals'
import { cosign3Sign, type KeyPair } from '../support/cosign.js'
import { stackOras, type StackRegistry } from '../support/stack-env.js'
import { errorLines, HELLO } from './releases.js'
import { runMain } from './runner.js'
import { credentials, runnerEnv } from './steps.js'

/** The release's index digest, built for commit `sha` on the default branch. */
export async function buildSignedLatest(
  registry: StackRegistry,
  repo: string,
  sha: string,
  signing: { keys: KeyPair; cosign3: string }
): Promise<string> {
  const { keys } = signing
  const main = await runMain(
    {
      images: `${registry.host}/${repo}`,
      ...credentials(registry),
      context: HELLO,
      platforms: 'linux/amd64,linux/arm64',
      provenance: 'mode=max',
      tags: 'type=raw,value=latest',
      sign: 'key',
      'signing-key': keys.privateKey,
      'signing-password': keys.password
    },
    runnerEnv('push-default-branch', { GITHUB_SHA: sha })
  )
  expect(errorLines(main.stdout)).toEqual([])
  expect(main.code).toBe(0)
  const digest = main.outputs.digest
  const ref = `${registry.host}/${repo}@${digest}`
  const signed = await cosign3Sign(signing.cosign3, ref, keys, [registry])
  expect(signed).toMatchObject({ code: 0 })
  return digest
}

/** `oras discover` as JSON: a digest's referrers' digests, sorted (the password on stdin). */
export function discover(
  registry: StackRegistry,
  repo: string,
  digest: string
): Promise<string[]> {
  const args = ['discover', '--plain-http', '--format', 'json']
  args.push('--username', registry.username, '--password-stdin')
  return new Promise((resolve, reject) => {
    const child = execFile(
      stackOras(),
      [...args, `${registry.host}/${repo}@${digest}`],
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`oras discover: ${stderr || error.message}`))
        const found = JSON.parse(stdout) as { referrers?: { digest: string }[] }
        resolve((found.referrers ?? []).map(r => r.digest).sort())
      }
    )
    child.stdin?.end(registry.password)
  })
}
