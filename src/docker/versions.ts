/** The docker and buildx versions, for a debug log (read-only commands). */
import { errorMessage } from '../errors/input-error.js'
import type { DockerRunner } from './runner.js'

const COMMANDS = [
  ['version', '--format', '{{.Client.Version}} {{.Server.Version}}'],
  ['buildx', 'version']
]

/** One line per command: `docker <args>: <output>`, or why it failed. */
export function dockerVersions(docker: DockerRunner): Promise<string[]> {
  return Promise.all(
    COMMANDS.map(args =>
      docker.run(args, { quiet: true }).then(
        ({ stdout }) => `docker ${args.join(' ')}: ${stdout.trim()}`,
        (error: unknown) =>
          `docker ${args.join(' ')}: not available (${errorMessage(error)})`
      )
    )
  )
}
