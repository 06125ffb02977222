/**
 * The cache watch against a real process (test/fixtures/fake-docker prints
 * buildx's plain progress as told), and what a cache fault reads like.
 */
import { describe, expect, it } from '@jest/globals'
import { resolve } from 'node:path'
import {
  cacheFailures,
  cacheSources,
  cacheTrouble,
  cacheWatch,
  exportWatch,
  restartWatch,
  withoutCache
} from '../../../src/buildx/cache-watch.js'
import type { StallWatch } from '../../../src/docker/process.js'
import {
  createDockerRunner,
  DockerCommandError,
  DockerStalledError
} from '../../../src/docker/runner.js'

const FAKE = resolve(
  import.meta.dirname,
  '../../fixtures/fake-docker/docker.mjs'
)
const docker = createDockerRunner(FAKE)
const run = (lines: string[], ms = 150) =>
  docker.run([...lines, 'exit:0'], {
    quiet: true,
    stalls: [cacheWatch(ms, true)]
  })

describe('cacheWatch: silence counts only while the cache is read or written', () => {
  it.each([
    {
      name: 'a hung cache import is stopped',
      lines: ['out:#3 importing cache manifest from gha:123', 'sleep:60000']
    },
    {
      name: 'a layer download that stops sending is stopped',
      lines: [
        'out:#9 [stage-1 2/2] COPY --from=build /app/dist .',
        'out:#9 sha256:ab12 1.05MB / 33.55MB 0.2s',
        'sleep:60000'
      ]
    }
  ])('$name', async ({ lines }) => {
    await expect(run(lines)).rejects.toMatchObject({
      name: 'DockerStalledError',
      watch: { name: 'cache' }
    })
  })

  it.each([
    {
      // a 400 ms window: the import's two lines may be read apart on a loaded machine
      name: 'a long silent RUN after the import ended',
      lines: [
        'out:#3 importing cache manifest from gha:123',
        'out:#3 DONE 0.1s',
        'out:#7 [build 2/3] RUN make',
        'sleep:600'
      ],
      ms: 400
    },
    {
      name: 'a long silent RUN after a layer came',
      lines: [
        'out:#9 sha256:ab12 33.55MB / 33.55MB 0.4s done',
        'out:#10 [2/2] RUN make',
        'sleep:600'
      ]
    },
    {
      name: 'an export that moves but prints nothing until it is done',
      lines: [
        'out:#14 exporting to GitHub Actions Cache',
        'out:#14 preparing build cache for export',
        'sleep:600'
      ]
    },
    {
      // six 250 ms gaps outlast one 1 s window only if each new byte count
      // restarts it; the gap's 750 ms margin absorbs a loaded machine's delays
      name: 'a download that keeps sending',
      lines: Array.from({ length: 6 }, (_, i) => [
        `out:#9 sha256:ab12 ${i + 1}.0MB / 33.55MB ${i}.1s`,
        'sleep:250'
      ]).flat(),
      ms: 1000
    }
  ])('lets $name go on', async ({ lines, ms }) => {
    await expect(run(lines, ms)).resolves.toBeDefined()
  })
})

/** The push watch's stand-in: its own recovery and words where no cache export is open. */
const PUSH: StallWatch = {
  name: 'push',
  ms: 1,
  recovery: () => 'run again',
  failure: () => new Error('the push stopped')
}

