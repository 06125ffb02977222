import { describe, expect, it } from '@jest/globals'
import { parseImageName } from '../../../src/reference/images.js'
import {
  cacheImports,
  cacheScope,
  decideCache,
  requireCacheExport,
  unexportableCache,
  warmerOnOwnBuilder,
  type CacheFacts
} from '../../../src/plan/cache.js'
import type { Builder } from '../../../src/plan/builder.js'
import { runnerCache } from '../../../src/plan/runner-cache.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import { readsServiceFromEnv } from '../../../src/buildx/cache-relay.js'
import { stepLine } from '../../../src/plan/steps.js'
import { releaseRun } from '../docker/run-fixture.js'
import {
  parseCacheSetting,
  type CacheSetting
} from '../../../src/settings/build-lines.js'

const CLASSIC_STORE: Builder = {
  name: 'default',
  driver: 'docker',
  store: 'classic'
}
const CONTAINERD: Builder = {
  name: 'default',
  driver: 'docker',
  store: 'containerd'
}
const CONTAINER: Builder = { name: 'builder-1', driver: 'docker-container' }
const REMOTE: Builder = { name: 'remote', driver: 'remote' }
const NO_BUILDX: Builder = { name: '', driver: 'classic' }

const IMAGE = 'ghcr.io/octo/app'
const GHA = { service: true, arch: 'X64' }
const NO_GHA = { service: false }
const V2 = { service: true, v2: true, arch: 'X64' }
const IMPORTS = [
  { tag: 'feature-x', why: "this run's tag" },
  { tag: 'latest', why: "the default branch's tag" },
  { tag: '1.4.2', why: 'the newest release' }
]

function build(cache: CacheSetting = { kind: 'auto' }, more = {}) {
  return {
    cache,
    cacheFrom: [],
    cacheTo: [],
    noCache: false,
    platforms: [],
    target: '',
    call: '',
    push: true,
    ...more
  }
}

function facts(
  builder: Builder,
  runner: CacheFacts['runner'],
  more: Partial<CacheFacts> = {}
): CacheFacts {
  return {
    builder,
    runner,
    image: IMAGE,
    repository: 'octo/app',
    imports: IMPORTS,
    use: 'push',
    ...more
  }
}

const INLINE_FROM = [
  `type=registry,ref=${IMAGE}:feature-x`,
  `type=registry,ref=${IMAGE}:latest`,
  `type=registry,ref=${IMAGE}:1.4.2`
]

