import { describe, expect, it } from '@jest/globals'
import type { Builder } from '../../../src/plan/builder.js'
import { pipelineFor } from '../../../src/plan/pipeline.js'
import {
  allSteps,
  publicStep,
  runBatches,
  stepLine,
  type Pipeline
} from '../../../src/plan/steps.js'
import { LIST_PASSWORD, PASSWORD, releaseRun } from '../docker/run-fixture.js'
import {
  legArtifactBase,
  legArtifactName
} from '../../../src/plan/leg-handover.js'

// The release of run-fixture: tag v1.2.3 in run 123, images
// ghcr.io/octo/app and octo/app (Docker Hub), logins for both.

const FILES = {
  metadata: '/run/meta.json',
  iid: '/run/iid',
  layout: '/run/layout',
  secretSpecs: ['id=NPM_TOKEN,src=/run/s']
}
const USER_CONFIG = '/home/runner/.docker'
const DOCKER: Builder = { name: 'default', driver: 'docker', store: 'classic' }
const CONTAINERD: Builder = { ...DOCKER, store: 'containerd' }
const CONTAINER: Builder = { name: 'builder-1', driver: 'docker-container' }
const CLASSIC: Builder = { name: '', driver: 'classic' }

async function pipeline(
  inputs: Record<string, string>,
  builder: Builder = DOCKER
): Promise<Pipeline> {
  const { settings, publication } = await releaseRun({ secrets: '', ...inputs })
  return pipelineFor({
    settings,
    publication,
    builder,
    files: FILES,
    userConfig: USER_CONFIG
  })
}

/** Each step as its name and the part that tells the steps apart. */
function shape(
  steps: Pipeline[Exclude<keyof Pipeline, 'cache' | 'gate'>]
): string[] {
  return steps.map(step => {
    const line = stepLine(step).replace(/ +/g, ' ')
    return (
      line
        .replace(/ --(label|annotation) \S+/g, '')
        // the cache each builder gets has its own table (cache.test.ts)
        .replace(/ --cache-(from|to) \S+/g, '')
        .replace(/ --(provenance|sbom)=false/g, '')
        .replace(/ --secret \S+/g, '')
        .replace(/ --build-arg SOURCE_DATE_EPOCH=\d+/g, '')
    )
  })
}

const BUILDX = 'build docker buildx build'
// every login the inputs give (the pair's registry and the logins list),
// each checked by the project's own client and written to the run's config
const STORED = "stored in this run's docker config"
const LOGINS = [
  `login GET https://ghcr.io/v2/ as octo, ${STORED}`,
  `login GET https://registry-1.docker.io/v2/ as octodock, ${STORED}`
]
const TAIL = '--metadata-file /run/meta.json .'

interface Row {
  name: string
  inputs: Record<string, string>
}

