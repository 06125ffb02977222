import { execFile, type ExecFileException } from 'node:child_process'
import type { GitReader } from './git-context.js'

const STDERR_TAIL = 500

/**
 * The real GitReader: runs `git <args>` in cwd without a shell and resolves
 * with its stdout. A non-zero exit rejects with the command, the exit code and
 * the tail of stderr; a missing git binary gets its own message.
 */
export const execGit: GitReader = {
  run(args: string[], cwd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        args,
        { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve(stdout)
            return
          }
          reject(gitError(args, cwd, error, stderr))
        }
      )
    })
  }
}

function gitError(
  args: string[],
  cwd: string,
  error: ExecFileException,
  stderr: string
): Error {
  const command = ['git', ...args].join(' ')
  if (error.code === 'ENOENT') {
    return new Error(
      `${command}: git is not installed or not on PATH (or ${cwd} does not exist)`
    )
  }
  const detail = stderr.trim().slice(-STDERR_TAIL)
  const code = error.code ?? '?'
  return new Error(
    `${command} failed in ${cwd} (exit ${code})${detail === '' ? '' : `: ${detail}`}`
  )
}
