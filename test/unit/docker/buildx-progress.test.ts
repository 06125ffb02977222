import { describe, expect, it } from '@jest/globals'
import {
  cacheOutcome,
  cacheReport,
  exportedRoot,
  exportReader,
  failedVertices,
  openVertices,
  progressEvent,
  readProgress
} from '../../../src/docker/buildx-progress.js'

describe("progressEvent: one line of buildx's output as an event", () => {
  it.each([
    {
      name: 'a Dockerfile step, per platform',
      line: '#7 [linux/arm64 stage-1 2/3] COPY --from=deps /deps /deps',
      event: { vertex: '7', kind: 'step' }
    },
    {
      name: 'a base image resolved, per platform: the image read',
      line: '#3 [linux/arm64 internal] load metadata for r.example/base:1',
      event: { vertex: '3', kind: 'resolve', ref: 'r.example/base:1' }
    },
    {
      name: 'a cache import: its source',
      line: '#4 importing cache manifest from r.example/o/app:main',
      event: { kind: 'cache-import', ref: 'r.example/o/app:main' }
    },
    {
      name: 'a registry cache export',
      line: '#12 exporting cache to registry',
      event: { kind: 'cache-export' }
    },
    {
      name: "GitHub's cache export",
      line: '#12 exporting to GitHub Actions Cache',
      event: { kind: 'cache-gha-export' }
    },
    {
      name: 'the push phase',
      line: '#12 pushing layers',
      event: { vertex: '12', kind: 'push' }
    },
    {
      name: "a step's program printing `pushing`: its log, not the push phase",
      line: '#8 0.412 pushing nothing',
      event: { vertex: '8', kind: 'status' }
    },
    {
      name: 'a layer on its way: its bytes so far, not done',
      line: '#6 sha256:5a43 1.2MB / 33.6MB 0.2s',
      event: { kind: 'transfer', name: 'sha256:5a43', ref: '1.2M', done: false }
    },
    {
      name: "a layer's last line",
      line: '#6 sha256:5a43 33.6MB / 33.6MB 0.4s done',
      event: { kind: 'transfer', ref: '33.6M', done: true }
    },
    {
      name: 'a step cached',
      line: '#8 CACHED',
      event: { vertex: '8', kind: 'cached' }
    },
    {
      name: "a vertex's error: its message",
      line: '#4 ERROR: failed to calculate checksum: "/x.txt": not found',
      event: {
        kind: 'error',
        name: 'failed to calculate checksum: "/x.txt": not found'
      }
    },
    {
      name: "buildx's own last word: the whole line, no vertex's",
      line: 'ERROR: failed to build: failed to solve: not found',
      event: {
        vertex: '',
        kind: 'failure',
        name: 'ERROR: failed to build: failed to solve: not found'
      }
    },
    {
      name: "no vertex's line: a Dockerfile excerpt",
      line: '   3 | >>> COPY x.txt /',
      event: { vertex: '', kind: 'output' }
    }
  ])('$name', ({ line, event }) => {
    expect(progressEvent(line)).toMatchObject(event)
  })

  it('an open download printed again with the time it has taken reads as the same event', () => {
    expect(progressEvent('#5 sha256:ab 0B / 1.07MB 15.5s')).toEqual(
      progressEvent('#5 sha256:ab 0B / 1.07MB 20.5s')
    )
  })
})

describe('what the events tell', () => {
  const build = [
    '#4 importing cache manifest from r.example/o/app:main',
    '#4 DONE 0.1s',
    '#5 [1/3] FROM local/busybox',
    '#5 CACHED',
    '#6 [2/3] RUN make deps',
    '#6 sha256:abc 33.60MB / 33.60MB 0.4s done',
    '#6 CACHED',
    '#7 [3/3] COPY src.txt /app/',
    '#7 sha256:def 512B / 2.0kB 0.1s',
    '#8 exporting cache to registry',
    '#8 ERROR: unexpected status: 500',
    '#3 [internal] load metadata for r.example/base:1'
  ].join('\n')

  it('the cache: steps, those cached, layer bytes downloaded, sources', () => {
    expect(cacheOutcome(build)).toEqual({
      steps: 3,
      cached: 2,
      bytes: 33.6e6,
      sources: ['r.example/o/app:main']
    })
  })

  it.each([
    {
      name: 'a resolve still open: its image',
      kinds: ['resolve'],
      open: ['r.example/base:1']
    },
    { name: 'a layer still on its way', kinds: ['transfer'], open: ['512'] },
    {
      name: 'a cache export that ended in its error',
      kinds: ['cache-export'],
      open: []
    }
  ] as const)('open at the end, $name', ({ kinds, open }) => {
    expect([...openVertices(readProgress(build), [...kinds]).values()]).toEqual(
      open
    )
  })

  it("the failed vertices, each its error and the cache's own vertex", () => {
    expect(failedVertices(readProgress(build))).toEqual([
      {
        cache: expect.objectContaining({ name: 'exporting cache to registry' }),
        error: 'unexpected status: 500'
      }
    ])
  })
})

