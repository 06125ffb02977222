/**
 * Registry and daemon faults, through the fault-injecting proxy in front of
 * registry A (SPEC 2 "transient faults are retried", 8 "errors"). Every
 * case publishes 1.2.3 over a repository that holds 1.2.2 as 1.2.2, 1.2, 1
 * and latest, then checks what a user sees: the outcome, what landed (read
 * from A directly, not through the proxy), that no floating tag moved on a
 * failure, and that the log and `pushed` name exactly what the registry
 * holds. Each case is recorded in .reliability/faults.jsonl.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BLOB_PUT,
  DIGEST_PUT,
  startFaultProxy,
  TAG_PUT,
  type Fault,
  type ProxiedRequest
} from '../support/fault-proxy.js'
import {
  describeLeft,
  reliabilityRecorder,
  type CaseRecord
} from '../support/reliability.js'
import { pushTestImage } from '../support/registry-seed.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { registryState } from './registry-api.js'
import { ROOT, runPost, startMain, type StepResult } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'

const HELLO = 'test/fixtures/contexts/hello'
const FLOATING = ['1', '1.2', 'latest']
const record = reliabilityRecorder('faults')
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

interface FaultCase {
  category: string
  name: string
  faults: Fault[]
  inputs?: Record<string, string>
  /** Runner env on top of a tag push (DOCKER_HOST). */
  env?: Record<string, string>
  /** Runs the step through this command (a machine without buildx). */
  launcher?: string[]
  /** Builds a context of fresh random bytes, so docker must upload a blob. */
  freshBlob?: boolean
  /** Another build context (a path). */
  context?: string
}

/** A fault the run must fail on: at once, or after its retries. */
interface FailingCase extends FaultCase {
  /** The one ::error:: line. */
  error: RegExp
  /** The tags the run pointed before it failed. */
  landed: string[]
}

/**
 * A build that compiles in silence for 3 s (plain progress prints nothing
 * while a RUN sleeps), then makes a layer of 64 KiB of random bytes.
 */
function silentBuildContext(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-silent-'))
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM local/busybox:latest\nRUN sleep 3 && head -c 65536 /dev/urandom > /blob\n'
  )
  return dir
}

/** A build context whose one layer no registry has yet (64 KiB of random bytes). */
function freshContext(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpa-fresh-'))
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY blob /blob\n')
  writeFileSync(join(dir, 'blob'), randomBytes(64 * 1024))
  return dir
}

const errors = (step: StepResult) =>
  step.stdout.split('\n').filter(line => line.startsWith('::error::'))

const tagOf = (ref: string) => ref.slice(ref.lastIndexOf(':') + 1)

/** The "In the registry before the failure:" list of the log, as tag → digest. */
function reportedInLog(step: StepResult): Record<string, string> {
  const lines = step.stdout.split('\n')
  const start = lines.indexOf('In the registry before the failure:')
  if (start === -1) return {}
  const entries: [string, string][] = []
  for (const line of lines.slice(start + 1)) {
    const match = /^ {2}(\S+)@(sha256:[0-9a-f]{64})$/.exec(line)
    if (match === null) break
    entries.push([tagOf(match[1]), match[2]])
  }
  return Object.fromEntries(entries)
}

/** The job summary's rows of tags the run wrote (new or moved), as tag → digest. */
function summaryLanded(step: StepResult): Record<string, string> {
  const rows = step.summary
    .split('\n')
    .map(line =>
      /^\| `(\S+)` \| \w+ \| (sha256:[0-9a-f]{64}) \| (new|moved)/.exec(line)
    )
    .filter(match => match !== null)
  return Object.fromEntries(rows.map(match => [tagOf(match[1]), match[2]]))
}

/** The `pushed` output as tag → digest. */
function pushedOutput(step: StepResult): Record<string, string> {
  const pushed = JSON.parse(step.outputs.pushed ?? 'null') as
    { ref: string; digest: string }[] | null
  return Object.fromEntries((pushed ?? []).map(p => [tagOf(p.ref), p.digest]))
}

/** The tags whose digest differs between two states (added or moved). */
function changed(
  before: Record<string, string>,
  after: Record<string, string>
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(after).filter(([tag, digest]) => before[tag] !== digest)
  )
}

