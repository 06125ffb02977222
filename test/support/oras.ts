/**
 * The stack's ORAS CLI (Debian sid's, scripts/stack/lib/oras.sh), a registry client nobody here
 * wrote: `oras discover` lists a digest's OCI 1.1 referrers (the referrers API, else the tag
 * schema), as a user would read them.
 */
import { execFile } from 'node:child_process'
import { stackOras, type StackRegistry } from './stack-env.js'

/** oras 1.3's JSON: the subject, and its referrers as a tree. */
export interface Discovered {
  referrers?: {
    digest?: string
    artifactType?: string
    annotations?: Record<string, string>
  }[]
}

/** `oras discover` of `digest` in `repo` as JSON (the password goes on stdin). */
export function orasDiscover(
  registry: StackRegistry,
  repo: string,
  digest: string
): Promise<Discovered> {
  const args = [
    'discover',
    '--plain-http',
    '--format',
    'json',
    '--username',
    registry.username,
    '--password-stdin',
    `${registry.host}/${repo}@${digest}`
  ]
  return new Promise((resolve, reject) => {
    const child = execFile(stackOras(), args, (error, stdout, stderr) => {
      if (error) reject(new Error(`oras discover: ${stderr || error.message}`))
      else resolve(JSON.parse(stdout) as Discovered)
    })
    child.stdin?.end(registry.password)
  })
}
