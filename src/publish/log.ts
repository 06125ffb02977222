import type { Annotation } from '../buildx/check-result.js'

/** Where the engine's adapters report progress: the Actions log, or a terminal. */
export interface Log {
  info(message: string): void
  notice(message: string): void
  /** A warning; with `where`, an annotation on a file and line (build checks). */
  warning(message: string, where?: Annotation): void
  group<T>(name: string, work: () => Promise<T>): Promise<T>
  /** Keeps a secret found at run time (a credential helper's) out of every later line. */
  mask: (secret: string) => void
  /** Diagnostics for when the user asks for them (step debug logging, DPA_DEBUG=1). */
  debug?: (message: string) => void
}
