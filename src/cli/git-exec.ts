import { runProcess } from '../docker/process.js'
import type { GitReader } from '../context/git-context.js'

const STDERR_TAIL = 500

/**
 * The real GitReader: `git <args>` in cwd (no shell); a failure names the command, code and stderr.
 */
export const execGit: GitReader = {
  async run(args, cwd) {
    const command = ['git', ...args].join(' ')
    const result = await runProcess('git', args, {
      cwd,
      env: process.env,
      quiet: true
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
      throw new Error(
        `${command}: git is not installed or not on PATH (or ${cwd} does not exist)`
      )
    })
    if (result.exitCode === 0) return result.stdout
    const detail = result.stderr.trim().slice(-STDERR_TAIL)
    throw new Error(
      `${command} failed in ${cwd} (exit ${result.exitCode})${detail === '' ? '' : `: ${detail}`}`
    )
  }
}
