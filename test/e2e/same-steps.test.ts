import { readFileSync } from 'node:fs'
/**
 * SPEC 9: the dry run prints the very steps the run executes. For each mode,
 * a dry run and a real run of the same inputs in the same runner env: the
 * step lines the real run logged as it ran them are the dry run's `plan`
 * (each formatted as stepLine formats it), in the same order.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import {
  executedLines,
  planLine,
  planOf,
  runTempDir,
  sameStep
} from './field-support.js'
import { publishedTags } from './registry-api.js'
import { runMain, runPost, type StepResult } from './runner.js'
import { credentials, loginsFor, runnerEnv, uniqueRepo } from './steps.js'
import { pushTestImage } from '../support/registry-seed.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

/**
 * One workflow run's env (shared run id, so staging tags agree). No clock is
 * pinned: the `created` label is the commit's time (see the last test).
 */
function runEnv(extra: Record<string, string> = {}): Record<string, string> {
  return runnerEnv('push-tag', {
    GITHUB_RUN_ID: String(randomBytes(4).readUInt32BE()),
    GITHUB_RUN_ATTEMPT: '1',
    ...extra
  })
}

async function run(
  inputs: Record<string, string>,
  env: Record<string, string>
): Promise<StepResult> {
  const main = await runMain(inputs, env)
  await runPost(main, env)
  return main
}

/** Dry run, then the real run; both must succeed. */
async function dryThenReal(
  inputs: Record<string, string>,
  env: Record<string, string>
): Promise<{ dry: StepResult; real: StepResult }> {
  const dry = await run({ ...inputs, 'dry-run': 'true' }, env)
  expect(dry.stdout).not.toMatch(/::error::/)
  expect(dry.code).toBe(0)
  const real = await runMain(inputs, env)
  expect(real.stdout).not.toMatch(/::error::/)
  expect(real.code).toBe(0)
  await runPost(real, env)
  return { dry, real }
}

/** The real run executed exactly the dry run's steps, in order. */
function expectSameSteps(dry: StepResult, real: StepResult): void {
  const publication = planOf(dry)
  expect(publication.length).toBeGreaterThan(0)
  // the formatter here is the product's: each line is in the dry run's "Steps:"
  for (const entry of publication)
    expect(dry.stdout).toContain(`  ${planLine(entry)}\n`)
  const names = [...new Set(publication.map(entry => entry.step))]
  const tempDir = runTempDir(real)
  expect(executedLines(real, names)).toEqual(
    publication.map(entry =>
      expect.stringMatching(sameStep(planLine(entry), tempDir))
    )
  )
}

interface Row {
  name: string
  /** Seeds what the mode needs; returns the inputs and the env of both runs. */
  prepare: () => Promise<{
    inputs: Record<string, string>
    env: Record<string, string>
  }>
}

/** The cosign.key fixture (test/fixtures/cosign/README.md). */
const SIGNING = {
  sign: 'key',
  'signing-key': readFileSync('test/fixtures/cosign/cosign.key', 'utf8'),
  'signing-password': 'test only'
}