/** Faults on the action's own upload of a fresh blob, each once (or as said). */
function uploadFaults(): FaultCase[] {
  const timeouts = { retries: '2', 'registry-timeout': '1' }
  const cases: [string, Fault, Record<string, string>?][] = [
    [
      'a 503 on the blob PUT (our upload)',
      { kind: 'status', status: 503, times: 1, match: BLOB_PUT }
    ],
    [
      'a 429 with Retry-After: 1 on the blob PUT (our upload)',
      {
        kind: 'status',
        status: 429,
        retryAfterSeconds: 1,
        times: 1,
        match: BLOB_PUT
      }
    ],
    // the PUT and the GET that asks where the upload is both say 404
    [
      'a registry that forgets the upload session (our upload)',
      {
        kind: 'status',
        status: 404,
        times: 2,
        match: { path: /\/blobs\/uploads\/./ }
      }
    ],
    [
      'a blob PUT that hangs once (our upload, registry-timeout: 1, retries: 2)',
      { kind: 'hang', times: 1, match: BLOB_PUT },
      timeouts
    ],
    [
      'a manifest PUT by digest that hangs once (our upload, registry-timeout: 1, retries: 2)',
      { kind: 'hang', times: 1, match: DIGEST_PUT },
      timeouts
    ]
  ]
  return cases.map(([name, fault, inputs]) => ({
    category: 'upload',
    name,
    faults: [fault],
    freshBlob: true,
    ...(inputs === undefined ? {} : { inputs })
  }))
}

