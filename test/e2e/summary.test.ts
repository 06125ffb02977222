/**
 * The job summary says what a release changed in the registry, tag by tag,
 * as a person reads it after the run: new, moved from which digest and
 * version, unchanged, or held back and why; the platforms by name; the
 * bytes the upload sent.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { readManifest } from './registry-api.js'
import { runMain, runPost, type StepResult } from './runner.js'
import { loginsFor, runnerEnv, uniqueRepo } from './steps.js'
import {
  stackEnv,
  type StackEnv,
  type StackRegistry as Registry
} from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

async function release(
  registry: Registry,
  repo: string,
  version: string
): Promise<StepResult> {
  const env = runnerEnv('push-tag', {
    GITHUB_REF: `refs/tags/v${version}`,
    GITHUB_REF_NAME: `v${version}`
  })
  const main = await runMain(
    {
      images: `${registry.host}/${repo}`,
      logins: loginsFor(registry),
      context: HELLO
    },
    env
  )
  await runPost(main, env)
  expect(main.stdout).not.toMatch(/::error::/)
  expect(main.code).toBe(0)
  return main
}

/** The summary's table rows as their cells, keyed by the first cell. */
function rows(summary: string): Map<string, string[]> {
  return new Map(
    summary
      .split('\n')
      .filter(line => line.startsWith('| ') && !line.startsWith('| ---'))
      .map(line => {
        const cells = line
          .slice(2, -2)
          .split(' | ')
          .map(cell => cell.trim())
        return [cells[0], cells.slice(1)]
      })
  )
}

const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12)

describe('the job summary shows the footprint', () => {
  it('a release, a backport that moves 1.4 and holds 1 back, and its re-run', async () => {
    const { a } = stack
    const repo = uniqueRepo('summary')
    const ref = (tag: string) => `\`${a.host}/${repo}:${tag}\``
    const digestOf = async (tag: string) =>
      (await readManifest(a, repo, tag)).digest

    const first = await release(a, repo, '1.5.0')
    const v150 = await digestOf('1.5.0')
    const firstRows = rows(first.summary)
    for (const tag of ['1.5.0', '1.5', '1'])
      expect(firstRows.get(ref(tag))?.slice(1)).toEqual([v150, 'new'])
    // one platform and no platforms input: the builder's, as the image says
    expect(first.summary).toMatch(
      /^Version: `1\.5\.0` · Platforms: linux\/amd64 · Build: \d+\.\d s · Cache: [01] of 1 steps cached · Upload: \d+\.\d s$/m
    )
    // nothing was there: every byte sent, none mounted or found
    const [uploaded, mounted, present, size] =
      firstRows.get(`\`${a.host}/${repo}\``) ?? []
    expect({ mounted, present, uploaded }).toEqual({
      mounted: '0 B',
      present: '0 B',
      uploaded: size
    })
    expect(first.summary).not.toContain('default')

    await release(a, repo, '1.4.4')
    const v144 = await digestOf('1.4.4')

    const backport = await release(a, repo, '1.4.5')
    const v145 = await digestOf('1.4.5')
    const backportRows = rows(backport.summary)
    expect(backportRows.get(ref('1.4.5'))).toEqual(['version', v145, 'new'])
    expect(backportRows.get(ref('1.4'))).toEqual([
      'floating',
      v145,
      `moved from ${short(v144)} (1.4.4)`
    ])
    expect(backportRows.get(ref('1'))).toEqual([
      'floating',
      v150,
      'held back: 1.5.0 is already published, newer than 1.4.5 in the 1.x line'
    ])

    if (process.env.SUMMARY_OUT !== undefined)
      writeFileSync(process.env.SUMMARY_OUT, first.summary + backport.summary)

    const rerun = await release(a, repo, '1.4.5')
    const rerunRows = rows(rerun.summary)
    for (const tag of ['1.4.5', '1.4'])
      expect(rerunRows.get(ref(tag))?.slice(1)).toEqual([v145, 'unchanged'])
    expect(rerunRows.get(ref('1'))?.[2]).toMatch(/^held back: 1\.5\.0/)
  })
})