describe('pipelineFor, mode build: how the image lands on each builder', () => {
  it.each<Row & { builder: Builder; stage: string[]; cleanup: string[] }>([
    {
      name: "buildx's docker driver on containerd's store: an OCI layout on disk, uploaded by digest to each image; the detected builder is pinned",
      builder: CONTAINERD,
      inputs: {},
      stage: [
        `${BUILDX} --builder default --attest type=provenance,mode=min --output type=oci,dest=/run/layout,tar=false ${TAIL}`,
        `upload PUT https://ghcr.io/v2/octo/app/manifests/<digest>`,
        `upload PUT https://registry-1.docker.io/v2/octo/app/manifests/<digest>`
      ],
      cleanup: []
    },
    {
      name: "containerd's store with load: the layout that goes up is loaded under the tags",
      builder: CONTAINERD,
      inputs: { load: 'true', images: 'ghcr.io/octo/app' },
      stage: [
        `${BUILDX} --builder default --output type=oci,dest=/run/layout,tar=false ${TAIL}`,
        'load docker load --input /run/layout.tar',
        `upload PUT https://ghcr.io/v2/octo/app/manifests/<digest>`
      ],
      cleanup: []
    },
    {
      name: "buildx's docker driver on the classic store: built untagged into the store, saved as a layout, uploaded, removed",
      builder: DOCKER,
      inputs: {},
      stage: [
        `${BUILDX} --builder default ${TAIL}`,
        "save docker save '<image id>'",
        `upload PUT https://ghcr.io/v2/octo/app/manifests/<digest>`,
        `upload PUT https://registry-1.docker.io/v2/octo/app/manifests/<digest>`
      ],
      cleanup: ["cleanup docker image rm '<image id>'"]
    },
    {
      name: 'docker-container (setup-buildx-action): push by digest, no tag at all',
      builder: CONTAINER,
      inputs: {},
      stage: [
        `${BUILDX} --builder builder-1 --output 'type=image,"name=ghcr.io/octo/app,octo/app",push-by-digest=true,name-canonical=true,push=true' ${TAIL}`
      ],
      cleanup: []
    },
    {
      name: 'docker-container with load: one build to a layout, loaded under the tags and uploaded',
      builder: CONTAINER,
      inputs: { load: 'true', images: 'ghcr.io/octo/app' },
      stage: [
        `${BUILDX} --builder builder-1 --output type=oci,dest=/run/layout,tar=false ${TAIL}`,
        'load docker load --input /run/layout.tar',
        `upload PUT https://ghcr.io/v2/octo/app/manifests/<digest>`
      ],
      cleanup: []
    },
    {
      name: 'the classic store with load: built under its tags, which stay',
      builder: DOCKER,
      inputs: { load: 'true', images: 'ghcr.io/octo/app' },
      stage: [
        `${BUILDX} --builder default --tag ghcr.io/octo/app:1.2.3 --tag ghcr.io/octo/app:1.2 --tag ghcr.io/octo/app:latest --load ${TAIL}`,
        "save docker save '<image id>'",
        `upload PUT https://ghcr.io/v2/octo/app/manifests/<digest>`
      ],
      cleanup: []
    },
    {
      name: 'two nodes, two platforms: each platform built and pushed by digest on its own, joined by digest (no :latest from buildx)',
      builder: { ...CONTAINER, driver: 'remote', nodes: 2 },
      inputs: {
        images: 'ghcr.io/octo/app',
        platforms: 'linux/amd64,linux/arm64'
      },
      stage: [
        `${BUILDX} --builder builder-1 --platform linux/amd64 --output type=image,name=ghcr.io/octo/app,push-by-digest=true,name-canonical=true,push=true --metadata-file /run/meta.json.0 .`,
        `${BUILDX} --builder builder-1 --platform linux/arm64 --output type=image,name=ghcr.io/octo/app,push-by-digest=true,name-canonical=true,push=true --metadata-file /run/meta.json.1 .`,
        "predict docker buildx imagetools create --dry-run --tag ghcr.io/octo/app 'ghcr.io/octo/app@<digest of the linux/amd64 build>' 'ghcr.io/octo/app@<digest of the linux/arm64 build>'",
        "index docker buildx imagetools create --tag 'ghcr.io/octo/app@<digest>' 'ghcr.io/octo/app@<digest of the linux/amd64 build>' 'ghcr.io/octo/app@<digest of the linux/arm64 build>'"
      ],
      cleanup: []
    },
    {
      name: 'two nodes, one platform: one build, on the node of that platform',
      builder: { ...CONTAINER, driver: 'remote', nodes: 2 },
      inputs: { images: 'ghcr.io/octo/app', platforms: 'linux/arm64' },
      stage: [
        `${BUILDX} --builder builder-1 --platform linux/arm64 --output type=image,name=ghcr.io/octo/app,push-by-digest=true,name-canonical=true,push=true ${TAIL}`
      ],
      cleanup: []
    },
    {
      name: 'no buildx: docker build, saved as a layout, uploaded, removed',
      builder: CLASSIC,
      inputs: { images: 'ghcr.io/octo/app' },
      stage: [
        'build docker build --iidfile /run/iid .',
        "save docker save '<image id>'",
        `upload PUT https://ghcr.io/v2/octo/app/manifests/<digest>`
      ],
      cleanup: ["cleanup docker image rm '<image id>'"]
    }
  ])('$name', async ({ builder, inputs, stage, cleanup }) => {
    const steps = await pipeline(inputs, builder)
    expect(shape(steps.stage)).toEqual(stage)
    expect(shape(steps.cleanup)).toEqual(cleanup)
  })

  it('logs in, reads fresh, tags exact before floating, reads back', async () => {
    const steps = await pipeline({ images: 'ghcr.io/octo/app' }, CONTAINER)
    const base = 'https://ghcr.io/v2/octo/app'
    expect(shape(steps.login)).toEqual(LOGINS)
    expect(shape(steps.read)).toEqual([
      `read GET ${base}/tags/list`,
      `read HEAD ${base}/manifests/1.2.3`,
      `read HEAD ${base}/manifests/1.2`,
      `read HEAD ${base}/manifests/latest`,
      `read GET ${base}/manifests/<digest>`,
      `revision GET ${base}/manifests/1.2.3 (only if 1.2.3 exists on another digest)`,
      `withdrawn GET ${base}/referrers/<digest>`
    ])
    expect(shape(steps.tag)).toEqual([
      `recheck HEAD ${base}/manifests/1.2.3 (only if this run writes 1.2.3)`,
      `tag PUT ${base}/manifests/1.2.3`,
      `tag PUT ${base}/manifests/1.2`,
      `tag PUT ${base}/manifests/latest`
    ])
    expect(shape(steps.readBack)).toEqual([
      `read-back GET ${base}/tags/list`,
      ...['1.2.3', '1.2', 'latest'].map(
        t => `read-back HEAD ${base}/manifests/${t}`
      ),
      ...['1.2', 'latest'].map(
        t =>
          `repair PUT ${base}/manifests/${t} (only if ${t} is not on the newest release of its line)`
      )
    ])
  })

  it('push: false builds as asked, logged in, and touches no registry', async () => {
    const steps = await pipeline({ push: 'false', images: 'o/app' })
    expect(shape(steps.stage)).toEqual([
      `${BUILDX} --builder default --tag o/app:1.2.3 --tag o/app:1.2 --tag o/app:latest ${TAIL}`
    ])
    // login-action logs in whatever is pushed: FROM may be private
    expect(shape(steps.login)).toEqual([
      `login GET https://registry-1.docker.io/v2/ as octodock, ${STORED}`
    ])
    expect([steps.read, steps.tag, steps.readBack]).toEqual([[], [], []])
  })

  it.each([
    {
      name: 'without buildx',
      builder: CLASSIC,
      says: /input "platforms".*buildx plugin/
    },
    {
      name: "on buildx's docker driver over the classic image store",
      builder: { ...DOCKER, store: 'classic' as const },
      says: /input "platforms".*setup-buildx-action.*containerd image store/
    }
  ])(
    'several platforms $name fail before any step, naming the input',
    async ({ builder, says }) => {
      await expect(
        pipeline({ platforms: 'linux/amd64,linux/arm64' }, builder)
      ).rejects.toThrow(says)
    }
  )

  it('load with several platforms on a builder of several nodes fails before any step, naming the input', async () => {
    await expect(
      pipeline(
        { platforms: 'linux/amd64,linux/arm64', load: 'true' },
        { ...CONTAINER, nodes: 2 }
      )
    ).rejects.toThrow(
      /input "load".*builder builder-1 has 2 nodes.*load one platform/
    )
  })

  it('several platforms on the containerd image store are fine', async () => {
    const steps = await pipeline(
      { platforms: 'linux/amd64,linux/arm64' },
      CONTAINERD
    )
    expect(steps.stage.map(step => step.step)).toEqual([
      'build',
      'upload',
      'upload'
    ])
  })
})

const KEPT = [
  'keep-login docker --config /home/runner/.docker login ghcr.io --username octo --password-stdin',
  'keep-login docker --config /home/runner/.docker login docker.io --username octodock --password-stdin'
]

