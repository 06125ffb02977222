import { describe, expect, it } from '@jest/globals'
import { PassThrough } from 'node:stream'
import { runProcess } from '../../../src/docker/process.js'
import {
  escapeWorkflowCommands,
  escapingWriter,
  relabelRetried
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

  it.each([
    {
      name: 'each line after the prefix, a line split across chunks once',
      chunks: ['#5 [1/2] FROM\n#5 DO', 'NE 0.1s\n::warning::x\n', 'tail'],
      shown:
        '[linux/arm64] #5 [1/2] FROM\n[linux/arm64] #5 DONE 0.1s\n[linux/arm64] ::warning::x\n[linux/arm64] tail'
    },
    {
      name: "buildx's carriage-return lines each after the prefix",
      chunks: ['a\rb\n'],
      shown: '[linux/arm64] a\r[linux/arm64] b\n'
    }
  ])('a prefixed writer: $name', ({ chunks, shown }) => {
    const out = new PassThrough()
    const writer = escapingWriter(out, '[linux/arm64] ')
    for (const chunk of chunks) writer.write(chunk)
    writer.end()
    const written = String(out.read())
    expect(written.replace(/\u200b/g, '')).toBe(shown)
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

describe("relabelRetried: buildx's retried writes are not errors", () => {
  // buildx 0.29 on the containerd store, a two-platform export that succeeded
  const LOCKED =
    'ERROR: (*service).Write failed: rpc error: code = Unavailable desc = ref layer-sha256:b7f1b87e081292807a6863763edc93e97a66c0d6d2edfa44ba8014462770284c locked for 3.08801ms (since 2026-11-24 22:58:14.098814239 +0000 UTC m=+0.277969340): unavailable'

  it.each([
    {
      name: 'a write that waited for the same blob',
      text: `#12 exporting layers\n${LOCKED}\n#12 DONE 0.3s\n`,
      shown:
        '#12 exporting layers\nbuildx (retried, not an error): (*service).Write waited: ref layer-sha256:b7f1b87e081292807a6863763edc93e97a66c0d6d2edfa44ba8014462770284c locked for 3.08801ms by a parallel write of the same blob\n#12 DONE 0.3s\n'
    },
    {
      name: 'an error of another kind stays an error',
      text: 'ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1\n',
      shown:
        'ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1\n'
    }
  ])('$name', ({ text, shown }) => {
    expect(relabelRetried(text)).toBe(shown)
  })

  it("a process's retried writes reach the log without ERROR; what is kept stays as it was", async () => {
    const out = new PassThrough()
    const result = await runProcess(
      'sh',
      ['-c', `printf '%s\\n' '${LOCKED}' >&2`],
      {
        env: process.env,
        out
      }
    )
    // after the [command] line: what the process printed
    const shown = String(out.read()).split('\n').slice(1).join('\n')
    expect(shown).not.toMatch(/ERROR/)
    expect(shown).toContain('buildx (retried, not an error)')
    expect(result.stderr).toBe(`${LOCKED}\n`)
  })
})