describe('a dry run and a real run of the same inputs list the same steps', () => {
  it.each<Row>([
    {
      name: 'build',
      prepare: () =>
        Promise.resolve({
          inputs: {
            images: `${stack.a.host}/${uniqueRepo('same-build')}`,
            ...credentials(stack.a),
            context: HELLO
          },
          env: runEnv()
        })
    },
    {
      name: 'build, signed (sign: key)',
      prepare: () =>
        Promise.resolve({
          inputs: {
            images: `${stack.a.host}/${uniqueRepo('same-signed')}`,
            ...credentials(stack.a),
            context: HELLO,
            ...SIGNING
          },
          env: runEnv()
        })
    },
    {
      name: 'build, attestations as referrers (referrers: true)',
      prepare: () =>
        Promise.resolve({
          inputs: {
            images: `${stack.a.host}/${uniqueRepo('same-referrers')}`,
            ...credentials(stack.a),
            context: HELLO,
            referrers: 'true'
          },
          env: runEnv()
        })
    },
    {
      name: 'promote of a signed image, verify-key and sign: key',
      prepare: async () => {
        const { a, b } = stack
        const source = `${a.host}/${uniqueRepo('same-signed-src')}`
        const env = runEnv()
        const built = await run(
          { images: source, ...credentials(a), context: HELLO, ...SIGNING },
          { ...env, DOCKER_CONFIG: runnerEnv('push-tag').DOCKER_CONFIG }
        )
        expect(built.code).toBe(0)
        return {
          inputs: {
            mode: 'promote',
            source: `${source}:1.2.3`,
            images: `${b.host}/${uniqueRepo('same-signed-dst')}`,
            logins: loginsFor(a, b),
            'verify-key': readFileSync(
              'test/fixtures/cosign/cosign.pub',
              'utf8'
            ),
            ...SIGNING
          },
          env
        }
      }
    },
    {
      name: 'promote within a registry',
      prepare: async () => {
        const { a } = stack
        const source = uniqueRepo('same-src')
        await pushTestImage(a, source, { tags: ['1.2.3'] })
        return {
          inputs: {
            mode: 'promote',
            source: `${a.host}/${source}:1.2.3`,
            images: `${a.host}/${uniqueRepo('same-promote')}`,
            ...credentials(a)
          },
          env: runEnv()
        }
      }
    },
    {
      name: 'promote across registries (A to B)',
      prepare: async () => {
        const { a, b } = stack
        const source = uniqueRepo('same-src')
        await pushTestImage(a, source, { tags: ['1.2.3'] })
        return {
          inputs: {
            mode: 'promote',
            source: `${a.host}/${source}:1.2.3`,
            images: `${b.host}/${uniqueRepo('same-cross')}`,
            logins: loginsFor(a, b)
          },
          env: runEnv()
        }
      }
    },
    {
      name: 'rollback (latest back to 1.4.2, 1.5.0 withdrawn)',
      prepare: async () => {
        const { a } = stack
        const repo = uniqueRepo('same-rollback')
        await pushTestImage(a, repo, { tags: ['1.4.2'] })
        await pushTestImage(a, repo, { tags: ['1.5.0', 'latest'] })
        return {
          inputs: {
            mode: 'rollback',
            images: `${a.host}/${repo}`,
            source: '1.4.2',
            tags: 'latest',
            reason: 'same steps',
            ...credentials(a)
          },
          env: runEnv()
        }
      }
    },
    {
      name: 'digest (one platform)',
      prepare: () =>
        Promise.resolve({
          inputs: {
            mode: 'digest',
            images: `${stack.a.host}/${uniqueRepo('same-digest')}`,
            ...credentials(stack.a),
            context: HELLO,
            platforms: 'linux/amd64'
          },
          env: runEnv()
        })
    },
    {
      name: 'merge (after two digest legs)',
      prepare: async () => {
        const { a } = stack
        const images = `${a.host}/${uniqueRepo('same-merge')}`
        const env = runEnv()
        for (const platform of ['linux/amd64', 'linux/arm64']) {
          const leg = await run(
            {
              mode: 'digest',
              images,
              ...credentials(a),
              context: HELLO,
              platforms: platform
            },
            { ...env, DOCKER_CONFIG: runnerEnv('push-tag').DOCKER_CONFIG }
          )
          expect(leg.code).toBe(0)
        }
        return {
          inputs: {
            mode: 'merge',
            images,
            ...credentials(a),
            platforms: 'linux/amd64,linux/arm64'
          },
          env
        }
      }
    }
  ])('$name', async ({ prepare }) => {
    const { inputs, env } = await prepare()
    const { dry, real } = await dryThenReal(inputs, env)
    expectSameSteps(dry, real)
  })

  it('the build row publishes what its steps say', async () => {
    const { a } = stack
    const repo = uniqueRepo('same-build')
    const { real } = await dryThenReal(
      { images: `${a.host}/${repo}`, ...credentials(a), context: HELLO },
      runEnv()
    )
    expect(await publishedTags(a, repo)).toEqual(['1', '1.2', '1.2.3'])
    expect(
      planOf(real)
        .filter(entry => entry.step === 'tag')
        .map(entry => ('url' in entry ? entry.url.split('/').pop() : ''))
    ).toEqual(['1.2.3', '1.2', '1'])
  })
})

describe('without SOURCE_DATE_EPOCH', () => {
  // SPEC 9, "Re-runs": `created` and SOURCE_DATE_EPOCH default to the
  // commit time (the push payload's head_commit.timestamp), so a dry run and
  // the run of the same inputs build alike.
  it('the created label is the commit time, so the dry run and the run build alike', async () => {
    const { a } = stack
    const env = runnerEnv('push-tag', {
      GITHUB_RUN_ID: String(randomBytes(4).readUInt32BE()),
      GITHUB_RUN_ATTEMPT: '1'
    })
    const { dry, real } = await dryThenReal(
      {
        images: `${a.host}/${uniqueRepo('same-created')}`,
        ...credentials(a),
        context: HELLO
      },
      env
    )
    expect(dry.outputs.labels.split('\n')).toContain(
      'org.opencontainers.image.created=2024-11-07T15:45:00.000Z'
    )
    expectSameSteps(dry, real)
  })
})
