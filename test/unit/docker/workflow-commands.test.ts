import { describe, expect, it } from '@jest/globals'
import { PassThrough } from 'node:stream'
import { runProcess } from '../../../src/docker/process.js'
import {
  escapeWorkflowCommands,
  escapingWriter
} from '../../../src/docker/workflow-commands.js'

// SECURITY.md: no line of buildx output or of a payload value may be read by
// the runner as a workflow command (it reads a line whose first non-blank
// characters are ::, and ##[ anywhere).

/** Whether the runner would read a command in this text. */
const hasCommand = (text: string): boolean =>
  text.split(/\r\n|\r|\n/).some(line => /^\s*::|##\[/.test(line))

describe('escapeWorkflowCommands', () => {
  it.each([
    { name: 'a command line', text: '::add-mask::x' },
    { name: 'after a line break', text: 'title\n::set-output name=a::b' },
    { name: 'after a lone carriage return', text: 'a\r::error::b' },
    { name: 'after blanks', text: 'a\n   \t::warning::b' },
    { name: 'stop-commands', text: '::stop-commands::t\n::error::x' },
    { name: 'an old-style command', text: 'x ##[error]y' }
  ])('$name', ({ text }) => {
    expect(hasCommand(text)).toBe(true)
    expect(hasCommand(escapeWorkflowCommands(text))).toBe(false)
  })

  it('leaves ordinary lines as they are', () => {
    const text = '#5 [2/3] RUN make\n#5 0.1 a::b c\nTAG: ghcr.io/o/app:1'
    expect(escapeWorkflowCommands(text)).toBe(text)
  })

  it('a writer sees a command split across two chunks', () => {
    const out = new PassThrough()
    const writer = escapingWriter(out)
    for (const chunk of ['step 1\n:', ':set-output name=a::b\nda', 'ta'])
      writer.write(chunk)
    writer.end()
    const written = String(out.read())
    expect(written.replace(/\u200b/g, '')).toBe(
      'step 1\n::set-output name=a::b\ndata'
    )
    expect(hasCommand(written)).toBe(false)
  })

  it("a process's output reaches the log with no command in it", async () => {
    const out = new PassThrough()
    const result = await runProcess(
      'sh',
      [
        '-c',
        "printf 'building\\n::add-mask::x\\n'; printf '##[error]y\\n' >&2"
      ],
      { env: process.env, out }
    )
    const shown = String(out.read())
    expect(shown).toContain('building')
    expect(hasCommand(shown)).toBe(false)
    // what the runner keeps for diagnosis is the output as it was
    expect(result.stdout).toBe('building\n::add-mask::x\n')
  })
})
