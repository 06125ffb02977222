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
 * buildx >= 0.2x on containerd's image store logs a write that waited for
 * another writer of the same blob (two platforms exporting one layer) as
 * `ERROR: (*service).Write failed: … locked for 3ms …: unavailable`, then
 * retries it and succeeds. On a green run no line may say ERROR: it is
 * shown as what it is.
 */
const RETRIED_WRITE =
  /^ERROR: (\(\*service\)\.Write) failed: rpc error: code = Unavailable desc = (ref \S+ locked for \S+) \(since [^)]*\): unavailable$/gm

/** buildx's lines that say ERROR of what it retried, said as such. */
export function relabelRetried(text: string): string {
  return text.replace(
    RETRIED_WRITE,
    'buildx (retried, not an error): $1 waited: $2 by a parallel write of the same blob'
  )
}

/** Each line of `text` with `prefix` in front (none in front of an empty rest). */
function prefixLines(text: string, prefix: string): string {
  return prefix === ''
    ? text
    : text.replace(/(^|[\r\n])(?=[^\r\n])/g, `$1${prefix}`)
}

/**
 * A writer that escapes a stream line by line: a command split across two
 * chunks is still seen whole. It writes whole lines only, each after
 * `prefix` (whose output it is, when builds run side by side). Ends with
 * `end()`, which writes what is left.
 */
export function escapingWriter(
  out: NodeJS.WritableStream,
  prefix = ''
): {
  write(text: string): void
  end(): void
} {
  let pending = ''
  const shown = (text: string) =>
    prefixLines(escapeWorkflowCommands(relabelRetried(text)), prefix)
  return {
    write(text) {
      pending += text
      const cut = Math.max(pending.lastIndexOf('\n'), pending.lastIndexOf('\r'))
      if (cut === -1) return
      out.write(shown(pending.slice(0, cut + 1)))
      pending = pending.slice(cut + 1)
    },
    end() {
      if (pending !== '') out.write(shown(pending))
      pending = ''
    }
  }
}