describe('decideCache, cache: auto, per builder, runner and event', () => {
  it.each([
    {
      name: "docker driver, classic store, push: inline out, the image's own tags in, even with the service",
      facts: facts(CLASSIC_STORE, GHA),
      from: INLINE_FROM,
      to: ['type=inline']
    },
    {
      name: 'docker driver, classic store, pull request: reads the tags, exports nothing',
      facts: facts(CLASSIC_STORE, GHA, { pullRequest: 42 }),
      from: INLINE_FROM,
      to: []
    },
    {
      name: 'docker driver, containerd store, service offered: gha, one scope per image and platform',
      facts: facts(CONTAINERD, GHA),
      from: ['type=gha,scope=octo-app-runner-x64'],
      to: ['type=gha,mode=max,ignore-error=true,scope=octo-app-runner-x64']
    },
    {
      name: 'docker-container, service offered: gha',
      facts: facts(CONTAINER, GHA),
      from: ['type=gha,scope=octo-app-runner-x64'],
      to: ['type=gha,mode=max,ignore-error=true,scope=octo-app-runner-x64']
    },
    {
      name: "remote, service offered, pull request: writes only its own scope, reads the push runs'",
      facts: facts(REMOTE, GHA, { pullRequest: 7 }),
      from: [
        'type=gha,scope=octo-app-runner-x64-pr-7',
        'type=gha,scope=octo-app-runner-x64'
      ],
      to: ['type=gha,mode=max,ignore-error=true,scope=octo-app-runner-x64-pr-7']
    },
    {
      name: 'docker-container, no service (self-hosted): inline and the tags',
      facts: facts(CONTAINER, NO_GHA),
      from: INLINE_FROM,
      to: ['type=inline']
    },
    {
      name: 'docker driver, containerd store, no service, no earlier tag: inline out, nothing in',
      facts: facts(CONTAINERD, NO_GHA, { imports: [] }),
      from: [],
      to: ['type=inline']
    },
    {
      name: 'no buildx: the classic build takes no cache lines',
      facts: facts(NO_BUILDX, GHA),
      from: [],
      to: []
    },
    {
      name: 'outputs or call: the build goes where they say, no cache of ours',
      facts: facts(CONTAINER, GHA, { use: 'none' }),
      from: [],
      to: []
    },
    {
      name: "push: false with the service: reads and writes GitHub's cache (no registry)",
      facts: facts(CONTAINER, GHA, { use: 'local' }),
      from: ['type=gha,scope=octo-app-runner-x64'],
      to: ['type=gha,mode=max,ignore-error=true,scope=octo-app-runner-x64']
    },
    {
      name: "push: false pull request, no service: reads the image's tags, exports nothing",
      facts: facts(CLASSIC_STORE, NO_GHA, { use: 'local', pullRequest: 9 }),
      from: INLINE_FROM,
      to: []
    },
    {
      name: 'push: false, no service, not a pull request: reads the tags, exports nothing',
      facts: facts(CONTAINERD, NO_GHA, { use: 'local' }),
      from: INLINE_FROM,
      to: []
    },
    {
      name: 'the v2 service and buildx 0.29: gha with version=2',
      facts: facts(
        { ...CONTAINER, buildx: 'github.com/docker/buildx v0.29.1 abc' },
        V2
      ),
      from: ['type=gha,version=2,scope=octo-app-runner-x64'],
      to: [
        'type=gha,version=2,mode=max,ignore-error=true,scope=octo-app-runner-x64'
      ]
    },
    {
      name: 'the v2 service and buildx 0.13 (drops gha without a word): inline and the tags',
      facts: facts(
        { ...CONTAINER, buildx: 'github.com/docker/buildx 0.13.1+ds1 xyz' },
        V2
      ),
      from: INLINE_FROM,
      to: ['type=inline']
    }
  ])('$name', ({ facts, from, to }) => {
    const decision = decideCache(build(), facts)
    expect(decision.cacheFrom).toEqual(from)
    expect(decision.cacheTo).toEqual(to)
    expect(decision.lines.length).toBeGreaterThan(0)
  })

  it('says what it decided and why', () => {
    expect(decideCache(build(), facts(CLASSIC_STORE, NO_GHA)).lines).toEqual([
      "auto: default (driver docker) on the classic image store exports only the inline cache: the inline cache, exported with the image; imports from feature-x (this run's tag), latest (the default branch's tag), 1.4.2 (the newest release)"
    ])
    expect(
      decideCache(build(), facts(REMOTE, GHA, { pullRequest: 7 })).lines
    ).toEqual([
      "auto: GitHub's cache service is offered and remote (driver remote) exports to it: GitHub's cache service, scope octo-app-runner-x64-pr-7",
      "pull request #7: reads the push runs' cache, writes only scope octo-app-runner-x64-pr-7"
    ])
  })
})

