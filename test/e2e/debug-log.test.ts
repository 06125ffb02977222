import { beforeAll, describe, expect, it } from '@jest/globals'
import { runMain } from './runner.js'
import { credentials, runnerEnv, uniqueRepo } from './steps.js'
import { stackEnv, type StackEnv } from '../support/stack-env.js'

const HELLO = 'test/fixtures/contexts/hello'
let stack: StackEnv

beforeAll(() => {
  stack = stackEnv()
})

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('step debug logging (RUNNER_DEBUG=1)', () => {
  it('shows settings, node, docker and buildx versions, builder and each registry request, never the password', async () => {
    const { a } = stack
    const repo = uniqueRepo('debug')
    const main = await runMain(
      { images: `${a.host}/${repo}`, ...credentials(a), context: HELLO },
      runnerEnv('push-tag', { RUNNER_DEBUG: '1' })
    )
    expect(main.code).toBe(0)
    const lines = main.stdout.split('\n')
    const debug = lines.filter(line => line.startsWith('::debug::'))
    const settings = debug.find(line => line.startsWith('::debug::settings: '))
    expect(settings).toContain(`"username":"${a.username}"`)
    expect(settings).toContain('"password":"***"')
    // the node the runner runs a `using: node24` action on
    expect(debug).toContainEqual(
      expect.stringMatching(/^::debug::node v24\.\d+\.\d+$/)
    )
    expect(debug).toContainEqual(
      expect.stringMatching(
        /^::debug::docker version --format \{\{\.Client\.Version\}\} \{\{\.Server\.Version\}\}: \d+\.\d+\S* \d+\.\d+\S*$/
      )
    )
    expect(debug).toContainEqual(
      expect.stringMatching(
        /^::debug::docker buildx version: \S*buildx v?\d+\.\d+/
      )
    )
    expect(debug).toContainEqual(
      expect.stringMatching(/^::debug::builder: \{"name":"[^"]+","driver":/)
    )
    expect(debug).toContainEqual(
      expect.stringMatching(
        new RegExp(`^::debug::GET http://${escape(a.host)}/v2/\\S+ 200$`)
      )
    )
    // ::add-mask:: hands the password to the runner to hide; no other line has it
    const shown = [
      ...lines.filter(line => !line.startsWith('::add-mask::')),
      ...main.stderr.split('\n'),
      main.summary,
      ...Object.values(main.outputs)
    ]
    expect(shown.filter(line => line.includes(a.password))).toEqual([])
  })

  it('runs no version command without it (a dry run)', async () => {
    const main = await runMain(
      {
        images: 'ghcr.io/o/app',
        'dry-run': 'true',
        context: 'test/fixtures/contexts/hello'
      },
      runnerEnv('push-tag')
    )
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('::debug::settings: ')
    expect(main.stdout).not.toContain('::debug::docker ')
  })
})
