import { afterEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as toolkit from '../../../src/action/toolkit.js'
import { parseFileCommands } from '../../e2e/runner.js'

type Writer = (name: string, value: string) => void

function writeWith(
  envName: string,
  write: Writer,
  name: string,
  value: string
) {
  const file = join(mkdtempSync(join(tmpdir(), 'dpa-kit-')), 'cmd')
  writeFileSync(file, '')
  process.env[envName] = file
  write(name, value)
  return parseFileCommands(readFileSync(file, 'utf8'))
}

function stdoutOf(work: () => void): string {
  let text = ''
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      text += chunk.toString()
      return true
    })
  try {
    work()
  } finally {
    spy.mockRestore()
  }
  return text
}

const values = [
  { name: 'plain', value: '1.2.3' },
  { name: 'multi-line', value: 'a:1\nb:2' },
  { name: 'json', value: '[{"ref":"r","digest":"sha256:1"}]' },
  { name: 'empty', value: '' }
]

describe('toolkit matches @actions/core', () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
  })

  it.each(values)('setOutput writes what core writes: $name', ({ value }) => {
    expect(writeWith('GITHUB_OUTPUT', toolkit.setOutput, 'out', value)).toEqual(
      writeWith('GITHUB_OUTPUT', core.setOutput, 'out', value)
    )
  })

  it.each(values)(
    'exportVariable writes what core writes: $name',
    ({ value }) => {
      expect(
        writeWith('GITHUB_ENV', toolkit.exportVariable, 'DPA_VAR', value)
      ).toEqual(writeWith('GITHUB_ENV', core.exportVariable, 'DPA_VAR', value))
      expect(process.env.DPA_VAR).toBe(value)
    }
  )

  it.each(values)('saveState writes what core writes: $name', ({ value }) => {
    expect(writeWith('GITHUB_STATE', toolkit.saveState, 's', value)).toEqual(
      writeWith('GITHUB_STATE', core.saveState, 's', value)
    )
  })

  it.each([
    {
      name: 'spaces in the name',
      input: 'my input',
      env: 'INPUT_MY_INPUT',
      value: 'x'
    },
    {
      name: 'dashes kept',
      input: 'dry-run',
      env: 'INPUT_DRY-RUN',
      value: ' true '
    },
    { name: 'unset', input: 'tags', env: 'INPUT_OTHER', value: 'x' }
  ])('getInput reads what core reads: $name', ({ input, env, value }) => {
    process.env[env] = value
    expect(toolkit.getInput(input)).toBe(core.getInput(input))
  })

  it.each([
    { name: 'warning', ours: toolkit.warning, theirs: core.warning },
    { name: 'notice', ours: toolkit.notice, theirs: core.notice },
    { name: 'error', ours: toolkit.error, theirs: core.error },
    { name: 'setSecret', ours: toolkit.setSecret, theirs: core.setSecret }
  ])('$name prints what core prints', ({ ours, theirs }) => {
    const message = 'line 1\nline 2 100%\r'
    expect(stdoutOf(() => ours(message))).toBe(stdoutOf(() => theirs(message)))
  })

  it('getState reads the STATE_ variable the runner sets for post', () => {
    process.env.STATE_key = '{"a":1}'
    expect(toolkit.getState('key')).toBe(core.getState('key'))
  })
})