describe('runBatches: which stage steps run side by side', () => {
  const TWO_NODES: Builder = { ...CONTAINER, driver: 'remote', nodes: 2 }
  const PLATFORMS = 'linux/amd64,linux/arm64,linux/arm/v7'

  it.each<{
    name: string
    builder: Builder
    inputs: Record<string, string>
    batches: string[][]
  }>([
    {
      name: 'three platforms on a builder of several nodes: the three builds at once, then the join',
      builder: TWO_NODES,
      inputs: { images: 'ghcr.io/octo/app', platforms: PLATFORMS },
      batches: [['build', 'build', 'build'], ['predict'], ['index']]
    },
    {
      name: 'several platforms in one build (docker-container): one step at a time',
      builder: CONTAINER,
      inputs: { images: 'ghcr.io/octo/app', platforms: PLATFORMS },
      batches: [['build']]
    },
    {
      name: 'load + push on the docker driver: one step at a time',
      builder: DOCKER,
      inputs: { images: 'ghcr.io/octo/app', load: 'true' },
      batches: [['build'], ['save'], ['upload']]
    }
  ])('$name', async ({ builder, inputs, batches }) => {
    const { stage } = await pipeline(inputs, builder)
    expect(
      runBatches(stage).map(batch => batch.map(step => step.step))
    ).toEqual(batches)
  })
})

describe("pipelineFor: login-action's logout input", () => {
  it.each<Row & { login: string[] }>([
    {
      name: 'logout unset: the logins live only in the run',
      inputs: {},
      login: LOGINS
    },
    {
      name: 'logout: true, the same',
      inputs: { logout: 'true' },
      login: LOGINS
    },
    {
      name: "logout: false: each login also written to the user's docker config",
      inputs: { logout: 'false' },
      login: [...LOGINS, ...KEPT]
    },
    {
      name: 'push: false: logged in, as the build may read a private FROM',
      inputs: { logout: 'false', push: 'false' },
      login: [...LOGINS, ...KEPT]
    },
    {
      name: 'call: logged in, as the check may read a private FROM',
      inputs: { logout: 'false', call: 'outline' },
      login: [...LOGINS, ...KEPT]
    },
    {
      name: 'logout: false in mode merge',
      inputs: {
        logout: 'false',
        mode: 'merge',
        platforms: 'linux/amd64,linux/arm64'
      },
      login: [...LOGINS, ...KEPT]
    }
  ])('$name', async ({ inputs, login }) => {
    const steps = await pipeline(inputs)
    expect(shape(steps.login)).toEqual(login)
  })
})