describe("decideCache, the other kinds and the user's lines", () => {
  it.each([
    {
      name: 'cache-from/cache-to given: they win, as given',
      build: build(
        { kind: 'auto' },
        { cacheFrom: ['type=gha'], cacheTo: ['type=gha,mode=max'] }
      ),
      facts: facts(CONTAINER, GHA),
      from: ['type=gha'],
      to: ['type=gha,mode=max']
    },
    {
      name: 'off',
      build: build({ kind: 'off' }),
      facts: facts(CONTAINER, GHA),
      from: [],
      to: []
    },
    {
      name: 'no-cache: true imports and exports nothing',
      build: build({ kind: 'auto' }, { noCache: true }),
      facts: facts(CONTAINER, GHA),
      from: [],
      to: []
    },
    {
      name: 'inline on docker-container with the service: inline anyway',
      build: build({ kind: 'inline' }),
      facts: facts(CONTAINER, GHA),
      from: INLINE_FROM,
      to: ['type=inline']
    },
    {
      name: 'registry: the named ref, mode=max',
      build: build({ kind: 'registry', ref: 'ghcr.io/octo/app-cache:main' }),
      facts: facts(CONTAINER, NO_GHA),
      from: ['type=registry,ref=ghcr.io/octo/app-cache:main'],
      to: [
        'type=registry,ref=ghcr.io/octo/app-cache:main,mode=max,ignore-error=true'
      ]
    },
    {
      name: 'registry in a pull request: reads, writes nothing',
      build: build({ kind: 'registry', ref: 'ghcr.io/octo/app-cache:main' }),
      facts: facts(CONTAINER, NO_GHA, { pullRequest: 3 }),
      from: ['type=registry,ref=ghcr.io/octo/app-cache:main'],
      to: []
    },
    {
      name: 'local: a folder per image and platform',
      build: build(
        { kind: 'local', dir: '/cache' },
        { platforms: ['linux/amd64', 'linux/arm64'] }
      ),
      facts: facts(CONTAINERD, NO_GHA),
      from: ['type=local,src=/cache/octo-app-linux-amd64+linux-arm64'],
      to: [
        'type=local,dest=/cache/octo-app-linux-amd64+linux-arm64,mode=max,ignore-error=true'
      ]
    },
    {
      name: "local in a pull request: its own folder, the push runs' read",
      build: build(
        { kind: 'local', dir: '/cache' },
        { platforms: ['linux/amd64'] }
      ),
      facts: facts(CONTAINER, NO_GHA, { pullRequest: 9 }),
      from: [
        'type=local,src=/cache/octo-app-linux-amd64-pr-9',
        'type=local,src=/cache/octo-app-linux-amd64'
      ],
      to: [
        'type=local,dest=/cache/octo-app-linux-amd64-pr-9,mode=max,ignore-error=true'
      ]
    },
    {
      name: 'gha with a target and a platform: both in the scope',
      build: build(
        { kind: 'gha' },
        { platforms: ['linux/arm64'], target: 'prod' }
      ),
      facts: facts(CONTAINER, GHA),
      from: ['type=gha,scope=octo-app-prod-linux-arm64'],
      to: [
        'type=gha,mode=max,ignore-error=true,scope=octo-app-prod-linux-arm64'
      ]
    }
  ])('$name', ({ build, facts, from, to }) => {
    const decision = decideCache(build, facts)
    expect(decision.cacheFrom).toEqual(from)
    expect(decision.cacheTo).toEqual(to)
  })
})

const NO_PUSH = { push: false }
const CACHE_REF = 'ghcr.io/octo/app-cache:main'

describe('push: false writes no cache to any registry (SPEC 12)', () => {
  it.each([
    {
      name: 'cache: registry: reads the ref, writes none',
      build: build({ kind: 'registry', ref: CACHE_REF }, NO_PUSH),
      builder: CONTAINER,
      from: [`type=registry,ref=${CACHE_REF}`],
      to: [],
      line: 'push: false: reads it, writes none (no registry is written to)'
    },
    {
      name: "cache: registry on the classic store: read only, so the builder's export is not asked",
      build: build({ kind: 'registry', ref: CACHE_REF }, NO_PUSH),
      builder: CLASSIC_STORE,
      from: [`type=registry,ref=${CACHE_REF}`],
      to: [],
      line: 'push: false: reads it, writes none (no registry is written to)'
    },
    {
      name: "the user's cache-to type=registry: left out with its reason, cache-from kept",
      build: build(
        { kind: 'auto' },
        {
          ...NO_PUSH,
          cacheFrom: [`type=registry,ref=${CACHE_REF}`],
          cacheTo: [`type=registry,ref=${CACHE_REF},mode=max`]
        }
      ),
      builder: CONTAINER,
      from: [`type=registry,ref=${CACHE_REF}`],
      to: [],
      line: `cache-to type=registry,ref=${CACHE_REF},mode=max is not written: push: false writes to no registry`
    },
    {
      name: 'a bare reference is a registry: left out; gha, local and inline lines kept',
      build: build(
        { kind: 'auto' },
        {
          ...NO_PUSH,
          cacheTo: [CACHE_REF, 'type=gha,mode=max', 'type=local,dest=/c']
        }
      ),
      builder: CONTAINER,
      from: [],
      to: ['type=gha,mode=max', 'type=local,dest=/c'],
      line: `cache-to ${CACHE_REF} is not written: push: false writes to no registry`
    },
    {
      name: 'a registry cache-to on the classic store with push: false is not refused',
      build: build({ kind: 'auto' }, { ...NO_PUSH, cacheTo: [CACHE_REF] }),
      builder: CLASSIC_STORE,
      from: [],
      to: [],
      line: `cache-to ${CACHE_REF} is not written: push: false writes to no registry`
    }
  ])('$name', ({ build, builder, from, to, line }) => {
    const decision = decideCache(
      build,
      facts(builder, NO_GHA, { use: 'local' })
    )
    expect(decision.cacheFrom).toEqual(from)
    expect(decision.cacheTo).toEqual(to)
    expect(decision.lines).toContain(line)
    expect(unexportableCache(build, builder)).toBeUndefined()
  })

  it('push: true writes the same lines', () => {
    const lines = { cacheTo: [CACHE_REF, 'type=gha'] }
    expect(
      decideCache(build({ kind: 'auto' }, lines), facts(CONTAINER, GHA)).cacheTo
    ).toEqual([CACHE_REF, 'type=gha'])
    expect(
      decideCache(
        build({ kind: 'registry', ref: CACHE_REF }),
        facts(CONTAINER, NO_GHA)
      ).cacheTo
    ).toEqual([`type=registry,ref=${CACHE_REF},mode=max,ignore-error=true`])
  })
})

