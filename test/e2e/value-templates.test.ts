import { beforeAll, describe, expect, it } from '@jest/globals'
import { SHAS } from '../fixtures/events.js'
import { imageLabels, publishedTags, readJson } from './registry-api.js'
import { runMain } from './runner.js'
import { runHello, RELEASE_TAGS } from './releases.js'
import { runnerEnv, uniqueRepo } from './steps.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'

// README "Templates in build-args, labels and annotations": the version
// reaches the build in the same step; read back from the registry.

/** ARG VERSION and FORMAT, written into the image's labels by the Dockerfile. */
const BUILD_ARGS = 'test/fixtures/contexts/build-args'
const SHORT_SHA = SHAS.release.slice(0, 7)
let stack: StackEnv

/** The log without its debug lines (the settings line quotes the inputs as given). */
const shown = (stdout: string): string =>
  stdout
    .split('\n')
    .filter(line => !line.startsWith('::debug::'))
    .join('\n')

beforeAll(() => {
  stack = stackEnv()
})

describe('templates in build-args, labels and annotations', () => {
  it('a v1.2.3 release: the build gets VERSION=1.2.3, the labels the commit, the index the version', async () => {
    const repo = uniqueRepo('value-templates')
    const { a } = stack
    const main = await runHello(a, repo, {
      context: BUILD_ARGS,
      platforms: 'linux/amd64,linux/arm64',
      'build-args': 'VERSION={{version}}\nFORMAT=\\{{.Name}}',
      labels: 'com.example.commit={{sha}}\ncom.example.image={{tags}}',
      annotations: 'index:com.example.release=v{{version}}'
    })
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(RELEASE_TAGS)
    expect(await imageLabels(a, repo, '1.2.3')).toMatchObject({
      'com.example.build.version': '1.2.3',
      // \{{ is a literal {{
      'com.example.build.format': '{{.Name}}',
      'com.example.commit': SHORT_SHA,
      'com.example.image': `${a.host}/${repo}:1.2.3`
    })
    const index = await readJson<{ annotations?: Record<string, string> }>(
      a,
      repo,
      'manifests/1.2.3'
    )
    expect(index.annotations?.['com.example.release']).toBe('v1.2.3')
    expect(main.stdout).toContain('--build-arg VERSION=1.2.3')
    expect(shown(main.stdout)).not.toContain('{{version}}')
  })
})

describe('the dry run shows the expanded values', () => {
  const IMAGE = 'ghcr.io/acme/webapp'

  it('in the plan, the plan output and the labels output', async () => {
    const step = await runMain(
      {
        images: IMAGE,
        'dry-run': 'true',
        context: BUILD_ARGS,
        'build-args': "VERSION={{version}}\nBUILT={{date 'YYYY'}}",
        labels: 'com.example.commit={{sha}}',
        annotations: 'com.example.version={{version}}'
      },
      runnerEnv('push-tag', { SOURCE_DATE_EPOCH: '1700000000' })
    )
    expect(step.code).toBe(0)
    expect(step.stdout).toContain('--build-arg VERSION=1.2.3')
    expect(step.stdout).toContain('--build-arg BUILT=2023')
    expect(step.stdout).toContain(`--label com.example.commit=${SHORT_SHA}`)
    expect(step.outputs.plan).toContain('VERSION=1.2.3')
    expect(step.outputs.labels.split('\n')).toContain(
      `com.example.commit=${SHORT_SHA}`
    )
    expect(step.outputs.annotations.split('\n')).toContain(
      'manifest:com.example.version=1.2.3'
    )
    expect(shown(step.stdout) + step.outputs.plan).not.toContain('{{')
  })

  it("a pull request's head branch reaches a build-arg, not the version label", async () => {
    const inputs = {
      images: IMAGE,
      'dry-run': 'true',
      context: BUILD_ARGS,
      'build-args': 'BRANCH={{branch}}'
    }
    const plan = await runMain(inputs, runnerEnv('pull-request'))
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain('--build-arg BRANCH=feature/login')
    const refused = await runMain(
      { ...inputs, labels: 'org.opencontainers.image.version={{branch}}' },
      runnerEnv('pull-request')
    )
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain(
      `::error::input "labels": invalid value "org.opencontainers.image.version={{branch}}": on this pull_request event {{branch}} is the pull request author's choice, and it may not set org.opencontainers.image.version`
    )
    expect(refused.stdout).not.toContain('docker buildx build')
  })
})
