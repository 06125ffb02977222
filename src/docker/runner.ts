import { formatCommand } from '../argv/format.js'
import { seconds } from '../settings/bounds.js'
import {
  findExecutable,
  runProcess,
  type ProcessOptions,
  type StallWatch
} from './process.js'

/** Passwords travel on `input`; without `stall` a command is never stopped for silence. */
export type RunOptions = Omit<ProcessOptions, 'env' | 'cwd' | 'out'>

export interface CommandOutput {
  stdout: string
  stderr: string
}

/** The one way this action starts a process: `docker <args>`. */
export interface DockerRunner {
  run(args: string[], options?: RunOptions): Promise<CommandOutput>
  /** buildx's plugin executable, where `buildx …` runs it directly. */
  buildxPlugin?: string
}

/** The last lines of a command's output, as its errors quote it. */
export const outputTail = (output: string): string =>
  output.trim().split('\n').slice(-15).join('\n')

/** spawn's failures for a file that is there but cannot run, or is gone. */
const CANNOT_START = new Set(['ENOENT', 'EACCES', 'ENOEXEC', 'EPERM'])

/** A docker command that exited non-zero: the command as run, its code and what it said last. */
export class DockerCommandError extends Error {
  constructor(
    args: string[],
    exitCode: number,
    readonly output: string,
    /** What it printed on stdout alone (a `--call` answer comes there). */
    readonly stdout = ''
  ) {
    const tail = outputTail(output)
    super(
      `docker ${formatCommand(args)} failed with exit code ${exitCode}${tail ? `:\n${tail}` : ''}`
    )
    this.name = 'DockerCommandError'
  }
}

/** A docker command the stall watch stopped: it printed nothing new for `silentMs`. */
export class DockerStalledError extends Error {
  constructor(
    args: string[],
    readonly silentMs: number,
    readonly output: string,
    /** The watch that stopped it: what the run does now, and what it tells. */
    readonly watch?: StallWatch
  ) {
    super(
      `docker ${formatCommand(args)} printed nothing new for ${seconds(silentMs)} and was stopped`
    )
    this.name = 'DockerStalledError'
  }
}

export class DockerMissingError extends Error {
  constructor() {
    super(
      'the docker CLI was not found on PATH: install Docker (or use a runner that has it)'
    )
    this.name = 'DockerMissingError'
  }
}

/**
 * Judges by exit code alone; `env` is added to `base`. Output follows a
 * `[command]` line, as @actions/exec's, so the runner masks it alike.
 */
export function createDockerRunner(
  binary = 'docker',
  env: Record<string, string> = {},
  /** buildx's plugin executable: `buildx …` runs it directly (buildx's standalone mode). */
  buildxPlugin?: string,
  /** The environment `env` is added to (the adapter's). */
  base: NodeJS.ProcessEnv = process.env
): DockerRunner {
  return {
    buildxPlugin,
    async run(args, options = {}) {
      const run = { ...options, env: { ...base, ...env } }
      // docker's plugin without docker is not docker: the CLI must be there
      const docker = findExecutable(binary, run.env.PATH ?? '')
      if (docker === undefined) throw new DockerMissingError()
      const viaDocker = () => runProcess(docker, args, run)
      const {
        stdout,
        stderr,
        exitCode,
        stalled,
        consumerError,
        consumerFirst
      } =
        buildxPlugin !== undefined && args[0] === 'buildx'
          ? await runProcess(buildxPlugin, args.slice(1), run).catch(
              (error: NodeJS.ErrnoException) => {
                // a plugin that cannot start is docker's to report, as it always was
                if (!CANNOT_START.has(error.code ?? '')) throw error
                return viaDocker()
              }
            )
          : await viaDocker()
      const output = `${stderr}\n${stdout}`
      if (stalled !== undefined)
        throw new DockerStalledError(
          args,
          stalled.silentMs,
          output,
          stalled.watch
        )
      // the consumer's failure stopped docker (killed, or a broken pipe): it is the cause
      if (consumerError !== undefined && consumerFirst === true)
        throw consumerError
      if (exitCode !== 0)
        throw new DockerCommandError(args, exitCode, output, stdout)
      if (consumerError !== undefined) throw consumerError
      return { stdout, stderr }
    }
  }
}

/** What a run that needs buildx tells where its plugin is missing. */
export const BUILDX_NOT_AVAILABLE =
  'docker buildx is not available: install the buildx plugin (promote and multi-platform ' +
  'builds need it)'

// docker 25+: `docker: unknown command: docker buildx`; older: `'buildx' is not a docker command`
const BUILDX_MISSING =
  /'buildx' is not a docker command|unknown command:? "?(?:docker )?buildx/i

/** Whether a failed `docker buildx …` failed only because buildx is not installed. */
export function isBuildxMissing(error: unknown): boolean {
  return (
    error instanceof DockerCommandError && BUILDX_MISSING.test(error.output)
  )
}
