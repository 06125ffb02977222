import { beforeAll, describe, expect, it } from '@jest/globals'
import { publishedTags, readManifest } from './registry-api.js'
import { runMain, runPost } from './runner.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'
import { runnerEnv, uniqueRepo } from './steps.js'

// The before/after workflows of docs/migration.md: the three peers' `with:` blocks
// merged into one, with their exact keys, run against the real stack.

let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

async function step(inputs: Record<string, string>, event = 'push-tag') {
  const env = runnerEnv(event as 'push-tag')
  const main = await runMain(inputs, env)
  await runPost(main, env)
  return main
}

describe('migrating from metadata-action + login-action + build-push-action', () => {
  it('tags from git: metadata-action rules, login-action credentials, build-push-action build keys', async () => {
    const { a } = stack
    const repo = uniqueRepo('migrate-git')
    const main = await step({
      // docker/metadata-action
      images: `${a.host}/${repo}`,
      tags: [
        'type=ref,event=branch',
        'type=semver,pattern={{version}}',
        'type=semver,pattern={{major}}.{{minor}}'
      ].join('\n'),
      // docker/login-action
      registry: a.host,
      username: a.username,
      password: a.password,
      // docker/build-push-action
      context: 'test/fixtures/contexts/hello',
      push: 'true',
      labels: 'org.opencontainers.image.vendor=Acme'
    })
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    // metadata-action's latest=auto: a semver tag push also gets latest
    expect(await publishedTags(a, repo)).toEqual(['1.2', '1.2.3', 'latest'])
    expect(main.outputs.tags.split('\n')).toEqual([
      `${a.host}/${repo}:1.2.3`,
      `${a.host}/${repo}:1.2`,
      `${a.host}/${repo}:latest`
    ])
    expect(main.outputs.labels).toContain(
      'org.opencontainers.image.vendor=Acme'
    )
    expect(main.outputs.digest).toBe(
      (await readManifest(a, repo, '1.2.3')).digest
    )
  })

  it('two registries: login-action registry-auth, build-push-action full tag references', async () => {
    const { a, b } = stack
    const repo = uniqueRepo('migrate-multi')
    const main = await step({
      // docker/login-action
      'registry-auth': [a, b]
        .map(
          r =>
            `- registry: ${r.host}\n  username: ${r.username}\n  password: ${r.password}`
        )
        .join('\n'),
      // docker/build-push-action: tags as full references, published as given
      context: 'test/fixtures/contexts/hello',
      push: 'true',
      tags: [
        `${a.host}/${repo}:2.0`,
        `${a.host}/${repo}:stable`,
        `${b.host}/${repo}:2.0`,
        `${b.host}/${repo}:stable`
      ].join('\n')
    })
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    for (const registry of [a, b])
      expect(await publishedTags(registry, repo)).toEqual(['2.0', 'stable'])
    expect((await readManifest(b, repo, 'stable')).digest).toBe(
      (await readManifest(a, repo, '2.0')).digest
    )
  })

  it('a full reference beside images is published as given, never mangled', async () => {
    const { a } = stack
    const repo = uniqueRepo('migrate-ref')
    const main = await step({
      images: `${a.host}/${repo}`,
      tags: `${a.host}/${repo}:1.2.3`,
      username: a.username,
      password: a.password,
      context: 'test/fixtures/contexts/hello'
    })
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['1.2.3'])
  })
})

describe("build-push-action's smaller forms", () => {
  it('tags as comma-separated references, and DOCKER_BUILD_SUMMARY=false', async () => {
    const { a } = stack
    const repo = uniqueRepo('migrate-csv')
    const env = runnerEnv('push-tag', { DOCKER_BUILD_SUMMARY: 'false' })
    const main = await runMain(
      {
        ...{ username: a.username, password: a.password },
        context: 'test/fixtures/contexts/hello',
        tags: `${a.host}/${repo}:2.0,${a.host}/${repo}:stable`
      },
      env
    )
    await runPost(main, env)
    expect(main.stdout).not.toMatch(/::error::/)
    expect(main.code).toBe(0)
    expect(await publishedTags(a, repo)).toEqual(['2.0', 'stable'])
    // the job summary is build-push-action's report: turned off
    expect(main.summary).toBe('')
  })
})
