/**
 * `call: check`: buildx runs the build checks and answers in JSON; each
 * violation becomes a warning annotation on the Dockerfile, the log shows
 * them one a line, the job summary says how it went, and the step fails
 * when the check found violations or a build error (as buildx >= 0.15.1
 * does; `ignorestatus=true` keeps the violations from failing it).
 */
import { turnedOff } from '../context/metadata-env.js'
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path'
import { ignoresStatus } from '../docker/argv/call.js'
import {
  checkAnnotations,
  checkReport,
  checkSummaryLine,
  parseCheckResult,
  placeText
} from '../docker/check-result.js'
import { DockerCommandError } from '../docker/runner.js'
import type { BuildSettings } from '../settings/settings.js'
import type { CommandStep } from '../plan/steps.js'
import type { PublishEnv } from './context.js'
import { isRemoteContext } from './preflight.js'

/**
 * The Dockerfile as the workspace names it (GitHub resolves an annotation's
 * file from the repository root), or undefined when it is not a file in the
 * workspace: stdin, a path outside. In a Git context, the path in the
 * repository; another remote context has none.
 */
export function annotationFile(
  build: Pick<BuildSettings, 'context' | 'file'>,
  cwd: string,
  workspace: string
): string | undefined {
  const { context, file } = build
  if (file === '-') return
  if (isRemoteContext(context)) return inRepository(context, file)
  const path = resolve(cwd, file === '' ? join(context, 'Dockerfile') : file)
  const inWorkspace = relative(resolve(workspace), path)
  if (
    inWorkspace === '' ||
    inWorkspace.startsWith('..') ||
    isAbsolute(inWorkspace)
  )
    return
  return inWorkspace.split(sep).join('/')
}

// a Git URL (`….git`, `….git#ref[:subdir]`, git://, git@): the repository's files
const GIT_URL = /^(?:git:\/\/|git@)|\.git(?:#|$)/

/**
 * The Dockerfile of a Git context, as the repository names it: `file` (or
 * Dockerfile) inside the subdir after `#ref:`. Undefined for other remote
 * contexts (a tarball, stdin) and for a path that leaves the repository.
 */
function inRepository(context: string, file: string): string | undefined {
  if (!GIT_URL.test(context)) return
  const fragment = context.split('#')[1] ?? ''
  const at = fragment.indexOf(':')
  const subdir = at < 0 ? '.' : fragment.slice(at + 1)
  const path = posix.normalize(posix.join(subdir, file || 'Dockerfile'))
  return path.startsWith('..') || posix.isAbsolute(path) ? undefined : path
}

/** Runs the check step and reports it; throws when the check failed. */
export async function runCheck(
  step: CommandStep,
  argv: string[],
  env: PublishEnv,
  fail: (error: unknown) => unknown
): Promise<void> {
  const call = argv[argv.indexOf('--call') + 1] ?? ''
  let stdout: string
  try {
    // quiet: the answer is JSON with the Dockerfile in base64; it is reported below
    stdout = (await env.docker.run(argv, { quiet: true })).stdout
  } catch (error) {
    // buildx >= 0.15.1 exits 1 when the check finds something: the answer is on stdout
    if (!(error instanceof DockerCommandError)) throw fail(error)
    if (parseCheckResult(error.stdout) === undefined) throw fail(error)
    stdout = error.stdout
  }
  const result = parseCheckResult(stdout)
  if (result === undefined)
    throw new Error(
      `docker ${step.argv.slice(0, 3).join(' ')} answered no build check result:\n${stdout.trim().split('\n').slice(-15).join('\n')}`
    )
  const dockerfile = env.dockerfile
  env.log.info(checkReport(result, dockerfile))
  // DOCKER_BUILD_CHECKS_ANNOTATIONS=false: the violations stay in the log only
  if (!turnedOff('DOCKER_BUILD_CHECKS_ANNOTATIONS', process.env))
    for (const { message, annotation } of checkAnnotations(result, dockerfile))
      env.log.warning(message, annotation)
  env.progress.check = checkSummaryLine(result, dockerfile)
  if (result.error !== undefined) {
    const at = placeText(result.error, dockerfile)
    throw new Error(
      `call: the build check stopped on an error${at ? ` at ${at}` : ''}: ${result.error.message}`
    )
  }
  const n = result.warnings.length
  if (n > 0 && !ignoresStatus(call))
    throw new Error(
      `call: the build check found ${n === 1 ? '1 violation' : `${n} violations`} (annotated above); fix them, or add ignorestatus=true to report them without failing`
    )
}
