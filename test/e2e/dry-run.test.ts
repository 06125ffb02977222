import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { loadEvent, type EventName } from '../fixtures/events.js'
import { ROOT, runMain } from './runner.js'
import { localCheckout } from './steps.js'

const IMAGE = 'ghcr.io/acme/webapp'
/** A build context with a Dockerfile: the repository root has none, and a dry run checks it. */
const HELLO = 'test/fixtures/contexts/hello'

describe('dry run of dist/index.js for each event', () => {
  it.each<{ name: string; event: EventName; tags: string[] }>([
    {
      name: 'push to the default branch',
      event: 'push-default-branch',
      tags: ['latest']
    },
    {
      name: 'push to master where master is the default',
      event: 'push-master-default',
      tags: ['latest']
    },
    { name: 'push to a branch', event: 'push-branch', tags: ['tickets-DM-42'] },
    { name: 'version tag', event: 'push-tag', tags: ['1.2.3', '1.2', '1'] },
    {
      name: 'pre-release tag',
      event: 'push-tag-prerelease',
      tags: ['2.0.0-rc.1']
    },
    {
      name: 'tag that is not a version',
      event: 'push-tag-nonversion',
      tags: ['deploy-2024-11']
    },
    { name: 'pull request', event: 'pull-request', tags: ['pr-42'] },
    {
      name: 'pull request target',
      event: 'pull-request-target',
      tags: ['pr-42']
    },
    {
      name: 'release published',
      event: 'release',
      tags: ['1.2.3', '1.2', '1']
    },
    { name: 'schedule', event: 'schedule', tags: ['nightly'] },
    {
      name: 'manual dispatch on main',
      event: 'workflow-dispatch',
      tags: ['latest']
    },
    { name: 'tag created', event: 'create-tag', tags: ['1.2.3', '1.2', '1'] }
  ])('$name', async ({ event, tags }) => {
    const { env } = loadEvent(event)
    const step = await runMain(
      { images: IMAGE, 'dry-run': 'true', context: HELLO },
      env
    )
    expect(step.code).toBe(0)
    expect(step.outputs['tag-names'].split('\n')).toEqual(tags)
    expect(step.outputs.tags.split('\n')).toEqual(
      tags.map(t => `${IMAGE}:${t}`)
    )
    expect(step.summary).toContain('Dry run: nothing was published')
    expect(step.stdout).toContain('docker buildx build')
  })

  it('sets every output, with labels from the payload', async () => {
    const { env } = loadEvent('push-tag')
    const step = await runMain(
      {
        images: IMAGE,
        'dry-run': 'true',
        context: HELLO,
        labels: 'org.opencontainers.image.title=Shop'
      },
      { ...env, SOURCE_DATE_EPOCH: '1700000000' }
    )
    expect(Object.keys(step.outputs).sort()).toEqual(
      [
        'annotations',
        'attestations',
        'bake-file',
        'bake-file-annotations',
        'bake-file-labels',
        'bake-file-tags',
        'digest',
        'gate',
        'imageid',
        'json',
        'labels',
        'metadata',
        'plan',
        'pushed',
        'skipped',
        'tag-names',
        'tags',
        'verify',
        'version'
      ].sort()
    )
    // no gate input: the run had none to pass
    expect(step.outputs.gate).toBe('none')
    expect(step.outputs.version).toBe('1.2.3')
    expect(step.outputs.labels.split('\n')).toEqual(
      expect.arrayContaining([
        'org.opencontainers.image.created=2023-11-14T22:13:20.000Z',
        `org.opencontainers.image.revision=${env.GITHUB_SHA}`,
        'org.opencontainers.image.source=https://github.com/acme/webapp',
        'org.opencontainers.image.title=Shop',
        'org.opencontainers.image.version=1.2.3'
      ])
    )
    const json = JSON.parse(step.outputs.json) as { tags: string[] }
    expect(json.tags).toEqual(step.outputs.tags.split('\n'))
  })

  it('follows metadata-action rules and flavor', async () => {
    const { env } = loadEvent('push-tag')
    const step = await runMain(
      {
        images: `${IMAGE}\n127.0.0.1:5001/acme/webapp`,
        'dry-run': 'true',
        context: HELLO,
        tags: 'type=semver,pattern={{major}}.{{minor}}\ntype=sha',
        flavor: 'suffix=-debug'
      },
      env
    )
    expect(step.code).toBe(0)
    expect(step.outputs['tag-names'].split('\n')).toEqual([
      '1.2-debug',
      `sha-${env.GITHUB_SHA.slice(0, 7)}-debug`,
      // latest=auto: a stable semver rule adds latest; the suffix skips it without onlatest=true
      'latest'
    ])
    expect(step.outputs.tags.split('\n')).toHaveLength(6)
  })

  it.each([
    {
      name: 'unknown rule type',
      inputs: { tags: 'type=semvar,pattern={{version}}' },
      error: /input "tags".*type=semvar/
    },
    {
      name: 'bad flavor',
      inputs: { flavor: 'latest=sometimes' },
      error: /input "flavor".*latest=sometimes/
    },
    {
      name: 'bad image name',
      inputs: { images: 'ghcr.io/Acme//x' },
      error: /input "images".*ghcr.io\/Acme\/\/x/
    },
    {
      name: 'bad boolean',
      inputs: { 'dry-run': 'yes' },
      error: /input "dry-run": invalid value "yes": expected true or false/
    }
  ])(
    'fails on $name with one line naming the input',
    async ({ inputs, error }) => {
      const { env } = loadEvent('push-tag')
      const step = await runMain(
        { images: IMAGE, 'dry-run': 'true', context: HELLO, ...inputs },
        env
      )
      expect(step.code).toBe(1)
      const errors = step.stdout
        .split('\n')
        .filter(l => l.startsWith('::error::'))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(error)
      expect(step.stdout).not.toContain('docker buildx build')
    }
  )
})

describe('CLI dry run on a local checkout', () => {
  const cli = (cwd: string, ...args: string[]) =>
    execFileSync(process.execPath, [join(ROOT, 'dist/cli/index.js'), ...args], {
      cwd,
      encoding: 'utf8'
    })

  it('plans the branch, then the tag at HEAD', () => {
    const dir = localCheckout('https://github.com/acme/webapp.git')
    execFileSync('git', ['-C', dir, 'checkout', '-qb', 'tickets/DM-42'])
    expect(cli(dir, '--dry-run', '--images', 'ghcr.io/acme/webapp')).toContain(
      'ghcr.io/acme/webapp:tickets-DM-42'
    )
    execFileSync('git', ['-C', dir, 'tag', 'v2.1.0'])
    const publication = cli(dir, '--dry-run', '--images', 'ghcr.io/acme/webapp')
    expect(publication).toMatch(
      /References:\n\s+ghcr.io\/acme\/webapp:2.1.0\n\s+ghcr.io\/acme\/webapp:2.1\n\s+ghcr.io\/acme\/webapp:2\n/
    )
    expect(publication).toContain(
      'org.opencontainers.image.source=https://github.com/acme/webapp'
    )
  })
})
