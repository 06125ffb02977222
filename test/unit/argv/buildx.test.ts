import { describe, expect, it } from '@jest/globals'
import type { BuildSettings } from '../../../src/settings/build-settings.js'
import {
  buildxBuildArgs,
  classicBuildArgs,
  type BuildRequest
} from '../../../src/argv/buildx.js'

/** The build inputs left at their action.yml defaults. */
const DEFAULTS: BuildSettings = {
  context: '.',
  file: '',
  target: '',
  buildArgs: [],
  buildContexts: [],
  platforms: [],
  push: false,
  load: false,
  pull: false,
  noCache: false,
  reproducible: false,
  cacheFrom: [],
  cacheTo: [],
  cache: { kind: 'auto' },
  secrets: [],
  secretFiles: [],
  secretEnvs: [],
  ssh: [],
  builder: '',
  qemu: '',
  buildkitImage: 'moby/buildkit:buildx-stable-1',
  addHosts: [],
  allow: [],
  attests: [],
  call: '',
  cgroupParent: '',
  network: '',
  noCacheFilters: [],
  outputs: [],
  shmSize: '',
  ulimits: []
}

function request(
  build: Partial<BuildSettings>,
  extra: Partial<Omit<BuildRequest, 'build'>> = {}
): BuildRequest {
  return {
    build: { ...DEFAULTS, ...build },
    refs: [],
    labels: {},
    annotations: {},
    metadataFile: '/run/meta.json',
    secretSpecs: [],
    ...extra
  }
}