describe("cacheReport: what the cache did, as the build's progress told it", () => {
  it.each([
    {
      name: 'a hit imported from the branch tag, a layer downloaded',
      outcome: {
        steps: 3,
        cached: 2,
        bytes: 33.6e6,
        sources: ['r.example/o/app:main']
      },
      report:
        'Cache: 2 of 3 steps cached; 33.6 MB of layers downloaded; from r.example/o/app:main'
    },
    {
      name: 'nothing cached, nothing downloaded, no source',
      outcome: { steps: 2, cached: 0, bytes: 0, sources: [] },
      report: 'Cache: 0 of 2 steps cached'
    },
    {
      name: 'no Dockerfile step: nothing said',
      outcome: { steps: 0, cached: 0, bytes: 0, sources: [] },
      report: undefined
    }
  ])('$name', ({ outcome, report }) => {
    expect(cacheReport(outcome)).toBe(report)
  })
})

const digest = (c: string) => `sha256:${c.repeat(64)}`
/** An image exporter's lines as buildx prints them; `list`: a manifest list after its manifest. */
const exporter = (vertex: string, header: string, list: boolean) => [
  `#${vertex} ${header}`,
  `#${vertex} exporting layers 0.1s done`,
  `#${vertex} exporting manifest ${digest('a')}`,
  `#${vertex} exporting manifest ${digest('a')} 0.0s done`,
  `#${vertex} exporting config ${digest('c')} 0.0s done`,
  ...(list
    ? [
        `#${vertex} exporting attestation manifest ${digest('d')} 0.0s done`,
        `#${vertex} exporting manifest list ${digest('b')} done`
      ]
    : [])
]

describe("exportedRoot: the image's digest once BuildKit exported it", () => {
  it.each([
    {
      name: 'the OCI layout of one manifest, its exporter done: that manifest',
      lines: [
        ...exporter('9', 'exporting to oci image format', false),
        '#9 DONE 0.4s'
      ],
      root: digest('a')
    },
    {
      name: 'a push with an attestation: the manifest list',
      lines: [
        ...exporter('12', 'exporting to image', true),
        `#12 pushing manifest for r.example/o/app@${digest('b')} 0.0s done`,
        '#12 DONE 0.7s'
      ],
      root: digest('b')
    },
    {
      name: 'the cache export after it has not ended: the image is out all the same',
      lines: [
        ...exporter('9', 'exporting to oci image format', false),
        '#9 DONE 0.4s',
        '#10 exporting to GitHub Actions Cache',
        '#10 sending cache export'
      ],
      root: digest('a')
    },
    {
      name: 'the exporter still running: not yet',
      lines: exporter('12', 'exporting to image', true),
      root: undefined
    },
    {
      name: 'the exporter failed: never',
      lines: [
        ...exporter('12', 'exporting to image', true),
        '#12 ERROR: failed to push r.example/o/app: 503'
      ],
      root: undefined
    },
    {
      name: "two image exporters (a user's outputs beside ours): none told",
      lines: [
        ...exporter('9', 'exporting to oci image format', false),
        '#9 DONE 0.4s',
        ...exporter('10', 'exporting to image', false),
        '#10 DONE 0.1s'
      ],
      root: undefined
    },
    {
      name: 'only a cache export ended: none',
      lines: ['#10 exporting to GitHub Actions Cache', '#10 DONE 0.3s'],
      root: undefined
    }
  ])('$name', ({ lines, root }) => {
    expect(exportedRoot(readProgress(lines.join('\n')))).toBe(root)
  })

  it('exportReader tells the root at the DONE line, as the lines come', async () => {
    const reader = exportReader()
    const told: string[] = []
    void reader.root.then(root => told.push(root))
    for (const line of exporter('9', 'exporting to oci image format', false))
      reader.read(progressEvent(line))
    await Promise.resolve()
    expect(told).toEqual([])
    reader.read(progressEvent('#9 DONE 0.4s'))
    await expect(reader.root).resolves.toBe(digest('a'))
  })
})
