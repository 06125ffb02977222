/**
 * Untrusted text on its way to the Actions log (SECURITY.md). The runner
 * reads any stdout line whose first non-blank characters are `::` as a
 * workflow command (`::add-mask::`, `::stop-commands::`, …), and `##[` as
 * an old-style one. A line of buildx output or a value from the event
 * payload gets a zero-width space in front of them: the line reads the
 * same, and the runner reads no command in it.
 */

const ZERO_WIDTH_SPACE = '\u200b'
// a line's start (the runner also splits lines at a lone \r), blanks, then ::
const COMMAND_START = /(^|[\r\n])([^\S\r\n]*)::/g
const OLD_COMMAND = /##\[/g

/** The text with no line that the runner would read as a workflow command. */
export function escapeWorkflowCommands(text: string): string {
  return text
    .replace(COMMAND_START, `$1$2${ZERO_WIDTH_SPACE}::`)
    .replace(OLD_COMMAND, `##${ZERO_WIDTH_SPACE}[`)
}

/**
 * A writer that escapes a stream line by line: a command split across two
 * chunks is still seen whole. Ends with `end()`, which writes what is left.
 */
export function escapingWriter(out: NodeJS.WritableStream): {
  write(text: string): void
  end(): void
} {
  let pending = ''
  return {
    write(text) {
      pending += text
      const cut = Math.max(pending.lastIndexOf('\n'), pending.lastIndexOf('\r'))
      if (cut === -1) return
      out.write(escapeWorkflowCommands(pending.slice(0, cut + 1)))
      pending = pending.slice(cut + 1)
    },
    end() {
      if (pending !== '') out.write(escapeWorkflowCommands(pending))
      pending = ''
    }
  }
}