describe('pipelineFor, the other modes', () => {
  it.each<Row & { login: string[]; stage: string[] }>([
    {
      name: 'promote within a registry: blob mounts and a manifest PUT, no docker',
      inputs: {
        mode: 'promote',
        images: 'ghcr.io/octo/stable',
        source: 'ghcr.io/octo/app:rc'
      },
      login: [],
      stage: [
        'source HEAD https://ghcr.io/v2/octo/app/manifests/rc',
        'mount POST https://ghcr.io/v2/octo/stable/blobs/uploads/?mount=<each blob>&from=octo/app',
        'copy PUT https://ghcr.io/v2/octo/stable/manifests/<source digest>'
      ]
    },
    {
      // SECURITY.md: the pair goes to the images' registries, not to the
      // source's host (ghcr.io here), which the run then reads anonymously
      name: 'promote to another registry: imagetools by digest, after a dry run; no login to the source host',
      inputs: {
        mode: 'promote',
        images: 'octo/app',
        source: 'ghcr.io/octo/app:rc'
      },
      login: LOGINS.slice(1),
      stage: [
        'source HEAD https://ghcr.io/v2/octo/app/manifests/rc',
        "predict docker buildx imagetools create --dry-run --tag octo/app 'ghcr.io/octo/app@<source digest>'",
        "index docker buildx imagetools create --tag 'octo/app@<digest>' 'ghcr.io/octo/app@<source digest>'"
      ]
    },
    {
      name: 'rollback: the release read in each image, no copy, no docker; the named tags only',
      inputs: {
        mode: 'rollback',
        images: 'ghcr.io/octo/app',
        source: '1.4.2',
        tags: 'latest\n1\n1.4',
        reason: '1.5.0 corrupts uploads'
      },
      login: [],
      stage: ['release HEAD https://ghcr.io/v2/octo/app/manifests/1.4.2']
    },
    {
      name: 'merge: the staged legs, then one index by digest',
      inputs: {
        mode: 'merge',
        images: 'ghcr.io/octo/app',
        platforms: 'linux/amd64,linux/arm64'
      },
      login: LOGINS,
      stage: [
        'staged GET https://ghcr.io/v2/octo/app/manifests/build-123-linux-amd64',
        'staged GET https://ghcr.io/v2/octo/app/manifests/build-123-linux-arm64',
        "predict docker buildx imagetools create --dry-run --tag ghcr.io/octo/app 'ghcr.io/octo/app@<digest of build-123-linux-amd64>' 'ghcr.io/octo/app@<digest of build-123-linux-arm64>'",
        "index docker buildx imagetools create --tag 'ghcr.io/octo/app@<digest>' 'ghcr.io/octo/app@<digest of build-123-linux-amd64>' 'ghcr.io/octo/app@<digest of build-123-linux-arm64>'"
      ]
    }
  ])('$name', async ({ inputs, login, stage }) => {
    const steps = await pipeline(inputs)
    expect(shape(steps.login)).toEqual(login)
    expect(shape(steps.stage)).toEqual(stage)
    expect(steps.tag.filter(s => s.step === 'tag')).toHaveLength(3)
  })

  it('digest: one platform pushed by digest, then named by its handover tag, read back, no tags', async () => {
    const steps = await pipeline(
      { mode: 'digest', images: 'ghcr.io/octo/app', platforms: 'linux/arm64' },
      CONTAINER
    )
    expect(shape(steps.stage)).toEqual([
      `${BUILDX} --builder builder-1 --platform linux/arm64 --output type=image,name=ghcr.io/octo/app,push-by-digest=true,name-canonical=true,push=true ${TAIL}`,
      'handover PUT https://ghcr.io/v2/octo/app/manifests/build-123-linux-arm64'
    ])
    expect([steps.read, steps.tag]).toEqual([[], []])
    expect(shape(steps.readBack)).toEqual([
      'read-back HEAD https://ghcr.io/v2/octo/app/manifests/build-123-linux-arm64'
    ])
  })

  it('digest on the docker driver: the layout uploaded, then the handover tag', async () => {
    const steps = await pipeline(
      { mode: 'digest', images: 'ghcr.io/octo/app', platforms: 'linux/arm64' },
      CONTAINERD
    )
    // the layers of the first tag a cache import could read are read beside the build
    expect(steps.stage.map(step => step.step)).toEqual([
      'layers',
      'layers',
      'build',
      'upload',
      'handover'
    ])
  })

  it('merge: once the tags are read back, each handover index is deleted, with its tag', async () => {
    const steps = await pipeline({
      mode: 'merge',
      images: 'ghcr.io/octo/app',
      platforms: 'linux/amd64,linux/arm64'
    })
    expect(shape(steps.discard)).toEqual([
      'discard DELETE https://ghcr.io/v2/octo/app/manifests/<handover build-123-linux-amd64> (only if the registry deletes manifests)',
      'discard DELETE https://ghcr.io/v2/octo/app/manifests/<handover build-123-linux-arm64> (only if the registry deletes manifests)'
    ])
  })

  describe("on a runner with an artifact service: the run's artifacts, no tag", () => {
    const LEGS = {
      url: 'https://results.example',
      runId: '123',
      attempt: '1',
      sha: 'f'.repeat(40),
      repository: 'octo/app'
    }
    const TWIRP =
      'https://results.example/twirp/github.actions.results.api.v1.ArtifactService'

    async function withLegs(
      inputs: Record<string, string>,
      builder: Builder = DOCKER
    ): Promise<Pipeline> {
      const run = await releaseRun({ secrets: '', ...inputs })
      return pipelineFor({
        settings: run.settings,
        publication: { ...run.publication, legs: LEGS },
        builder,
        files: FILES,
        userConfig: USER_CONFIG
      })
    }

    it('digest: pushed by digest, then its artifact; nothing read back, no tag', async () => {
      const steps = await withLegs(
        {
          mode: 'digest',
          images: 'ghcr.io/octo/app',
          platforms: 'linux/arm64'
        },
        CONTAINER
      )
      expect(shape(steps.stage)).toEqual([
        `${BUILDX} --builder builder-1 --platform linux/arm64 --output type=image,name=ghcr.io/octo/app,push-by-digest=true,name-canonical=true,push=true ${TAIL}`,
        `handover POST ${TWIRP}/CreateArtifact (the run's artifact ${legArtifactName('ghcr.io/octo/app', 'linux/arm64', '1')})`
      ])
      expect([steps.read, steps.tag, steps.readBack, steps.discard]).toEqual([
        [],
        [],
        [],
        []
      ])
    })

    it('merge: each leg from its artifact, one index by digest, nothing to discard', async () => {
      const steps = await withLegs({
        mode: 'merge',
        images: 'ghcr.io/octo/app',
        platforms: 'linux/amd64,linux/arm64'
      })
      const [amd64, arm64] = ['linux/amd64', 'linux/arm64'].map(p =>
        legArtifactBase('ghcr.io/octo/app', p)
      )
      expect(shape(steps.stage)).toEqual([
        `staged POST ${TWIRP}/ListArtifacts (the run's artifact ${amd64})`,
        `staged POST ${TWIRP}/ListArtifacts (the run's artifact ${arm64})`,
        `predict docker buildx imagetools create --dry-run --tag ghcr.io/octo/app 'ghcr.io/octo/app@<digest of ${amd64}>' 'ghcr.io/octo/app@<digest of ${arm64}>'`,
        `index docker buildx imagetools create --tag 'ghcr.io/octo/app@<digest>' 'ghcr.io/octo/app@<digest of ${amd64}>' 'ghcr.io/octo/app@<digest of ${arm64}>'`
      ])
      expect(steps.tag.filter(s => s.step === 'tag')).toHaveLength(3)
      expect(steps.discard).toEqual([])
    })
  })

  describe('the handover through job outputs: no artifact, no tag, on any runner', () => {
    const A = `sha256:${'a'.repeat(64)}`
    const B = `sha256:${'b'.repeat(64)}`
    const handover = JSON.stringify({
      'leg-linux-amd64': JSON.stringify({
        platform: 'linux/amd64',
        digests: [A]
      }),
      'leg-linux-arm64': JSON.stringify({
        platform: 'linux/arm64',
        digests: [B]
      })
    })

    it('digest, handover: outputs: pushed by digest, nothing else', async () => {
      const steps = await pipeline(
        {
          mode: 'digest',
          handover: 'outputs',
          images: 'ghcr.io/octo/app',
          platforms: 'linux/arm64'
        },
        CONTAINER
      )
      expect(shape(steps.stage)).toEqual([
        `${BUILDX} --builder builder-1 --platform linux/arm64 --output type=image,name=ghcr.io/octo/app,push-by-digest=true,name-canonical=true,push=true ${TAIL}`
      ])
      expect([steps.read, steps.tag, steps.readBack]).toEqual([[], [], []])
    })

    it('merge: each leg read by the digest handed over, one index, nothing to discard', async () => {
      const steps = await pipeline({
        mode: 'merge',
        handover,
        images: 'ghcr.io/octo/app',
        platforms: 'linux/amd64,linux/arm64'
      })
      expect(shape(steps.stage)).toEqual([
        `staged GET https://ghcr.io/v2/octo/app/manifests/${A}`,
        `staged GET https://ghcr.io/v2/octo/app/manifests/${B}`,
        `predict docker buildx imagetools create --dry-run --tag ghcr.io/octo/app ghcr.io/octo/app@${A} ghcr.io/octo/app@${B}`,
        `index docker buildx imagetools create --tag 'ghcr.io/octo/app@<digest>' ghcr.io/octo/app@${A} ghcr.io/octo/app@${B}`
      ])
      expect(steps.tag.filter(s => s.step === 'tag')).toHaveLength(3)
      expect(steps.discard).toEqual([])
    })

    it("gate: each leg read by the digest handed over, the gate on each leg's; nothing written", async () => {
      const steps = await pipeline({
        mode: 'gate',
        handover,
        images: 'ghcr.io/octo/app',
        platforms: 'linux/amd64,linux/arm64',
        gate: './scan.sh',
        // mode gate refuses tags: it moves none (the fixture's release names some)
        tags: ''
      })
      expect(shape(steps.stage)).toEqual([
        `staged GET https://ghcr.io/v2/octo/app/manifests/${A}`,
        `staged GET https://ghcr.io/v2/octo/app/manifests/${B}`
      ])
      expect(
        steps.gate.map(step => stepLine(step).replace(/ +/g, ' '))
      ).toEqual(
        [
          `ghcr.io/octo/app@${A} (linux/amd64)`,
          `ghcr.io/octo/app@${B} (linux/arm64)`
        ].map(
          on =>
            `gate bash --noprofile --norc -eo pipefail -c ./scan.sh (on ${on}: no tag moves unless exit 0)`
        )
      )
      const writes = [
        ...steps.read,
        ...steps.tag,
        ...steps.readBack,
        ...steps.provenance,
        ...steps.sign,
        ...steps.discard,
        ...steps.cleanup
      ]
      expect(writes).toEqual([])
    })

    it.each([
      {
        name: 'two images, one digest a leg: gated once, on the first image',
        amd64: [A, A],
        gated: [`ghcr.io/octo/app@${A}`]
      },
      {
        name: 'two images whose digests differ: each digest gated',
        amd64: [A, B],
        gated: [`ghcr.io/octo/app@${A}`, `registry.example/app@${B}`]
      }
    ])('gate, $name', async ({ amd64, gated }) => {
      const steps = await pipeline({
        mode: 'gate',
        handover: JSON.stringify({
          'leg-linux-amd64': JSON.stringify({
            platform: 'linux/amd64',
            digests: amd64
          })
        }),
        images: 'ghcr.io/octo/app\nregistry.example/app',
        platforms: 'linux/amd64',
        gate: './scan.sh',
        tags: ''
      })
      expect(
        steps.gate.map(
          step => /on (\S+) \(linux\/amd64\)/.exec(stepLine(step))?.[1]
        )
      ).toEqual(gated)
    })
  })

  it.each<Row & { builder: Builder; stage: string[]; notice: string }>([
    {
      name: 'digest with push: false: the leg builds its platform as a build does, hands nothing over',
      builder: CONTAINER,
      inputs: { mode: 'digest', platforms: 'linux/arm64' },
      stage: [
        `${BUILDX} --builder builder-1 --platform linux/arm64 --tag ghcr.io/octo/app:1.2.3 --tag ghcr.io/octo/app:1.2 --tag ghcr.io/octo/app:latest ${TAIL}`
      ],
      notice:
        'push is false: this leg builds linux/arm64 and hands nothing over to the merge; no registry is written to'
    },
    {
      name: 'digest with push: false and load: loaded under the tags, as a build with load',
      builder: CONTAINERD,
      inputs: { mode: 'digest', platforms: 'linux/arm64', load: 'true' },
      stage: [
        `${BUILDX} --builder default --platform linux/arm64 --tag ghcr.io/octo/app:1.2.3 --tag ghcr.io/octo/app:1.2 --tag ghcr.io/octo/app:latest --load ${TAIL}`
      ],
      notice:
        'push is false: this leg builds linux/arm64 and hands nothing over to the merge; no registry is written to'
    },
    {
      name: 'merge with push: false: nothing to join, no step at all',
      builder: DOCKER,
      inputs: { mode: 'merge', platforms: 'linux/amd64,linux/arm64' },
      stage: [],
      notice:
        'push is false: the digest legs handed nothing over, so there is nothing to join; no registry is written to'
    },
    {
      name: 'promote with push: false: nothing copied, no step at all',
      builder: DOCKER,
      inputs: { mode: 'promote', source: 'ghcr.io/octo/app:rc' },
      stage: [],
      notice:
        'push is false: the source is not copied; no registry is written to'
    }
  ])('$name', async ({ builder, inputs, stage, notice }) => {
    const all = { ...inputs, push: 'false', images: 'ghcr.io/octo/app' }
    const { publication } = await releaseRun({ secrets: '', ...all })
    const steps = await pipeline(all, builder)
    expect(shape(steps.stage)).toEqual(stage)
    const writes = [steps.read, steps.tag, steps.readBack, steps.discard]
    expect([...writes, steps.sign]).toEqual([[], [], [], [], []])
    expect(publication.notices).toEqual([notice])
  })

  it.each<Row & { cacheArgs: string[]; notices: string[] }>([
    {
      name: 'build with push: false and cache: registry: reads the ref, exports no cache',
      inputs: { cache: 'registry,ref=ghcr.io/octo/app-cache:main' },
      cacheArgs: [
        '--cache-from',
        'type=registry,ref=ghcr.io/octo/app-cache:main'
      ],
      notices: []
    },
    {
      name: "build with push: false and the user's cache-to type=registry: left out, in one notice",
      inputs: {
        'cache-from': 'type=registry,ref=ghcr.io/octo/app-cache:main',
        'cache-to': 'type=registry,ref=ghcr.io/octo/app-cache:main,mode=max'
      },
      cacheArgs: [
        '--cache-from',
        'type=registry,ref=ghcr.io/octo/app-cache:main'
      ],
      notices: [
        'cache-to type=registry,ref=ghcr.io/octo/app-cache:main,mode=max is not written: push: false writes to no registry'
      ]
    },
    {
      name: "digest with push: false and the user's cache-to: the leg's notice and the cache's",
      inputs: {
        mode: 'digest',
        platforms: 'linux/arm64',
        'cache-to': 'ghcr.io/octo/app-cache:arm64'
      },
      cacheArgs: [],
      notices: [
        'push is false: this leg builds linux/arm64 and hands nothing over to the merge; no registry is written to',
        'cache-to ghcr.io/octo/app-cache:arm64 is not written: push: false writes to no registry'
      ]
    }
  ])('$name', async ({ inputs, cacheArgs, notices }) => {
    const all = { ...inputs, push: 'false', images: 'ghcr.io/octo/app' }
    const { publication } = await releaseRun({ secrets: '', ...all })
    const steps = await pipeline(all, CONTAINER)
    const argv = steps.stage.flatMap(step => ('argv' in step ? step.argv : []))
    const cache = argv.flatMap((arg, i) =>
      arg.startsWith('--cache-') ? [arg, argv[i + 1]] : []
    )
    expect(cache).toEqual(cacheArgs)
    expect(publication.notices).toEqual(notices)
  })

  it.each<Row & { builder: Builder; beside: boolean }>([
    {
      name: 'the containerd store, a gha cache-to: the layout goes up beside the cache export',
      builder: CONTAINERD,
      inputs: { 'cache-to': 'type=gha,mode=max' },
      beside: true
    },
    {
      name: 'docker-container, a registry cache-to: its push by digest, beside the cache export',
      builder: CONTAINER,
      inputs: { 'cache-to': 'type=registry,ref=ghcr.io/octo/app-cache:main' },
      beside: true
    },
    {
      name: 'the inline cache only: in the image, nothing after it',
      builder: CONTAINER,
      inputs: { 'cache-to': 'type=inline' },
      beside: false
    },
    {
      name: 'load: true, whose load reads the index.json buildx writes as it ends',
      builder: CONTAINERD,
      inputs: { 'cache-to': 'type=gha,mode=max', load: 'true' },
      beside: false
    },
    {
      name: "a user's outputs beside ours: two exporters",
      builder: CONTAINER,
      inputs: {
        'cache-to': 'type=gha,mode=max',
        outputs: 'type=local,dest=out'
      },
      beside: false
    }
  ])('$name', async ({ builder, inputs, beside }) => {
    const all = { ...inputs, images: 'ghcr.io/octo/app' }
    const steps = await pipeline(all, builder)
    const builds = steps.stage.filter(step => step.step === 'build')
    expect(
      builds.map(step => 'argv' in step && step.besideCacheExport === true)
    ).toEqual([beside])
  })

  it('the plan output form: argv or method + url, a login its username, nothing else', async () => {
    const steps = allSteps(await pipeline({ images: 'ghcr.io/octo/app' }))
    for (const step of steps.map(publicStep))
      expect(Object.keys(step).sort()).toEqual(
        'argv' in step
          ? ['argv', 'step']
          : 'when' in step
            ? ['method', 'step', 'url', 'when']
            : step.step === 'login'
              ? ['method', 'step', 'url', 'username']
              : ['method', 'step', 'url']
      )
    const output = JSON.stringify(steps.map(publicStep))
    for (const secret of [PASSWORD, LIST_PASSWORD])
      expect(output).not.toContain(secret)
  })
})