describe('a stop in a build with cache lines: what the watch says held it up, and its recovery', () => {
  it.each([
    {
      name: 'the cache watch stopped it: the cache is dropped',
      watch: cacheWatch(1, true),
      output: '',
      recovery: 'drop the cache',
      says: /^buildx sent no progress for 21 s while it read the cache or downloaded a layer, so the build was stopped$/
    },
    {
      name: 'the cache watch stopped a build with no cache lines: it runs again, on a layer download',
      watch: cacheWatch(1, false),
      output: '',
      recovery: 'renew and run again',
      says: /^buildx sent no progress for 21 s while it downloaded a layer: a registry read that hangs/
    },
    {
      name: 'the push watch stopped it inside the cache export: the cache is dropped',
      watch: exportWatch(PUSH),
      output:
        '#11 exporting to image\n#11 pushing layers 0.1s done\n#11 DONE 0.1s\n#12 exporting cache to registry\n#12 preparing build cache for export\n#12 writing layer sha256:47a3',
      recovery: 'drop the cache',
      says: /^buildx sent no progress for 21 s while it exported the cache, so the build was stopped$/
    },
    {
      name: 'the push watch stopped it in one of two cache exports run side by side',
      watch: exportWatch(PUSH),
      output:
        '#12 exporting cache to registry\n#13 exporting to GitHub Actions Cache\n#12 writing layer sha256:47a3\n#13 writing layer sha256:47a3 done\n#13 DONE 0.1s',
      recovery: 'drop the cache',
      says: /while it exported the cache/
    },
    {
      name: 'the push watch stopped it with no export open: the push is run again',
      watch: exportWatch(PUSH),
      output: '',
      recovery: 'run again',
      says: /^the push stopped$/
    },
    {
      name: 'the push watch stopped it after two cache exports that ended',
      watch: exportWatch(PUSH),
      output:
        '#12 exporting cache to registry\n#13 exporting cache to registry\n#13 DONE 0.1s\n#12 DONE 0.2s\n#14 resolving provenance for metadata file',
      recovery: 'run again',
      says: /^the push stopped$/
    },
    {
      name: "the push watch stopped it in the image's push, after a cache export that ended",
      watch: exportWatch(PUSH),
      output:
        '#10 exporting cache to registry\n#10 DONE 0.1s\n#11 exporting to image\n#11 pushing layers',
      recovery: 'run again',
      says: /^the push stopped$/
    }
  ])('$name', ({ watch, output, recovery, says }) => {
    const stopped = new DockerStalledError(['buildx'], 21_000, output, watch)
    expect(watch.recovery?.(stopped)).toBe(recovery)
    expect(watch.told?.(stopped)).toMatch(says)
  })
})

describe('cacheTrouble: what failed the build, where its error names the cache', () => {
  const failed = (output: string) =>
    new DockerCommandError(['buildx', 'build'], 1, output, '')
  it.each([
    {
      name: 'a layer download from the cache service failed',
      error: failed(
        '#9 ERROR: failed to copy: GET http://127.0.0.1:4100/blobs/x: 503\nERROR: failed to solve: failed to copy: GET http://127.0.0.1:4100/blobs/x: 503'
      ),
      says: /failed on its cache: ERROR: failed to solve: failed to copy: GET http:\/\/127\.0\.0\.1:4100/
    },
    {
      name: "a cache export without ignore-error whose reservation was refused (the relay's empty cache)",
      error: failed(
        '#14 exporting to GitHub Actions Cache\n#14 preparing build cache for export 0.1s done\n#14 ERROR: error writing layer blob: failed to reserve cache\n------\n > exporting to GitHub Actions Cache:\n------\nERROR: failed to build: failed to solve: error writing layer blob: failed to reserve cache'
      ),
      says: /failed on its cache: ERROR: failed to build: failed to solve: error writing layer blob: failed to reserve cache/
    },
    {
      name: 'the gha importer failed',
      error: failed(
        'ERROR: failed to solve: failed to configure gha cache importer: 500'
      ),
      says: /failed on its cache/
    }
  ])('$name', ({ error, says }) => {
    expect(cacheTrouble(error, ['127.0.0.1:4100'])).toMatch(says)
  })

  it.each([
    {
      name: 'a RUN that failed',
      error: failed(
        'ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully'
      )
    },
    {
      name: 'a COPY of a missing file (its "cache key" is no cache fault)',
      error: failed('ERROR: failed to compute cache key: "/app" not found')
    },
    {
      name: 'a RUN that failed after an import that missed (BuildKit went on without it)',
      error: failed(
        '#5 importing cache manifest from r.example/app:buildcache\n#5 ERROR: failed to configure registry cache importer: r.example/app:buildcache: not found\nERROR: failed to solve: process "/bin/sh -c npm test" did not complete successfully'
      )
    },
    {
      name: 'a resolve that failed as an import before it did, which BuildKit went on without',
      error: failed(
        '#5 importing cache manifest from r.example/app:1.2\n#5 ERROR: context deadline exceeded\n#6 [internal] load metadata for r.example/base:1\n#6 ERROR: context deadline exceeded\nERROR: failed to solve: r.example/base:1: context deadline exceeded'
      )
    }
  ])('not for $name', ({ error }) => {
    expect(cacheTrouble(error, ['127.0.0.1:4100'])).toBeUndefined()
  })
})

