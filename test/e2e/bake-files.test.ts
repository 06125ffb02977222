/**
 * metadata-action's bake-file outputs, read by the real `docker buildx bake`:
 * a bake file of the user's own whose target inherits the one the action
 * defines gets the action's tags, labels, annotations and args.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runMain } from './runner.js'
import { runnerEnv } from './steps.js'
import { runDocker } from '../support/docker-cli.js'

jest.setTimeout(60_000)

interface PrintedTarget {
  tags: string[]
  labels: Record<string, string>
  annotations: string[]
  args: Record<string, string>
}

/** What bake resolves for target `build` from these files (`--print`: nothing is built). */
async function bakePrint(
  files: string[],
  dir: string,
  target: string
): Promise<PrintedTarget> {
  const own = join(dir, 'docker-bake.json')
  writeFileSync(
    own,
    JSON.stringify({
      target: { build: { inherits: [target] } }
    })
  )
  const args = [...files, own].flatMap(file => ['-f', file])
  const printed = await runDocker([
    'buildx',
    'bake',
    ...args,
    '--print',
    'build'
  ])
  expect(printed.stderr).not.toMatch(/ERROR/)
  expect(printed.code).toBe(0)
  const parsed = JSON.parse(printed.stdout) as {
    target: Record<string, PrintedTarget>
  }
  return parsed.target.build
}

describe("metadata-action's bake-file outputs", () => {
  it.each([
    { name: 'default target', bakeTarget: '' },
    { name: 'bake-target: meta', bakeTarget: 'meta' }
  ])('docker buildx bake reads them ($name)', async ({ bakeTarget }) => {
    const target = bakeTarget || 'docker-metadata-action'
    const main = await runMain(
      {
        'dry-run': 'true',
        images: 'ghcr.io/acme/webapp',
        tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}',
        'bake-target': bakeTarget,
        context: 'test/fixtures/contexts/hello'
      },
      runnerEnv('push-tag')
    )
    expect(main.stderr).toBe('')
    expect(main.code).toBe(0)
    const { outputs } = main
    expect(main.stdout).toContain(
      `::set-env name=DOCKER_METADATA_OUTPUT_BAKE_FILE_TAGS::${outputs['bake-file-tags']}`
    )
    const printed = await bakePrint(
      [
        outputs['bake-file-tags'],
        outputs['bake-file-labels'],
        outputs['bake-file-annotations']
      ],
      main.dir,
      target
    )
    expect(printed.tags).toEqual(outputs.tags.split('\n'))
    expect(printed.tags).toContain('ghcr.io/acme/webapp:1.2.3')
    expect(printed.args).toEqual({
      DOCKER_META_IMAGES: 'ghcr.io/acme/webapp',
      DOCKER_META_VERSION: '1.2.3'
    })
    expect(Object.entries(printed.labels).map(([k, v]) => `${k}=${v}`)).toEqual(
      outputs.labels.split('\n')
    )
    expect(printed.annotations).toEqual(outputs.annotations.split('\n'))
    const combined = await bakePrint([outputs['bake-file']], main.dir, target)
    expect(combined.tags).toEqual(printed.tags)
    expect(combined.labels).toEqual(printed.labels)
  })
})