describe('a cache the builder cannot export fails before anything runs', () => {
  it.each([
    {
      name: 'cache-to type=gha on the classic store',
      run: () =>
        decideCache(
          build({ kind: 'auto' }, { cacheTo: ['type=gha,mode=max'] }),
          facts(CLASSIC_STORE, GHA)
        ),
      error:
        /input "cache-to": invalid value "type=gha,mode=max": the builder default \(driver docker\) on the classic image store cannot export a type=gha cache \(only type=inline\); add docker\/setup-buildx-action.*containerd image store.*type=inline/
    },
    {
      name: 'cache-to a bare reference (registry) on the classic store',
      run: () =>
        decideCache(
          build({ kind: 'auto' }, { cacheTo: ['ghcr.io/o/c:x'] }),
          facts(CLASSIC_STORE, NO_GHA)
        ),
      error: /input "cache-to".*type=registry/
    },
    {
      name: 'cache: local on the classic store',
      run: () =>
        decideCache(
          build({ kind: 'local', dir: '/c' }),
          facts(CLASSIC_STORE, NO_GHA)
        ),
      error: /input "cache".*type=local/
    },
    {
      name: 'cache: gha without the service',
      run: () => decideCache(build({ kind: 'gha' }), facts(CONTAINER, NO_GHA)),
      error:
        /input "cache": invalid value "gha": GitHub's cache service is not offered here/
    }
  ])('$name', ({ run, error }) => {
    expect(run).toThrow(error)
  })

  it.each([
    {
      name: 'inline on the classic store',
      builder: CLASSIC_STORE,
      lines: ['type=inline']
    },
    {
      name: 'gha on the containerd store',
      builder: CONTAINERD,
      lines: ['type=gha']
    },
    {
      name: 'registry on docker-container',
      builder: CONTAINER,
      lines: ['type=registry,ref=r/c:x']
    },
    {
      name: 'a quoted inline field on the classic store',
      builder: CLASSIC_STORE,
      lines: ['"type=inline"']
    }
  ])('$name is exported', ({ builder, lines }) => {
    expect(() => requireCacheExport(lines, builder)).not.toThrow()
  })
})

describe("cacheImports: the image's own tags that exist, in order", () => {
  const sources = { own: ['feature-x'], defaultBranch: ['latest'] }
  it.each([
    {
      name: 'all three exist',
      existing: [
        'latest',
        'feature-x',
        '1.4.2',
        '1.10.0',
        '1.10',
        '2.0.0-rc.1',
        'v3.0.0'
      ],
      tags: ['feature-x', 'latest', '1.10.0']
    },
    {
      name: "the first run of a branch reads the default branch's",
      existing: ['latest', '1.0.0'],
      tags: ['latest', '1.0.0']
    },
    { name: 'a new repository: none', existing: [], tags: [] },
    {
      name: 'a push to the default branch: its tag once',
      existing: ['latest'],
      tags: ['latest'],
      sources: { own: ['latest'], defaultBranch: ['latest'] }
    }
  ])('$name', ({ existing, tags, ...row }) => {
    const found = cacheImports(row.sources ?? sources, existing)
    expect(found.map(f => f.tag)).toEqual(tags)
  })
})

