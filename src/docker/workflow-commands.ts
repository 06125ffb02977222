/**
 * Untrusted text on its way to the Actions log (SECURITY.md): no line may be a workflow command.
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
 * buildx on containerd's store logs a write that waited for a parallel one as `ERROR: …locked…`,
 * then succeeds.
 */
const RETRIED_WRITE =
  /^ERROR: (\(\*service\)\.Write) failed: rpc error: code = Unavailable desc = (ref \S+ locked for \S+) \(since [^)]*\): unavailable$/gm

/** Those lines said as retries: on a green run no line may say ERROR. */
export function relabelRetried(text: string): string {
  return text.replace(
    RETRIED_WRITE,
    'buildx (retried, not an error): $1 waited: $2 by a parallel write of the same blob'
  )
}

/**
 * Escapes a stream by whole lines (a command split across chunks is seen whole), each after
 * `prefix`.
 */
export function escapingWriter(out: NodeJS.WritableStream, prefix = '') {
  let pending = ''
  // each line with `prefix` in front (none in front of an empty rest)
  const shown = (text: string) =>
    escapeWorkflowCommands(relabelRetried(text)).replace(
      /(^|[\r\n])(?=[^\r\n])/g,
      `$1${prefix}`
    )
  return {
    write(text: string) {
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