describe('pipelineFor: outputs and call of build-push-action', () => {
  it.each<Row & { stage: string[] }>([
    {
      name: 'outputs of a local tar: built as asked, nothing pushed, no registry step of ours',
      inputs: { images: 'o/app', outputs: 'type=tar,dest=/out/app.tar' },
      stage: [
        `${BUILDX} --builder default --tag o/app:1.2.3 --tag o/app:1.2 --tag o/app:latest --output type=tar,dest=/out/app.tar ${TAIL}`
      ]
    },
    {
      name: 'call: check evaluates the build in JSON, as a check step, and pushes nothing',
      inputs: { images: 'o/app', call: 'check' },
      stage: [
        `${BUILDX.replace(/^build /, 'check ')} --builder default --tag o/app:1.2.3 --tag o/app:1.2 --tag o/app:latest --call check,format=json ${TAIL}`
      ]
    },
    {
      name: 'call: outline passes as given',
      inputs: { images: 'o/app', call: 'outline,format=json' },
      stage: [
        `${BUILDX} --builder default --tag o/app:1.2.3 --tag o/app:1.2 --tag o/app:latest --call outline,format=json ${TAIL}`
      ]
    }
  ])('$name', async ({ inputs, stage }) => {
    const steps = await pipeline(inputs)
    expect(shape(steps.stage)).toEqual(stage)
    // logged in all the same: the build may read a private FROM or cache
    expect(shape(steps.login)).toEqual([
      `login GET https://registry-1.docker.io/v2/ as octodock, ${STORED}`
    ])
    expect([steps.read, steps.tag, steps.readBack]).toEqual([[], [], []])
  })
})