describe('runnerCache and the scope', () => {
  it.each([
    {
      name: 'v1 URL and token',
      env: { ACTIONS_CACHE_URL: 'u', ACTIONS_RUNTIME_TOKEN: 't' },
      service: true
    },
    {
      name: 'v2 results URL and token',
      env: { ACTIONS_RESULTS_URL: 'u', ACTIONS_RUNTIME_TOKEN: 't' },
      service: true
    },
    {
      name: 'URL without token',
      env: { ACTIONS_CACHE_URL: 'u' },
      service: false
    },
    { name: 'nothing (a local run)', env: {}, service: false }
  ])('$name', ({ env, service }) => {
    expect(runnerCache(env).service).toBe(service)
  })

  it.each([
    {
      name: 'v1 URL alone: v1',
      env: { ACTIONS_CACHE_URL: 'u', ACTIONS_RUNTIME_TOKEN: 't' },
      v2: undefined
    },
    {
      name: 'results URL alone: v2',
      env: { ACTIONS_RESULTS_URL: 'u', ACTIONS_RUNTIME_TOKEN: 't' },
      v2: true
    },
    {
      name: 'both URLs and ACTIONS_CACHE_SERVICE_V2=True: v2',
      env: {
        ACTIONS_CACHE_URL: 'u',
        ACTIONS_RESULTS_URL: 'r',
        ACTIONS_RUNTIME_TOKEN: 't',
        ACTIONS_CACHE_SERVICE_V2: 'True'
      },
      v2: true
    },
    {
      name: 'both URLs, ACTIONS_CACHE_SERVICE_V2=false: v1',
      env: {
        ACTIONS_CACHE_URL: 'u',
        ACTIONS_RESULTS_URL: 'r',
        ACTIONS_RUNTIME_TOKEN: 't',
        ACTIONS_CACHE_SERVICE_V2: 'false'
      },
      v2: undefined
    }
  ])('service version: $name', ({ env, v2 }) => {
    expect(runnerCache(env).v2).toBe(v2)
  })

  it.each([
    {
      name: 'docker hub library image',
      image: 'nginx',
      platforms: [],
      scope: 'library-nginx-runner-native'
    },
    {
      name: 'two platforms',
      image: 'ghcr.io/o/app',
      platforms: ['linux/amd64', 'linux/arm64'],
      scope: 'o-app-linux-amd64+linux-arm64'
    }
  ])('$name', ({ image, platforms, scope }) => {
    expect(
      cacheScope(
        parseImageName(image).repository,
        { platforms, target: '' },
        { service: true }
      )
    ).toBe(scope)
  })
})

describe('parseCacheSetting', () => {
  it.each([
    { name: 'empty is auto', value: '', setting: { kind: 'auto' } },
    { name: 'gha', value: 'gha', setting: { kind: 'gha' } },
    {
      name: 'registry with its ref',
      value: 'registry,ref=ghcr.io/o/c:main',
      setting: { kind: 'registry', ref: 'ghcr.io/o/c:main' }
    },
    {
      name: 'local with its folder',
      value: 'local,dir=/tmp/c',
      setting: { kind: 'local', dir: '/tmp/c' }
    }
  ])('$name', ({ value, setting }) => {
    expect(parseCacheSetting(value)).toEqual(setting)
  })

  it.each([
    {
      name: 'unknown kind',
      value: 's3',
      error: /input "cache": invalid value "s3": expected auto/
    },
    {
      name: 'registry without ref',
      value: 'registry',
      error: /registry needs ref=/
    },
    {
      name: 'local without dir',
      value: 'local,src=/x',
      error: /local needs dir=/
    },
    {
      name: 'attributes on gha',
      value: 'gha,scope=x',
      error: /gha takes no attributes/
    }
  ])('$name', ({ value, error }) => {
    expect(() => parseCacheSetting(value)).toThrow(error)
  })
})