describe('withoutCache', () => {
  it('drops every cache line and keeps the rest', () => {
    expect(
      withoutCache([
        'buildx',
        'build',
        '--cache-from',
        'type=gha,scope=a',
        '--tag',
        'x',
        '--cache-to',
        'type=gha,mode=max',
        '.'
      ])
    ).toEqual(['buildx', 'build', '--tag', 'x', '.'])
  })
})

describe('cacheFailures: the cache vertices that failed in a build that went on', () => {
  it('names the import and the export that failed, and nothing else', () => {
    const progress = [
      '#7 importing cache manifest from gha:1191',
      '#7 ERROR: failed to parse error response 504: : unexpected end of JSON input',
      '#9 [build 2/3] RUN make',
      '#9 ERROR: process did not complete successfully',
      '#14 exporting to GitHub Actions Cache',
      '#14 ERROR: failed to parse error response 504'
    ].join('\n')
    expect(cacheFailures(progress)).toEqual([
      'importing cache manifest from gha:1191 failed: failed to parse error response 504: : unexpected end of JSON input',
      'exporting to GitHub Actions Cache failed: failed to parse error response 504'
    ])
  })
})

describe('cacheSources: where the cache-from lines read, as an error names them', () => {
  it.each([
    {
      name: 'a registry image, by its host',
      argv: ['--cache-from', 'type=registry,ref=127.0.0.1:5001/app:main'],
      sources: '127.0.0.1:5001'
    },
    {
      name: 'a Docker Hub name, and the same host once',
      argv: [
        '--cache-from',
        'type=registry,ref=octo/app:1',
        '--cache-from',
        'type=registry,ref=docker.io/octo/app:2'
      ],
      sources: 'docker.io'
    },
    {
      name: "GitHub's cache service and a folder",
      argv: [
        '--cache-from',
        'type=gha,version=2,scope=app',
        '--cache-from',
        'type=local,src=/cache/app'
      ],
      sources: "GitHub's cache service or /cache/app"
    },
    {
      name: 'a quoted field read as buildx reads it (CSV)',
      argv: ['--cache-from', '"type=local","src=/cache/a,b"'],
      sources: '/cache/a,b'
    },
    {
      name: 'cache-to lines are not read',
      argv: ['--cache-to', 'type=registry,ref=r.example/app:cache'],
      sources: ''
    }
  ])('$name', ({ argv, sources }) => {
    expect(cacheSources(['buildx', 'build', ...argv, '.'])).toBe(sources)
  })
})

describe('restartWatch: the build run again could not start', () => {
  const stoppedBy = (watch: StallWatch) =>
    docker
      .run(['sleep:60000', 'exit:0'], { quiet: true, stalls: [watch] })
      .then(
        () => undefined,
        (error: DockerStalledError) => watch.failure?.(error)
      )
  it('names the builder and where its cache came from', async () => {
    const failure = await stoppedBy(
      restartWatch(100, 'builder-1', '127.0.0.1:5001')
    )
    expect(failure?.message).toMatch(
      /^the build, run again without its cache, did not start within \d+ s: the builder builder-1 still waits on the read \(the cache's, or a layer's\) from 127\.0\.0\.1:5001 .*; restart that BuildKit, then run the job again \(with cache: off while 127\.0\.0\.1:5001 does not answer\)$/
    )
  })

  it('after a hung read of its own (no sources): names the builder, tells to restart its BuildKit', async () => {
    const failure = await stoppedBy(restartWatch(100, 'remote-1'))
    expect(failure?.message).toMatch(
      /^the build, run again, did not start within \d+ s: the builder remote-1 still waits on the read that held up the first build, and its BuildKit starts no build until that read ends \(BuildKit sets it no deadline\), so nothing was pushed; restart that BuildKit, then run the job again$/
    )
  })
})