describe('pipelineFor: SOURCE_DATE_EPOCH', () => {
  const epochArgs = (steps: Pipeline) =>
    allSteps(steps)
      .flatMap(step => ('argv' in step ? step.argv : []))
      .filter(arg => arg.startsWith('SOURCE_DATE_EPOCH='))

  it.each<Row & { builder: Builder; expected: string[] }>([
    {
      name: 'not passed by default: BuildKit >= 0.22 keys its cache on it',
      builder: CONTAINER,
      inputs: {},
      expected: []
    },
    {
      name: 'not passed by default to the classic build either',
      builder: CLASSIC,
      inputs: { images: 'o/app' },
      expected: []
    },
    {
      name: 'reproducible: the creation time of the publication, as a build argument',
      builder: CONTAINER,
      inputs: { reproducible: 'true' },
      expected: ['SOURCE_DATE_EPOCH=1714564800']
    },
    {
      name: 'reproducible: the classic build too',
      builder: CLASSIC,
      inputs: { images: 'o/app', reproducible: 'true' },
      expected: ['SOURCE_DATE_EPOCH=1714564800']
    },
    {
      name: "the user's own build argument is passed as given",
      builder: DOCKER,
      inputs: { 'build-args': 'SOURCE_DATE_EPOCH=0' },
      expected: ['SOURCE_DATE_EPOCH=0']
    },
    {
      name: "reproducible: the user's own build argument wins",
      builder: DOCKER,
      inputs: { 'build-args': 'SOURCE_DATE_EPOCH=0', reproducible: 'true' },
      expected: ['SOURCE_DATE_EPOCH=0']
    }
  ])('$name', async ({ inputs, builder, expected }) => {
    expect(epochArgs(await pipeline(inputs, builder))).toEqual(expected)
  })
})