describe('pipelineFor: the decision reaches the build and the plan', () => {
  const files = {
    metadata: '/run/meta.json',
    iid: '/run/iid',
    layout: '/run/layout',
    secretSpecs: []
  }
  const buildArgv = async (
    builder: Builder,
    inputs: Record<string, string>,
    cache: Parameters<typeof pipelineFor>[0]['cache']
  ) => {
    const { settings, publication } = await releaseRun({
      secrets: '',
      ...inputs
    })
    const pipeline = pipelineFor({
      settings,
      publication,
      builder,
      files,
      userConfig: '/home/runner/.docker',
      cache
    })
    const build = pipeline.stage.find(s => s.step === 'build')
    return {
      argv: build !== undefined && 'argv' in build ? build.argv : [],
      lines: pipeline.cache ?? [],
      pipeline
    }
  }
  const flags = (argv: string[]) =>
    argv.flatMap((arg, i) =>
      arg.startsWith('--cache-') ? [`${arg} ${argv[i + 1]}`] : []
    )

  it.each([
    {
      name: 'classic store, the release tags 1.2 exists: inline, imported from it',
      builder: CLASSIC_STORE,
      inputs: {},
      cache: { runner: GHA, imports: [{ tag: '1.2', why: "this run's tag" }] },
      flags: [
        '--cache-from type=registry,ref=ghcr.io/octo/app:1.2',
        '--cache-to type=inline'
      ]
    },
    {
      name: 'docker-container with the service: gha, the first image and the runner arch in the scope',
      builder: CONTAINER,
      inputs: {},
      cache: { runner: GHA, imports: [] },
      flags: [
        '--cache-from type=gha,scope=octo-app-runner-x64',
        '--cache-to type=gha,mode=max,ignore-error=true,scope=octo-app-runner-x64'
      ]
    },
    {
      name: "push: false: auto still reads and writes GitHub's cache (no registry)",
      builder: CONTAINER,
      inputs: { push: 'false' },
      cache: { runner: GHA, imports: [] },
      flags: [
        '--cache-from type=gha,scope=octo-app-runner-x64',
        '--cache-to type=gha,mode=max,ignore-error=true,scope=octo-app-runner-x64'
      ]
    },
    {
      name: 'push: false on the classic store without the service: reads the tags, writes none',
      builder: CLASSIC_STORE,
      inputs: { push: 'false' },
      cache: { runner: NO_GHA, imports: [{ tag: 'latest', why: 'x' }] },
      flags: ['--cache-from type=registry,ref=ghcr.io/octo/app:latest']
    },
    {
      name: 'outputs given: the build goes where they say, no cache of ours',
      builder: CONTAINER,
      inputs: { outputs: 'type=local,dest=out' },
      cache: { runner: GHA, imports: [] },
      flags: []
    },
    {
      name: "the user's cache-from wins",
      builder: CONTAINER,
      inputs: { 'cache-from': 'type=registry,ref=r.example/c:x' },
      cache: { runner: GHA, imports: [] },
      flags: ['--cache-from type=registry,ref=r.example/c:x']
    }
  ])('$name', async ({ builder, inputs, cache, ...row }) => {
    const { argv, lines } = await buildArgv(
      builder,
      inputs as Record<string, string>,
      cache
    )
    expect(flags(argv)).toEqual(row.flags)
    expect(lines.length).toBeGreaterThan(0)
  })

  it.each([
    {
      name: 'docker driver, classic store: each import pulled just before the build, removed after only where this run pulled it',
      builder: CLASSIC_STORE,
      inputs: {},
      pulls: [
        'cache     docker pull ghcr.io/octo/app:1.2',
        'cache     docker pull ghcr.io/octo/app:latest',
        'build'
      ],
      removals: [
        'cleanup   docker image rm ghcr.io/octo/app:1.2 (only if this run pulled it)',
        'cleanup   docker image rm ghcr.io/octo/app:latest (only if this run pulled it)'
      ]
    },
    {
      name: 'one platform asked: pulled for it',
      builder: CLASSIC_STORE,
      inputs: { platforms: 'linux/arm64' },
      pulls: [
        'cache     docker pull --platform linux/arm64 ghcr.io/octo/app:1.2',
        'cache     docker pull --platform linux/arm64 ghcr.io/octo/app:latest',
        'build'
      ],
      removals: [
        'cleanup   docker image rm ghcr.io/octo/app:1.2 (only if this run pulled it)',
        'cleanup   docker image rm ghcr.io/octo/app:latest (only if this run pulled it)'
      ]
    },
    {
      name: 'containerd store: BuildKit reads the registry, nothing pulled',
      builder: CONTAINERD,
      inputs: {},
      pulls: ['build'],
      removals: []
    },
    {
      name: 'docker-container: nothing pulled',
      builder: CONTAINER,
      inputs: {},
      pulls: ['build'],
      removals: []
    },
    {
      name: "the user's cache-from: as given, nothing pulled",
      builder: CLASSIC_STORE,
      inputs: { 'cache-from': 'type=registry,ref=ghcr.io/octo/app:1.2' },
      pulls: ['build'],
      removals: []
    }
  ])('$name', async ({ builder, inputs, pulls, removals }) => {
    const imports = [
      { tag: '1.2', why: "this run's tag" },
      { tag: 'latest', why: "the default branch's tag" }
    ]
    const { pipeline } = await buildArgv(
      builder,
      inputs as Record<string, string>,
      {
        runner: NO_GHA,
        imports
      }
    )
    const upToBuild = pipeline.stage
      .slice(0, pipeline.stage.findIndex(s => s.step === 'build') + 1)
      .filter(s => s.step === 'cache' || s.step === 'build')
      .map(s => (s.step === 'build' ? 'build' : stepLine(s)))
    expect(upToBuild).toEqual(pulls)
    const removed = pipeline.cleanup
      .filter(s => s.pulled !== undefined)
      .map(stepLine)
    expect(removed).toEqual(removals)
  })

  it('the sources of a release: its floating tags, then the default branch tags', async () => {
    const { publication } = await releaseRun({ secrets: '' })
    expect(publication.cacheSources).toEqual({
      own: ['1.2', 'latest'],
      // type=semver rules publish nothing for a branch push
      defaultBranch: []
    })
  })

  it.each<{
    name: string
    builder: Builder
    inputs: Record<string, string>
    relay: boolean
  }>([
    {
      name: 'no cache settings on docker-container (auto: the service)',
      builder: CONTAINER,
      inputs: {},
      relay: true
    },
    {
      name: 'no cache settings on the classic store (auto: inline)',
      builder: CLASSIC_STORE,
      inputs: {},
      relay: false
    },
    {
      name: 'cache: inline',
      builder: CONTAINER,
      inputs: { cache: 'inline' },
      relay: false
    },
    {
      name: 'cache: gha',
      builder: CONTAINER,
      inputs: { cache: 'gha' },
      relay: true
    },
    {
      name: 'cache: gha with no-cache: true',
      builder: CONTAINER,
      inputs: { cache: 'gha', 'no-cache': 'true' },
      relay: false
    },
    {
      name: 'cache: gha on the classic docker build',
      builder: NO_BUILDX,
      inputs: { cache: 'gha' },
      relay: false
    },
    {
      name: 'cache: gha with call: check (only evaluates)',
      builder: CONTAINER,
      inputs: { cache: 'gha', call: 'check' },
      relay: false
    },
    {
      name: 'auto beside outputs',
      builder: CONTAINER,
      inputs: { outputs: 'type=local,dest=out' },
      relay: false
    },
    {
      name: "the user's type=gha cache-from",
      builder: CONTAINER,
      inputs: { 'cache-from': 'type=gha' },
      relay: true
    },
    {
      name: "the user's type=gha cache-from with its own url",
      builder: CONTAINER,
      inputs: { 'cache-from': 'type=gha,url=https://cache.example/,token=t' },
      relay: false
    }
  ])(
    'the cache relay serves the build where its decided lines read the service: $name: $relay',
    async ({ builder, inputs, relay }) => {
      const { pipeline } = await buildArgv(builder, inputs, {
        runner: V2,
        imports: []
      })
      const builds = pipeline.stage.filter(
        step => 'argv' in step && step.argv.includes('build')
      )
      expect(builds).not.toHaveLength(0)
      expect(readsServiceFromEnv(pipeline)).toBe(relay)
    }
  )
})