const failing: FailingCase[] = [
  {
    category: 'registry refuses',
    name: '401 on the login',
    faults: [{ kind: 'status', status: 401, match: { path: /^\/v2\/$/ } }],
    error: /registry 127\.0\.0\.1:\d+.*(credentials|401|unauthori[sz]ed)/i,
    landed: []
  },
  {
    category: 'registry refuses',
    // as a registry that stops taking the password during the run (rotated)
    name: '401 with a Basic challenge on the registry read after the build',
    faults: [
      {
        kind: 'status',
        status: 401,
        headers: { 'WWW-Authenticate': 'Basic realm="Registry Realm"' },
        match: { path: /\/tags\/list/ }
      }
    ],
    error: /registry 127\.0\.0\.1:\d+.*(credentials|401|unauthori[sz]ed)/i,
    landed: []
  },
  {
    category: 'registry refuses',
    name: '403 on the blob upload (docker push)',
    faults: [
      {
        kind: 'status',
        status: 403,
        match: { method: 'POST', path: /\/blobs\/uploads\// }
      }
    ],
    freshBlob: true,
    error: /registry 127\.0\.0\.1:\d+.*(denied|403|forbidden)/i,
    landed: []
  },
  {
    category: 'registry refuses',
    name: '403 on the first tag PUT',
    faults: [{ kind: 'status', status: 403, match: TAG_PUT }],
    error: /registry 127\.0\.0\.1:\d+.*(denied|403|forbidden)/i,
    landed: []
  },
  {
    category: 'server errors and rate limits',
    name: 'persistent 503 on the tag PUTs (retries: 2)',
    faults: [{ kind: 'status', status: 503, match: TAG_PUT }],
    inputs: { retries: '2' },
    error:
      /registry 127\.0\.0\.1:\d+: PUT \S+\/manifests\/1\.2\.3 failed after 3 attempts: 503 Service Unavailable/,
    landed: []
  },
  {
    category: 'network',
    name: 'a registry that never answers (registry-timeout: 1, retries: 1)',
    faults: [{ kind: 'hang', match: { path: /\/tags\/list/ } }],
    inputs: { retries: '1', 'registry-timeout': '1' },
    error:
      /registry 127\.0\.0\.1:\d+: GET .*tags\/list.* failed after 2 attempts: no response within 1000 ms/,
    landed: []
  },
  {
    category: 'network',
    name: 'the registry dies after the first tag PUT (retries: 1)',
    faults: [{ kind: 'die', after: 1, match: TAG_PUT }],
    inputs: { retries: '1' },
    error:
      /registry 127\.0\.0\.1:\d+: PUT .* failed after 2 attempts: .*(refused|reset|closed)/,
    landed: ['1.2.3']
  },
  {
    category: 'docker daemon',
    name: 'dockerd unreachable (DOCKER_HOST=unix:///nonexistent.sock)',
    faults: [],
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    error: /the Docker daemon is not reachable/,
    landed: []
  }
]

const recovering: FaultCase[] = [
  {
    // the login's first two requests (dockerd would report a 503 on its
    // ping as 401: the project's own client retries it)
    category: 'server errors and rate limits',
    name: '503 on the first two login requests',
    faults: [
      { kind: 'status', status: 503, times: 2, match: { path: /^\/v2\/$/ } }
    ]
  },
  {
    // one 503 or 429 on the login ping used to read as a wrong password
    // (dockerd reports it as 401): the client's login retries it
    category: 'server errors and rate limits',
    name: 'a single 503 on the login ping',
    faults: [
      { kind: 'status', status: 503, times: 1, match: { path: /^\/v2\/$/ } }
    ]
  },
  {
    category: 'server errors and rate limits',
    name: 'a single 429 on the login ping',
    faults: [
      { kind: 'status', status: 429, times: 1, match: { path: /^\/v2\/$/ } }
    ]
  },
  {
    // the login's authenticated request (after the 401 challenge)
    category: 'server errors and rate limits',
    name: "a 503 on the login's authenticated ping",
    faults: [
      {
        kind: 'status',
        status: 503,
        after: 1,
        times: 1,
        match: { path: /^\/v2\/$/ }
      }
    ]
  },
  {
    category: 'server errors and rate limits',
    name: '503 on the first two repository requests',
    faults: [
      { kind: 'status', status: 503, times: 2, match: { path: /^\/v2\/.+/ } }
    ]
  },
  {
    category: 'server errors and rate limits',
    name: '503 once on a floating tag PUT',
    faults: [
      {
        kind: 'status',
        status: 503,
        times: 1,
        match: { method: 'PUT', path: /\/manifests\/1$/ }
      }
    ]
  },
  {
    // rate limits hit manifest reads (as Docker Hub's do); a 429 on the login
    // ping makes dockerd report 401, which no client can tell apart
    category: 'server errors and rate limits',
    name: "429 with Retry-After: 1 on docker's first manifest read (the push)",
    faults: [
      {
        kind: 'status',
        status: 429,
        retryAfterSeconds: 1,
        times: 1,
        match: { path: /\/manifests\// }
      }
    ]
  },
  {
    category: 'server errors and rate limits',
    name: "429 with Retry-After: 1 on the action's first tag read",
    faults: [
      {
        kind: 'status',
        status: 429,
        retryAfterSeconds: 1,
        times: 1,
        match: { method: 'HEAD', path: /\/manifests\/(?!build-)/ }
      }
    ]
  },
  {
    category: 'server errors and rate limits',
    name: '429 without Retry-After, twice, on the tag list',
    faults: [
      { kind: 'status', status: 429, times: 2, match: { path: /\/tags\/list/ } }
    ]
  },
  {
    category: 'network',
    name: 'connection resets on the first two requests',
    faults: [{ kind: 'reset', times: 2 }]
  },
  {
    category: 'network',
    name: 'connection reset in the middle of a blob upload',
    faults: [
      {
        kind: 'reset-mid-body',
        afterBytes: 16 * 1024,
        times: 1,
        match: { path: /\/blobs\/uploads\/./ }
      }
    ],
    freshBlob: true
  },
  // the action's own upload of the build (buildx's docker driver on the
  // stack): every request has registry-timeout, and is retried
  ...uploadFaults(),
  {
    category: 'network',
    name: 'a registry request that hangs once (registry-timeout: 1)',
    faults: [{ kind: 'hang', times: 1, match: { path: /\/tags\/list/ } }],
    inputs: { retries: '2', 'registry-timeout': '1' }
  }
]

interface Run {
  main: StepResult
  before: Record<string, string>
  after: Record<string, string>
  /** Requests the proxy faulted (answered, reset or held itself). */
  faulted: number
  /** Every request the proxy saw, in arrival order. */
  requests: readonly ProxiedRequest[]
}

/**
 * Seeds 1.2.2, publishes 1.2.3 through a fresh proxy with the case's
 * faults (timed), runs post, and reads registry A directly after.
 * `watchdog`: SIGKILL the run if it has not ended after that many ms.
 */
async function publishThroughFaults(
  fault: FaultCase,
  c: CaseRecord,
  watchdog?: number
): Promise<Run> {
  const { a } = stack
  const repo = uniqueRepo('faults')
  await pushTestImage(a, repo, { tags: ['1.2.2', '1.2', '1', 'latest'] })
  const before = await registryState(a, repo)
  const proxy = await startFaultProxy({ target: a.host, faults: fault.faults })
  const env = runnerEnv('push-tag', fault.env)
  const main = await c.time(() => {
    const running = startMain(
      {
        images: `${proxy.host}/${repo}`,
        logins: loginsFor({ ...a, host: proxy.host }),
        context:
          fault.context ?? (fault.freshBlob === true ? freshContext() : HELLO),
        flavor: 'latest=release',
        ...fault.inputs
      },
      env,
      fault.launcher
    )
    if (watchdog !== undefined) {
      const timer = setTimeout(() => running.child.kill('SIGKILL'), watchdog)
      void running.result.finally(() => clearTimeout(timer))
    }
    return running.result
  })
  await proxy.close()
  expect((await runPost(main, env)).code).toBe(0)
  const after = await registryState(a, repo)
  c.left(describeLeft(before, after))
  const faulted = proxy.requests.filter(
    r => !r.forwarded || r.outcome === 'reset'
  ).length
  return { main, before, after, faulted, requests: proxy.requests }
}

describe('registry and daemon faults', () => {
  it.each(recovering)('$category: $name ends in success', async fault =>
    record(fault.category, fault.name, async c => {
      const { main, before, after, faulted } = await publishThroughFaults(
        fault,
        c
      )
      expect(faulted).toBeGreaterThan(0)
      expect(errors(main)).toEqual([])
      expect(main.code).toBe(0)
      const tags = ['1.2.3', '1.2', '1', 'latest']
      expect(changed(before, after)).toEqual(
        Object.fromEntries(tags.map(tag => [tag, main.outputs.digest]))
      )
      expect(pushedOutput(main)).toEqual(changed(before, after))
    })
  )

  it.each(failing)('$category: $name fails clearly', async fault =>
    record(fault.category, fault.name, async c => {
      const { main, before, after, faulted } = await publishThroughFaults(
        fault,
        c
      )
      // the fault did happen (the daemon case has no proxy in its way)
      expect(faulted > 0).toBe(fault.faults.length > 0)
      expect(errors(main)).toEqual([expect.stringMatching(fault.error)])
      expect(main.code).toBe(1)
      expect(Object.keys(changed(before, after)).sort()).toEqual(fault.landed)
      for (const tag of FLOATING) expect(after[tag]).toBe(before[tag])
      // the log, the outputs and the summary tell what the registry holds
      expect(reportedInLog(main)).toEqual(changed(before, after))
      expect(pushedOutput(main)).toEqual(changed(before, after))
      expect(summaryLanded(main)).toEqual(changed(before, after))
      expect(
        main.stdout.includes('No tag was pointed before the failure.')
      ).toBe(fault.landed.length === 0)
    })
  )

  // On buildx's docker driver and without buildx the action uploads the
  // image itself: every request of the upload has its timeout, so a registry
  // that hangs ends the run in bounded time. The test's watchdog only keeps a
  // regression from holding the suite; the time to fail is recorded, not
  // asserted.
  it.each([
    {
      name: 'a registry that hangs during the upload (registry-timeout: 1, retries: 1)'
    },
    {
      // docker without buildx: `docker build`, `docker save`, the upload
      name: 'a registry that hangs during the upload of a classic build (registry-timeout: 1, retries: 1)',
      launcher: [join(ROOT, 'test/fixtures/no-buildx/without-buildx.sh')]
    }
  ])('network: $name fails clearly', ({ name, launcher }) =>
    record('network', name, async c => {
      const hang: FaultCase = {
        category: 'network',
        name,
        faults: [{ kind: 'hang', match: { path: /\/blobs\/uploads\// } }],
        inputs: { retries: '1', 'registry-timeout': '1' },
        launcher,
        freshBlob: true
      }
      const { main, before, after, faulted } = await publishThroughFaults(
        hang,
        c,
        60_000
      )
      expect(faulted).toBeGreaterThan(0)
      expect(errors(main)).toEqual([
        expect.stringMatching(
          /^::error::registry 127\.0\.0\.1:\d+: POST \S+\/blobs\/uploads\/ failed after 2 attempts: no response within 1000 ms$/
        )
      ])
      expect(main.code).toBe(1)
      expect(after).toEqual(before)
      expect(reportedInLog(main)).toEqual({})
      expect(pushedOutput(main)).toEqual({})
      expect(summaryLanded(main)).toEqual({})
      expect(main.stdout).toContain('No tag was pointed before the failure.')
    })
  )

  // The other side of the bound: a build that compiles in silence and an
  // upload that is slow but moving are not taken for a hung registry.
  it('network: a silent build, then a slow upload longer than registry-timeout, ends in success', () =>
    record(
      'network',
      'a 3 s silent RUN, then a 64 KiB upload at 16 KiB/s (registry-timeout: 1)',
      async c => {
        const slow: FaultCase = {
          category: 'network',
          name: 'slow upload',
          faults: [
            {
              kind: 'slow-body',
              bytesPerSecond: 16 * 1024,
              match: { path: /\/blobs\/uploads\/./ }
            }
          ],
          inputs: { 'registry-timeout': '1', 'no-cache': 'true' },
          context: silentBuildContext()
        }
        const { main, before, after, requests } = await publishThroughFaults(
          slow,
          c
        )
        expect(errors(main)).toEqual([])
        expect(main.code).toBe(0)
        const tags = ['1.2.3', '1.2', '1', 'latest']
        expect(changed(before, after)).toEqual(
          Object.fromEntries(tags.map(tag => [tag, main.outputs.digest]))
        )
        expect(pushedOutput(main)).toEqual(changed(before, after))
        // the action's own upload: the slow body kept moving, and its
        // answer was awaited as long as the bytes in flight needed
        const paths = requests.map(r => `${r.method} ${r.path}`)
        expect(paths.some(p => /^POST .*\/blobs\/uploads\/$/.test(p))).toBe(
          true
        )
      }
    ))
})

/**
 * docker's own push (`imagetools create`, promote to another registry): one
 * request of it gets no answer, while the registry answers every other one
 * (the watch's probe too). The watch stops it after 10 registry-timeouts
 * without new output, and the retry copies the image.
 */
describe("docker's own push with one hung request", () => {
  it.each([
    { what: 'a manifest PUT', match: { method: 'PUT', path: /\/manifests\// } },
    {
      what: 'a blob PUT',
      match: { method: 'PUT', path: /\/blobs\/uploads\/./ }
    }
  ])(
    'network: $what of imagetools create that hangs once ends in success (registry-timeout: 1, retries: 2)',
    ({ what, match }) =>
      record(
        'network',
        `${what} of docker's push (imagetools create) that hangs once (registry-timeout: 1, retries: 2)`,
        async c => {
          const { a, b } = stack
          const repo = uniqueRepo('faults-copy')
          await pushTestImage(b, repo, { tags: ['1.2.3'] })
          const proxy = await startFaultProxy({
            target: a.host,
            faults: [{ kind: 'hang', times: 1, match }]
          })
          const env = runnerEnv('push-tag')
          const main = await c.time(() => {
            const running = startMain(
              {
                mode: 'promote',
                source: `${b.host}/${repo}:1.2.3`,
                images: `${proxy.host}/${repo}`,
                logins: loginsFor({ ...a, host: proxy.host }, b),
                retries: '2',
                'registry-timeout': '1'
              },
              env
            )
            // only keeps a regression from holding the suite
            const timer = setTimeout(
              () => running.child.kill('SIGKILL'),
              120_000
            )
            void running.result.finally(() => clearTimeout(timer))
            return running.result
          })
          await proxy.close()
          expect((await runPost(main, env)).code).toBe(0)
          const after = await registryState(a, repo)
          c.left(describeLeft({}, after))
          const hung = proxy.requests.filter(r => r.outcome === 'hang')
          expect(hung.length).toBe(1)
          expect(errors(main)).toEqual([])
          expect(main.code).toBe(0)
          const digest = main.outputs.digest
          expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
          expect(after).toEqual({ '1.2.3': digest, '1.2': digest, '1': digest })
          expect(main.stdout).toMatch(/while the registry still answered/)
        }
      )
  )
})
