/**
 * buildx's progress as buildx 0.13, 0.29 and 0.36 really print it
 * (test/fixtures/buildx-output/<version>/progress-*.plain, recorded by
 * scripts/record-buildx-output.sh), replayed through every reader of it: the
 * cache report, the watches that bound a hung read, and the cache failures.
 * A version that prints them another way fails here, not on a runner.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cacheReport } from '../../../src/plan/cache.js'
import { cacheFailures, cacheWatch } from '../../../src/buildx/cache-watch.js'
import { resolveWatch } from '../../../src/buildx/resolve-watch.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/buildx-output')
const VERSIONS = ['0.13', '0.29', '0.36'].map(version => ({
  name: `buildx ${version}`,
  version
}))

const progress = (version: string, build: string) =>
  readFileSync(join(FIXTURES, version, `progress-${build}.plain`), 'utf8')

/** Whether a watch holds a read open after each line, replayed in order. */
function openAfterEachLine(
  watch: { startsAt?: (line: string) => boolean },
  text: string
): boolean[] {
  return text.split('\n').map(line => watch.startsAt?.(line) ?? false)
}

describe("buildx's plain progress, as each version prints it", () => {
  it.each(VERSIONS)(
    '$name: a cold build of a build stage: no step cached, the base image downloaded',
    ({ version }) => {
      expect(cacheReport(progress(version, 'cold'))).toBe(
        'Cache: 0 of 4 steps cached; 1.2 MB of layers downloaded'
      )
    }
  )

  it.each(VERSIONS)(
    '$name: the same build again: every step after FROM cached, nothing downloaded',
    ({ version }) => {
      expect(cacheReport(progress(version, 'warm'))).toBe(
        'Cache: 3 of 4 steps cached'
      )
    }
  )

  it.each(VERSIONS)(
    "$name: a failed COPY is the build's own failure, not the cache's",
    ({ version }) => {
      const text = progress(version, 'failed')
      expect(text).toMatch(/^#\d+ ERROR: .*this-file-does-not-exist\.txt/m)
      expect(cacheFailures(text)).toEqual([])
    }
  )

  it.each(VERSIONS)(
    '$name: the resolve watch opens on the base image and is closed when the build ends',
    ({ version }) => {
      const opened = openAfterEachLine(
        resolveWatch(1000),
        progress(version, 'cold')
      )
      expect(opened.some(Boolean)).toBe(true)
      expect(opened.at(-1)).toBe(false)
    }
  )

  it.each(VERSIONS)(
    "$name: the download watch holds no layer open once each one's done line came",
    ({ version }) => {
      const opened = openAfterEachLine(
        cacheWatch(1000, false),
        progress(version, 'cold')
      )
      expect(opened.at(-1)).toBe(false)
    }
  )
})