describe("pipelineFor: the index's own annotations", () => {
  const indexLines = (steps: Pipeline) =>
    allSteps(steps)
      .flatMap(step => ('argv' in step ? step.argv : []))
      .filter(arg => arg.startsWith('index:'))
      .map(arg => arg.slice(0, arg.indexOf('=')))

  // the fixture's repository has no description or license: empty values are left out
  const ALL = [
    'index:org.opencontainers.image.created',
    'index:org.opencontainers.image.revision',
    'index:org.opencontainers.image.source',
    'index:org.opencontainers.image.version'
  ]

  it.each<Row & { builder: Builder; expected: string[] }>([
    {
      name: 'two platforms: the index says what the labels say',
      builder: CONTAINERD,
      inputs: { platforms: 'linux/amd64,linux/arm64' },
      expected: ALL
    },
    {
      name: 'one platform with provenance (an index of the image and its attestation)',
      builder: CONTAINERD,
      inputs: {},
      expected: ALL
    },
    {
      name: 'one platform, provenance: false: no index, none (buildx would refuse them)',
      builder: CONTAINERD,
      inputs: { provenance: 'false' },
      expected: []
    },
    {
      name: 'the classic store: no index, none',
      builder: DOCKER,
      inputs: {},
      expected: []
    },
    {
      name: "the user's own index: line of a key is theirs",
      builder: CONTAINERD,
      inputs: {
        platforms: 'linux/amd64,linux/arm64',
        annotations: 'index:org.opencontainers.image.description=Ours'
      },
      expected: ['index:org.opencontainers.image.description', ...ALL]
    }
  ])('$name', async ({ inputs, builder, expected }) => {
    expect(indexLines(await pipeline(inputs, builder)).sort()).toEqual(
      [...expected].sort()
    )
  })
})

describe('pipelineFor: signing and its gate', () => {
  const KEY =
    '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJ9\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----'
  const PUBLIC = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----'

  it.each<Row & { verify: string[]; sign: string[] }>([
    {
      name: 'build, unsigned: no sign step',
      inputs: {},
      verify: [],
      sign: []
    },
    {
      name: 'build, sign: key: one signature tag per image, after the read-back',
      inputs: { sign: 'key', 'signing-key': KEY },
      verify: [],
      sign: [
        'sign PUT https://ghcr.io/v2/octo/app/manifests/sha256-<digest>.sig',
        'sign PUT https://registry-1.docker.io/v2/octo/app/manifests/sha256-<digest>.sig'
      ]
    },
    {
      name: 'build, referrers: true: the attestations attached per image, before the signature',
      inputs: { referrers: 'true', sign: 'key', 'signing-key': KEY },
      verify: [],
      sign: [
        'attest PUT https://ghcr.io/v2/octo/app/manifests/<referrer digest> (only if the image carries attestations)',
        'attest PUT https://registry-1.docker.io/v2/octo/app/manifests/<referrer digest> (only if the image carries attestations)',
        'sign PUT https://ghcr.io/v2/octo/app/manifests/sha256-<digest>.sig',
        'sign PUT https://registry-1.docker.io/v2/octo/app/manifests/sha256-<digest>.sig'
      ]
    },
    {
      name: 'promote: the source checked right after it is read, its artifacts carried, the copy signed',
      inputs: {
        mode: 'promote',
        images: 'ghcr.io/octo/stable',
        source: 'ghcr.io/octo/app:rc',
        'verify-key': PUBLIC,
        sign: 'key',
        'signing-key': KEY
      },
      // after the source step, before the mount
      verify: [
        'verify GET https://ghcr.io/v2/octo/app/manifests/sha256-<source digest>.sig',
        'verify GET https://ghcr.io/v2/octo/app/referrers/<source digest>'
      ],
      sign: [
        'referrers PUT https://ghcr.io/v2/octo/stable/manifests/<referrer digest> (only if the source has referrers)',
        'carry PUT https://ghcr.io/v2/octo/stable/manifests/sha256-<source digest>.{sig,att} (only if the source has signatures or attestations)',
        'sign PUT https://ghcr.io/v2/octo/stable/manifests/sha256-<digest>.sig'
      ]
    },
    {
      name: 'rollback: the release checked right after it is read, the release the tags left withdrawn',
      inputs: {
        mode: 'rollback',
        images: 'ghcr.io/octo/app',
        source: '1.4.2',
        tags: 'latest\n1',
        reason: '1.5.0 corrupts uploads',
        'verify-key': PUBLIC
      },
      verify: [
        'verify GET https://ghcr.io/v2/octo/app/manifests/sha256-<source digest>.sig',
        'verify GET https://ghcr.io/v2/octo/app/referrers/<source digest>'
      ],
      sign: [
        'withdraw PUT https://ghcr.io/v2/octo/app/manifests/<referrer digest> (only if a tag moved off a release)'
      ]
    },
    {
      name: 'promote keyless: verify-identity checks the source first, the copy signed keyless',
      inputs: {
        mode: 'promote',
        images: 'ghcr.io/octo/stable',
        source: 'ghcr.io/octo/app:rc',
        'verify-identity':
          'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1',
        'verify-trusted-root': 'trusted_root.json',
        sign: 'keyless'
      },
      verify: [
        'verify GET https://ghcr.io/v2/octo/app/manifests/sha256-<source digest>.sig',
        'verify GET https://ghcr.io/v2/octo/app/referrers/<source digest>'
      ],
      sign: [
        'referrers PUT https://ghcr.io/v2/octo/stable/manifests/<referrer digest> (only if the source has referrers)',
        'carry PUT https://ghcr.io/v2/octo/stable/manifests/sha256-<source digest>.{sig,att} (only if the source has signatures or attestations)',
        'sign PUT https://ghcr.io/v2/octo/stable/manifests/sha256-<digest>.sig'
      ]
    },
    {
      name: "promote naming github-attestations: verify-identity asks for the source's GitHub provenance, among its referrers only",
      inputs: {
        mode: 'promote',
        images: 'ghcr.io/octo/stable',
        source: 'ghcr.io/octo/app:rc',
        'github-attestations': 'provenance',
        'verify-identity':
          'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1',
        'verify-trusted-root': 'trusted_root.json'
      },
      verify: [
        'verify GET https://ghcr.io/v2/octo/app/referrers/<source digest>'
      ],
      sign: [
        'referrers PUT https://ghcr.io/v2/octo/stable/manifests/<referrer digest> (only if the source has referrers)',
        'carry PUT https://ghcr.io/v2/octo/stable/manifests/sha256-<source digest>.{sig,att} (only if the source has signatures or attestations)'
      ]
    }
  ])('$name', async ({ inputs, verify, sign }) => {
    const steps = await pipeline(inputs)
    const stage = shape(steps.stage)
    expect(stage.filter(line => line.startsWith('verify'))).toEqual(verify)
    expect(stage.slice(1, 1 + verify.length)).toEqual(verify)
    expect(shape(steps.sign)).toEqual(sign)
    // the sign phase comes after the read-back, only the cleanup after it
    const tail = [...steps.sign, ...steps.cleanup]
    expect(allSteps(steps).slice(-tail.length)).toEqual(tail)
  })
})

