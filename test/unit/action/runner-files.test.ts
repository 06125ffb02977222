import { afterEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appendSummary, mask } from '../../../src/action/actions-log.js'
import { loadState, saveState } from '../../../src/action/state.js'
import { parseFileCommands } from '../../e2e/runner.js'

/** A fresh, empty runner file named by `envName`. */
function runnerFile(envName: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dpa-files-')), 'cmd')
  writeFileSync(file, '')
  process.env[envName] = file
  return file
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

describe("what the action leaves in the runner's files", () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
  })

  it.each([
    { name: 'plain', value: '1.2.3' },
    { name: 'multi-line', value: 'a:1\nb:2' },
    { name: 'json', value: '[{"ref":"r","digest":"sha256:1"}]' },
    { name: 'empty', value: '' }
  ])('an output reads back as the e2e runner parses it: $name', ({ value }) => {
    const file = runnerFile('GITHUB_OUTPUT')
    core.setOutput('out', value)
    expect(parseFileCommands(readFileSync(file, 'utf8'))).toEqual({
      out: value
    })
  })

  it('the state main saves is the state post loads', () => {
    const file = runnerFile('GITHUB_STATE')
    saveState({ tempDir: '/tmp/dpa-run' })
    // the runner hands main's state to post as STATE_<name>
    for (const [name, value] of Object.entries(
      parseFileCommands(readFileSync(file, 'utf8'))
    ))
      process.env[`STATE_${name}`] = value
    expect(loadState()).toEqual({ tempDir: '/tmp/dpa-run' })
  })

  it('post without saved state loads an empty one', () => {
    expect(loadState()).toEqual({ tempDir: '' })
  })

  it('the summary is appended to, never overwritten', () => {
    const file = runnerFile('GITHUB_STEP_SUMMARY')
    appendSummary('first\n')
    appendSummary('second\n')
    expect(readFileSync(file, 'utf8')).toBe('first\nsecond\n')
  })

  it('a summary file that cannot be written is a warning, never an error', () => {
    // a folder where the file should be: appendFileSync fails (EISDIR)
    process.env.GITHUB_STEP_SUMMARY = mkdtempSync(join(tmpdir(), 'dpa-files-'))
    let printed = ''
    expect(() => {
      printed = stdoutOf(() => appendSummary('text'))
    }).not.toThrow()
    expect(printed).toMatch(
      /^::warning::the job summary could not be written to .*EISDIR/m
    )
  })

  it('without a summary file there is no summary and no error', () => {
    process.env.GITHUB_STEP_SUMMARY = ''
    expect(() => appendSummary('text')).not.toThrow()
  })

  it.each([
    {
      name: 'a value is masked',
      secret: 's3cret',
      printed: '::add-mask::s3cret'
    },
    { name: 'an empty value is not', secret: '', printed: '' }
  ])('$name', ({ secret, printed }) => {
    expect(stdoutOf(() => mask(secret)).trim()).toBe(printed)
  })
})