describe('warmerOnOwnBuilder: the classic store makes a builder of its own for cache: auto', () => {
  it.each([
    {
      name: 'classic store, service, push',
      detected: CLASSIC_STORE,
      runner: GHA,
      use: 'push',
      own: true
    },
    {
      name: 'classic store, service, push: false',
      detected: CLASSIC_STORE,
      runner: GHA,
      use: 'local',
      own: true
    },
    {
      name: 'classic store, no service',
      detected: CLASSIC_STORE,
      runner: NO_GHA,
      use: 'push',
      own: false
    },
    {
      name: 'classic store, outputs or call',
      detected: CLASSIC_STORE,
      runner: GHA,
      use: 'none',
      own: false
    },
    {
      name: 'containerd store exports gha itself',
      detected: CONTAINERD,
      runner: GHA,
      use: 'push',
      own: false
    },
    {
      name: 'classic store, the v2 service and buildx 0.13',
      detected: { ...CLASSIC_STORE, buildx: 'github.com/docker/buildx 0.13.1' },
      runner: V2,
      use: 'push',
      own: false
    },
    {
      name: 'classic store, the v2 service and buildx 0.29',
      detected: {
        ...CLASSIC_STORE,
        buildx: 'github.com/docker/buildx v0.29.1'
      },
      runner: V2,
      use: 'push',
      own: true
    }
  ] as const)('$name', ({ detected, runner, use, own }) => {
    const why = warmerOnOwnBuilder(build(), detected, runner, use)
    expect(why !== undefined).toBe(own)
  })

  const OFF: CacheSetting = { kind: 'off' }
  it.each([
    { name: 'cache: off', cache: OFF, more: {} },
    { name: 'no-cache', cache: undefined, more: { noCache: true } },
    {
      name: 'user cache-from',
      cache: undefined,
      more: { cacheFrom: ['type=local,src=x'] }
    }
  ])('not for $name', ({ cache, more }) => {
    expect(
      warmerOnOwnBuilder(build(cache, more), CLASSIC_STORE, GHA, 'push')
    ).toBeUndefined()
  })
})