describe("pipelineFor: build-push-action's default provenance", () => {
  const RUN_URL = 'https://github.com/octo/app/actions/runs/123/attempts/1'
  const run = (privateRepository = false, noDefaultAttestations = false) => ({
    url: RUN_URL,
    privateRepository,
    noDefaultAttestations
  })

  async function attests(
    inputs: Record<string, string>,
    builder: Builder,
    workflowRun = run()
  ): Promise<string[]> {
    const { settings, publication } = await releaseRun({
      secrets: '',
      ...inputs
    })
    const steps = pipelineFor({
      settings,
      publication: { ...publication, workflowRun },
      builder,
      files: FILES,
      userConfig: USER_CONFIG
    })
    return steps.stage.flatMap(step =>
      'argv' in step
        ? step.argv.filter((_, i) => step.argv[i - 1] === '--attest')
        : []
    )
  }

  it.each<
    Row & {
      builder: Builder
      workflowRun?: ReturnType<typeof run>
      attest: string[]
    }
  >([
    {
      name: 'a public repository on docker-container: mode=max, naming the run',
      builder: CONTAINER,
      inputs: {},
      attest: [`type=provenance,mode=max,builder-id=${RUN_URL}`]
    },
    {
      name: 'a private repository: mode=min, inline only',
      builder: CONTAINER,
      inputs: {},
      workflowRun: run(true),
      attest: [
        `type=provenance,mode=min,inline-only=true,builder-id=${RUN_URL}`
      ]
    },
    {
      name: 'BUILDX_NO_DEFAULT_ATTESTATIONS: none',
      builder: CONTAINER,
      inputs: {},
      workflowRun: run(false, true),
      attest: []
    },
    {
      name: "buildx's docker driver: no flag, buildx's own default (none on the classic store)",
      builder: { ...DOCKER, store: 'classic' },
      inputs: {},
      attest: []
    },
    {
      name: "buildx's docker driver on containerd's store: buildx's own default asked for by name (it makes none for a layout)",
      builder: CONTAINERD,
      inputs: {},
      attest: [`type=provenance,mode=min,builder-id=${RUN_URL}`]
    },
    {
      name: 'attests type=sbom and provenance with the default: each once (no duplicate attestation field)',
      builder: CONTAINER,
      inputs: { attests: 'type=sbom\ntype=provenance,mode=min' },
      attest: ['type=sbom', `type=provenance,mode=min,builder-id=${RUN_URL}`]
    },
    {
      name: 'provenance: false on the docker driver: turned off',
      builder: DOCKER,
      inputs: { provenance: 'false' },
      attest: ['type=provenance,disabled=true']
    }
  ])('$name', async ({ inputs, builder, workflowRun, attest }) => {
    expect(await attests(inputs, builder, workflowRun)).toEqual(attest)
  })
})

describe('pipelineFor: the gate input', () => {
  const GATE = 'gate bash --noprofile --norc -eo pipefail -c'
  const TAIL = '(on the staged image: no tag moves unless exit 0)'
  it.each<Row & { line: string | undefined }>([
    { name: 'no gate: no gate step', inputs: {}, line: undefined },
    {
      name: 'build: after the stage, before the read',
      inputs: { gate: 'trivy image "$DPA_GATE_IMAGE"' },
      line: `${GATE} 'trivy image "$DPA_GATE_IMAGE"' ${TAIL}`
    },
    {
      name: 'promote: the same line',
      inputs: {
        mode: 'promote',
        images: 'ghcr.io/octo/stable',
        source: 'ghcr.io/octo/app:rc',
        gate: './scan.sh'
      },
      line: `${GATE} ./scan.sh ${TAIL}`
    }
  ])('$name', async ({ inputs, line }) => {
    const steps = await pipeline(inputs)
    const all = allSteps(steps).map(step => step.step)
    const gate = steps.gate.map(step => stepLine(step).replace(/ +/g, ' '))
    expect(gate).toEqual(line === undefined ? [] : [line])
    // right after the last stage step, before the read and any tag step
    const at = line === undefined ? -1 : steps.login.length + steps.stage.length
    expect(all.indexOf('gate')).toBe(at)
  })
})
