import { formatCommand } from './argv/format.js'

export interface RunOptions {
  /** Sent on stdin (how passwords travel). */
  input?: string
  /** Don't stream the command's output to the log. */
  quiet?: boolean
}

export interface CommandOutput {
  stdout: string
  stderr: string
}

/** The one way this action starts a process: `docker <args>`. */
export interface DockerRunner {
  run(args: string[], options?: RunOptions): Promise<CommandOutput>
}

const TAIL_LINES = 15

/** A docker command that exited non-zero: the command as run, its code and what it said last. */
export class DockerCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly output: string
  ) {
    const tail = output.trim().split('\n').slice(-TAIL_LINES).join('\n')
    super(
      `docker ${formatCommand(args)} failed with exit code ${exitCode}${tail ? `:\n${tail}` : ''}`
    )
    this.name = 'DockerCommandError'
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
 * Judges by exit code alone; output on stderr is not an error by itself.
 * `env` is added to this process's environment (a run's DOCKER_CONFIG).
 */
export function createDockerRunner(
  binary = 'docker',
  env: Record<string, string> = {}
): DockerRunner {
  return {
    async run(args, options = {}) {
      let result
      try {
        // loaded on first use: a dry run starts no process
        const { getExecOutput } = await import('@actions/exec')
        result = await getExecOutput(binary, args, {
          input:
            options.input === undefined
              ? undefined
              : Buffer.from(options.input),
          ignoreReturnCode: true,
          silent: options.quiet === true,
          env: { ...(process.env as Record<string, string>), ...env }
        })
      } catch (error) {
        if (
          error instanceof Error &&
          /Unable to locate executable/.test(error.message)
        )
          throw new DockerMissingError()
        throw error
      }
      if (result.exitCode !== 0)
        throw new DockerCommandError(
          args,
          result.exitCode,
          `${result.stderr}\n${result.stdout}`
        )
      return { stdout: result.stdout, stderr: result.stderr }
    }
  }
}

/** buildx's plugin is missing: the docker CLI says so instead of building. */
export class BuildxMissingError extends Error {
  constructor() {
    super(
      'docker buildx is not available: install the buildx plugin (promote and multi-platform builds need it)'
    )
    this.name = 'BuildxMissingError'
  }
}

// docker 25+: `docker: unknown command: docker buildx`; older: `'buildx' is not a docker command`
const BUILDX_MISSING =
  /'buildx' is not a docker command|unknown command:? "?(?:docker )?buildx/i

/** Whether a failed `docker buildx …` failed only because buildx is not installed. */
export function isBuildxMissing(error: unknown): boolean {
  return (
    error instanceof DockerCommandError && BUILDX_MISSING.test(error.output)
  )
}