describe('unexportableCache: the cache export a builder cannot do, as written', () => {
  it.each([
    {
      name: 'cache-to gha on the classic store',
      cache: build({ kind: 'auto' }, { cacheTo: ['type=gha,mode=max'] }),
      builder: CLASSIC_STORE,
      asked: 'cache-to type=gha,mode=max'
    },
    {
      name: 'a bare reference is a registry cache',
      cache: build({ kind: 'auto' }, { cacheTo: ['ghcr.io/o/c:x'] }),
      builder: CLASSIC_STORE,
      asked: 'cache-to ghcr.io/o/c:x'
    },
    {
      name: 'the last type of a line is the one buildx reads',
      cache: build(
        { kind: 'auto' },
        { cacheTo: ['type=inline,type=registry,ref=r/c:x'] }
      ),
      builder: CLASSIC_STORE,
      asked: 'cache-to type=inline,type=registry,ref=r/c:x'
    },
    {
      name: 'cache-to inline: the docker driver exports it',
      cache: build({ kind: 'auto' }, { cacheTo: ['type=inline'] }),
      builder: CLASSIC_STORE,
      asked: undefined
    },
    {
      name: 'cache: local on the classic store',
      cache: build({ kind: 'local', dir: '/tmp/c' }),
      builder: CLASSIC_STORE,
      asked: 'cache: local,dir=/tmp/c'
    },
    {
      name: 'cache: auto decides what the builder can do',
      cache: build({ kind: 'auto' }),
      builder: CLASSIC_STORE,
      asked: undefined
    },
    {
      name: 'cache: gha on a docker-container builder',
      cache: build({ kind: 'gha' }),
      builder: CONTAINER,
      asked: undefined
    }
  ])('$name', ({ cache, builder, asked }) => {
    expect(unexportableCache(cache, builder)).toBe(asked)
  })
})