describe('buildxBuildArgs', () => {
  it.each<{ name: string; request: BuildRequest; expected: string[] }>([
    {
      name: "defaults: no attestation flag (buildx's own default), nothing pushed or loaded",
      request: request({}),
      expected: ['buildx', 'build', '--metadata-file', '/run/meta.json', '.']
    },
    {
      name: 'push: every ref tagged, --push',
      request: request(
        { push: true },
        { refs: ['ghcr.io/o/app:1.2.3', 'ghcr.io/o/app:latest'] }
      ),
      expected: [
        'buildx',
        'build',
        '--tag',
        'ghcr.io/o/app:1.2.3',
        '--tag',
        'ghcr.io/o/app:latest',
        '--push',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'load: --load instead of --push',
      request: request({ load: true }, { refs: ['app:dev'] }),
      expected: [
        'buildx',
        'build',
        '--tag',
        'app:dev',
        '--load',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'push and load: both',
      request: request({ push: true, load: true }),
      expected: [
        'buildx',
        'build',
        '--push',
        '--load',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'platforms joined by commas; labels and annotations sorted by key',
      request: request(
        { platforms: ['linux/amd64', 'linux/arm/v7'] },
        {
          labels: { 'z.owner': 'octo', 'a.team': 'core' },
          annotations: { 'org.opencontainers.image.title': 'app' }
        }
      ),
      expected: [
        'buildx',
        'build',
        '--platform',
        'linux/amd64,linux/arm/v7',
        '--label',
        'a.team=core',
        '--label',
        'z.owner=octo',
        '--annotation',
        'org.opencontainers.image.title=app',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'build args, contexts, cache, secrets as id=…,src=…, ssh: one flag per line',
      request: request(
        {
          buildArgs: ['NODE_VERSION=20', 'CI=true'],
          buildContexts: ['alpine=docker-image://alpine:3.20'],
          cacheFrom: ['type=gha'],
          cacheTo: ['type=gha,mode=max'],
          ssh: ['default']
        },
        { secretSpecs: ['id=NPM_TOKEN,src=/run/secrets/0-NPM_TOKEN'] }
      ),
      expected: [
        'buildx',
        'build',
        '--build-arg',
        'NODE_VERSION=20',
        '--build-arg',
        'CI=true',
        '--build-context',
        'alpine=docker-image://alpine:3.20',
        '--cache-from',
        'type=gha',
        '--cache-to',
        'type=gha,mode=max',
        '--secret',
        'id=NPM_TOKEN,src=/run/secrets/0-NPM_TOKEN',
        '--ssh',
        'default',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'secret files pass the path as src=, secret envs the variable as env=',
      request: request(
        {
          secretFiles: ['GPG_KEY=./keys/gpg.asc'],
          secretEnvs: ['NPM_TOKEN=NPM_TOKEN_VAR']
        },
        { secretSpecs: ['id=A,src=/run/secrets/0-A'] }
      ),
      expected: [
        'buildx',
        'build',
        '--secret',
        'id=A,src=/run/secrets/0-A',
        '--secret',
        'id=GPG_KEY,src=./keys/gpg.asc',
        '--secret',
        'id=NPM_TOKEN,env=NPM_TOKEN_VAR',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'build-push-action options: one flag per value, outputs before --push',
      request: request({
        addHosts: ['docker:10.180.0.1'],
        allow: ['network.host'],
        attests: ['type=sbom,generator=image'],
        call: 'check',
        cgroupParent: 'ci.slice',
        network: 'host',
        noCacheFilters: ['deps', 'test'],
        outputs: ['type=local,dest=out'],
        shmSize: '2g',
        ulimits: ['nofile=1024:1024'],
        push: true
      }),
      expected: [
        'buildx',
        'build',
        '--add-host',
        'docker:10.180.0.1',
        '--allow',
        'network.host',
        '--attest',
        'type=sbom,generator=image',
        '--call',
        'check,format=json',
        '--cgroup-parent',
        'ci.slice',
        '--network',
        'host',
        '--no-cache-filter',
        'deps',
        '--no-cache-filter',
        'test',
        '--shm-size',
        '2g',
        '--ulimit',
        'nofile=1024:1024',
        '--output',
        'type=local,dest=out',
        '--push',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'builder, file, target, attestations on, pull, no-cache, context',
      request: request({
        builder: 'ci-builder',
        file: 'docker/Dockerfile.prod',
        target: 'runtime',
        provenance: 'mode=max',
        sbom: 'true',
        pull: true,
        noCache: true,
        context: './app'
      }),
      expected: [
        'buildx',
        'build',
        '--builder',
        'ci-builder',
        '--file',
        'docker/Dockerfile.prod',
        '--target',
        'runtime',
        '--attest',
        'type=provenance,mode=max',
        '--attest',
        'type=sbom,disabled=false',
        '--pull',
        '--no-cache',
        '--metadata-file',
        '/run/meta.json',
        './app'
      ]
    },
    {
      name: 'push by digest: no tags, one canonical image output',
      request: request(
        { push: true, platforms: ['linux/arm64'] },
        { refs: ['ghcr.io/o/app:1.2.3'], pushByDigestTo: ['ghcr.io/o/app'] }
      ),
      expected: [
        'buildx',
        'build',
        '--platform',
        'linux/arm64',
        '--output',
        'type=image,name=ghcr.io/o/app,push-by-digest=true,name-canonical=true,push=true',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'push by digest to two images: one quoted CSV field names both',
      request: request(
        { push: true },
        { refs: [], pushByDigestTo: ['ghcr.io/o/app', 'o/app'] }
      ),
      expected: [
        'buildx',
        'build',
        '--output',
        'type=image,"name=ghcr.io/o/app,o/app",push-by-digest=true,name-canonical=true,push=true',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'reproducible: the pushing exporter rewrites timestamps',
      request: request(
        { push: true, reproducible: true },
        { refs: [], pushByDigestTo: ['ghcr.io/o/app'] }
      ),
      expected: [
        'buildx',
        'build',
        '--output',
        'type=image,name=ghcr.io/o/app,push-by-digest=true,name-canonical=true,push=true,rewrite-timestamp=true',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    },
    {
      name: 'reproducible with load: the layout rewrites timestamps, the load cannot (unpack)',
      request: request(
        { push: true, load: true, reproducible: true },
        { refs: ['o/app:1'], layoutDir: '/run/layout' }
      ),
      expected: [
        'buildx',
        'build',
        '--tag',
        'o/app:1',
        '--output',
        'type=oci,dest=/run/layout,tar=false,rewrite-timestamp=true',
        '--push',
        '--output',
        'type=docker,oci-mediatypes=true',
        '--metadata-file',
        '/run/meta.json',
        '.'
      ]
    }
  ])('$name', ({ request, expected }) => {
    expect(buildxBuildArgs(request)).toEqual(expected)
  })
})

describe('classicBuildArgs', () => {
  it.each<{ name: string; request: BuildRequest; expected: string[] }>([
    {
      name: 'defaults: the image id to a file, nothing pushed',
      request: request({ push: true }, { refs: ['o/app:1.2.3'] }),
      expected: ['build', '--tag', 'o/app:1.2.3', '--iidfile', '/run/iid', '.']
    },
    {
      name: 'the options classic build knows; no buildx-only flags',
      request: request(
        {
          file: 'Dockerfile.prod',
          target: 'runtime',
          platforms: ['linux/amd64'],
          buildArgs: ['CI=true'],
          cacheFrom: ['type=gha'],
          secrets: ['NPM_TOKEN=x'],
          provenance: 'mode=max',
          pull: true,
          noCache: true
        },
        { labels: { 'a.team': 'core' } }
      ),
      expected: [
        'build',
        '--file',
        'Dockerfile.prod',
        '--target',
        'runtime',
        '--platform',
        'linux/amd64',
        '--label',
        'a.team=core',
        '--build-arg',
        'CI=true',
        '--pull',
        '--no-cache',
        '--iidfile',
        '/run/iid',
        '.'
      ]
    }
  ])('$name', ({ request, expected }) => {
    expect(classicBuildArgs(request, '/run/iid')).toEqual(expected)
  })
})

const RUN = 'https://github.com/acme/app/actions/runs/7/attempts/1'

describe('attestValues: provenance, sbom and attests merged as build-push-action does', () => {
  it.each<{ name: string; build: Partial<BuildSettings>; attest: string[] }>([
    {
      name: 'nothing given, no default for the builder: no flag',
      build: {},
      attest: []
    },
    {
      name: "nothing given: the builder's default provenance, naming the run",
      build: { defaultProvenance: 'mode=max', builderId: RUN },
      attest: [`type=provenance,mode=max,builder-id=${RUN}`]
    },
    {
      name: 'provenance: true names the run',
      build: { provenance: 'true', builderId: RUN },
      attest: [`type=provenance,builder-id=${RUN}`]
    },
    {
      name: 'provenance: false turns it off and wins over attests',
      build: {
        provenance: 'false',
        attests: ['type=provenance,mode=max'],
        defaultProvenance: 'mode=max'
      },
      attest: ['type=provenance,disabled=true']
    },
    {
      name: 'attests of type sbom and provenance alone: each once, no default',
      build: {
        attests: ['type=sbom', 'type=provenance,mode=min'],
        defaultProvenance: 'mode=max',
        builderId: RUN
      },
      attest: ['type=sbom', `type=provenance,mode=min,builder-id=${RUN}`]
    },
    {
      name: 'sbom input beside an attests sbom line: the input wins',
      build: { sbom: 'true', attests: ['type=sbom,generator=x'] },
      attest: ['type=sbom,disabled=false']
    },
    {
      name: 'a builder-id the user gave is kept',
      build: { provenance: 'mode=max,builder-id=https://ci/1', builderId: RUN },
      attest: ['type=provenance,mode=max,builder-id=https://ci/1']
    }
  ])('$name', ({ build, attest }) => {
    const argv = buildxBuildArgs(request(build))
    const values = argv.filter((_, i) => argv[i - 1] === '--attest')
    expect(values).toEqual(attest)
    // buildx stops on a type given twice: "duplicate attestation field"
    const types = values.map(v => /type=(\w+)/.exec(v)?.[1])
    expect(new Set(types).size).toBe(types.length)
  })
})

describe("annotations at DOCKER_METADATA_ANNOTATIONS_LEVELS' levels", () => {
  it.each([
    {
      name: "buildx's default level: as given",
      levels: undefined,
      expected: ['a=1', 'index:b=2']
    },
    {
      name: 'manifest,index: each line at both, a leveled line as given',
      levels: ['manifest', 'index'],
      expected: ['manifest:a=1', 'index:a=1', 'index:b=2']
    }
  ])('$name', ({ levels, expected }) => {
    const argv = buildxBuildArgs(
      request(
        { annotationLevels: levels },
        { annotations: { a: '1', 'index:b': '2' } }
      )
    )
    expect(argv.filter((_, i) => argv[i - 1] === '--annotation')).toEqual(
      expected
    )
  })
})
