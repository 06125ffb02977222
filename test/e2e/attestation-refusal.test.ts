/**
 * A registry that refuses buildx's attestation manifests (as ECR, Aliyun ACR
 * and Fly have been reported to): a stand-in in front of registry A that
 * takes the image's own manifests and refuses the index that lists the
 * attestation, of platform unknown/unknown, with its own words.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { publishedTags } from './registry-api.js'
import { errorLines, HELLO } from './releases.js'
import { runMain } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'

let stack: StackEnv
let proxy: FaultProxy

beforeAll(async () => {
  stack = stackEnv()
  // the upload puts the platform manifest and its attestation manifest first,
  // then the index that lists both: that third manifest PUT is refused
  proxy = await startFaultProxy({
    target: stack.a.host,
    faults: [
      {
        kind: 'status',
        status: 400,
        after: 2,
        match: { method: 'PUT', path: /\/manifests\// }
      }
    ]
  })
})

afterAll(() => proxy.close())

describe('a registry that refuses attestation manifests', () => {
  it("names provenance: false and sbom: false as the way out, after the registry's own words, and no tag lands", async () => {
    const repo = uniqueRepo('attestations-refused')
    const step = await runMain(
      {
        images: `${proxy.host}/${repo}`,
        logins: loginsFor({ ...stack.a, host: proxy.host }),
        context: HELLO
      },
      runnerEnv('push-tag')
    )
    expect(step.code).toBe(1)
    const errors = errorLines(step.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      new RegExp(
        `^::error::registry ${proxy.host.replace(/\./g, '\\.')}: .*400.*injected by the fault proxy \\(400\\).*; the image carries attestations .*unknown/unknown.*set provenance: false and sbom: false to publish without them`
      )
    )
    expect(await publishedTags(stack.a, repo)).toEqual([])
  })
})
