/**
 * buildx's progress as buildx 0.13, 0.29 and 0.36 really print it
 * (test/fixtures/buildx-output/<version>/progress-*.plain, recorded by
 * scripts/record-buildx-output.sh), replayed through the one reader of it
 * (src/docker/buildx-progress.ts) and what reads its events: the cache report,
 * the failed vertices, the watches that bound a hung read. Where buildx also
 * recorded the build as rawjson (0.15 on), its vertices are the reference the
 * plain reading must agree with. A version that prints another way fails here,
 * not on a runner.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  cacheFailures,
  cacheWatch,
  resolveWatch
} from '../../../src/buildx/cache-watch.js'
import {
  cacheOutcome,
  cacheReport,
  exportedRoot,
  failedVertices,
  readProgress,
  type ProgressEvent
} from '../../../src/docker/buildx-progress.js'
import type { StallWatch } from '../../../src/docker/process.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/buildx-output')

const STEPS = {
  run: '[deps 2/2] RUN echo deps > /deps',
  copyDeps: '[stage-1 2/3] COPY --from=deps /deps /deps',
  copyHello: '[stage-1 3/3] COPY hello.txt /hello.txt'
}

/** The recorded builds, and what a user sees of each (the cache report, the failed steps). */
const BUILDS = [
  {
    build: 'cold',
    said: 'no step cached, the base image downloaded',
    report: 'Cache: 0 of 4 steps cached; 1.2 MB of layers downloaded',
    cached: [],
    failed: []
  },
  {
    build: 'warm',
    said: 'every step after FROM cached, nothing downloaded',
    report: 'Cache: 3 of 4 steps cached',
    cached: [STEPS.copyDeps, STEPS.run, STEPS.copyHello].sort(),
    failed: []
  },
  {
    build: 'failed',
    said: "a failed COPY: the build's own failure, not the cache's",
    report: 'Cache: 0 of 1 steps cached',
    cached: [],
    failed: ['[1/1] COPY this-file-does-not-exist.txt /']
  }
]

const ROWS = ['0.13', '0.29', '0.36'].flatMap(version =>
  BUILDS.map(build => ({
    name: `buildx ${version}, ${build.build}: ${build.said}`,
    version,
    ...build
  }))
)

const recorded = (version: string, build: string, form: string) =>
  join(FIXTURES, version, `progress-${build}.${form}`)

const plain = (version: string, build: string): ProgressEvent[] =>
  readProgress(readFileSync(recorded(version, build, 'plain'), 'utf8'))

/** Each vertex's name (its first line) whose vertex had an event of `kind`, sorted. */
function vertexNames(events: ProgressEvent[], kind: string): string[] {
  const names = new Map<string, string>()
  for (const event of events)
    if (event.vertex !== '' && !names.has(event.vertex))
      names.set(event.vertex, event.name)
  const had = new Set(
    events.filter(event => event.kind === kind).map(event => event.vertex)
  )
  return [...had].map(vertex => names.get(vertex) ?? '').sort()
}

interface RawVertex {
  digest: string
  name: string
  cached?: boolean
  error?: string
}

/** The rawjson recording's vertices, as buildx last told each (none before 0.15). */
function rawjsonVertices(version: string, build: string): RawVertex[] {
  const file = recorded(version, build, 'rawjson')
  const vertices = new Map<string, RawVertex>()
  for (const line of readFileSync(file, 'utf8').split('\n'))
    if (line.startsWith('{'))
      for (const vertex of (JSON.parse(line) as { vertexes?: RawVertex[] })
        .vertexes ?? [])
        vertices.set(vertex.digest, {
          ...vertices.get(vertex.digest),
          ...vertex
        })
  return [...vertices.values()]
}

/** Whether a watch holds a read open after each event, replayed in order. */
const openAfterEach = (watch: StallWatch, events: ProgressEvent[]) =>
  events.map(event => watch.startsAt?.(event) ?? false)

describe("buildx's plain progress, as each version prints it, read into events", () => {
  it.each(ROWS)('$name', ({ version, build, report, cached, failed }) => {
    const text = readFileSync(recorded(version, build, 'plain'), 'utf8')
    const events = readProgress(text)
    expect(cacheReport(cacheOutcome(text))).toBe(report)
    expect(vertexNames(events, 'cached')).toEqual(cached)
    expect(vertexNames(events, 'error')).toEqual(failed)
    // the error is BuildKit's, and no cache vertex's: no cache warning
    const errors = failedVertices(events)
    expect(errors.map(error => error.error.includes('not found'))).toEqual(
      failed.map(() => true)
    )
    expect(cacheFailures(text)).toEqual([])
    // a build to the image store pushes nothing: the push watch never starts
    expect(events.filter(event => event.kind === 'push')).toEqual([])
    // the image's digest once exported: the manifest list it printed; none for a failed build
    const list = /exporting manifest list (sha256:[0-9a-f]{64})/.exec(text)?.[1]
    expect(list === undefined).toBe(build === 'failed')
    expect(exportedRoot(events)).toBe(list)
  })

  // the rawjson cold build ran after the plain ones, on the same engine and base: its steps were
  // cached already, so it is not the plain cold build's reference
  it.each(ROWS.filter(row => row.version !== '0.13' && row.build !== 'cold'))(
    '$name: as its rawjson recording says',
    ({ version, build }) => {
      const vertices = rawjsonVertices(version, build)
      const events = plain(version, build)
      const named = (
        has: (v: { cached?: boolean; error?: string }) => boolean
      ) =>
        vertices
          .filter(has)
          .map(vertex => vertex.name)
          .sort()
      expect(vertexNames(events, 'cached')).toEqual(
        named(v => v.cached === true)
      )
      expect(vertexNames(events, 'error')).toEqual(
        named(v => v.error !== undefined)
      )
    }
  )

  it.each(ROWS.filter(row => row.build === 'cold'))(
    '$name: the resolve watch opens on the base image and is closed when the build ends',
    ({ version, build }) => {
      const opened = openAfterEach(resolveWatch(1000), plain(version, build))
      expect(opened.some(Boolean)).toBe(true)
      expect(opened.at(-1)).toBe(false)
    }
  )

  it.each(ROWS.filter(row => row.build === 'cold'))(
    '$name: the download watch opens on no layer (each is printed once, done) nor at the end',
    ({ version, build }) => {
      const opened = openAfterEach(
        cacheWatch(1000, false),
        plain(version, build)
      )
      expect(opened.some(Boolean)).toBe(false)
      expect(opened.at(-1)).toBe(false)
    }
  )
})
