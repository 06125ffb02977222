import { readFileSync } from 'node:fs'
import { parseCliArgs, SECRET_INPUTS } from './args.js'
import { terminalLog } from './terminal-log.js'
import { refContextFromGit } from '../context/git-context.js'
import { execGit } from './git-exec.js'
import { serverUrlOf } from '../context/git-source.js'
import { parseSettings, type Settings } from '../settings/settings.js'
import { settingsDebugLine } from '../settings/redact.js'
import { errorMessage } from '../errors/input-error.js'
import type { Publication } from '../plan/publication.js'
import {
  changeText,
  formatBytes,
  formatSeconds,
  tagRows,
  uploadSize,
  uploadTotals,
  uploadBytesText,
  type PublishResult
} from '../publish/outcome.js'
import { run } from '../publish/run.js'
import { removeRunDir } from '../docker/run-folder.js'
import { removeStoppedRunBuilder } from '../buildx/own-builder.js'

const USAGE = `Usage: docker-publish-action [--dry-run] [--images NAME]... [--tags RULE]...
                             [--username USER --password-stdin] [--INPUT VALUE]...
Computes the tags for the current git checkout (branch, or the tag at HEAD) and
publishes the image with your docker, exactly as the GitHub Action would. Every
action input is a flag of the same name; a repeated flag adds a line.
  --dry-run          print the plan (tags, labels, commands) and change nothing
  --password-stdin   read the password from stdin (or set DOCKER_PUBLISH_PASSWORD);
                     a password is never taken as a flag value
  --logins-file PATH, --registry-auth-file PATH, --secrets-file PATH
                     read these secret inputs from a file (or set
                     DOCKER_PUBLISH_LOGINS, DOCKER_PUBLISH_REGISTRY_AUTH,
                     DOCKER_PUBLISH_SECRETS); never taken as flag values
  --context          default . (this checkout); {{defaultContext}}[:subdir] is it too
  --github-token-file PATH
                     the token for Git contexts on GITHUB_SERVER_URL (github.com)
                     (or set DOCKER_PUBLISH_GITHUB_TOKEN)`

/** The password from stdin or the environment: never from argv, where `ps` shows it. */
function cliPassword(fromStdin: boolean): string {
  if (fromStdin) return readFileSync(0, 'utf8').replace(/\r?\n$/, '')
  return process.env.DOCKER_PUBLISH_PASSWORD ?? ''
}

/** The secret inputs from their files or variables: never from argv. */
function cliSecrets(files: Map<string, string>): Map<string, string> {
  const values = new Map<string, string>()
  for (const [input, variable] of Object.entries(SECRET_INPUTS)) {
    const file = files.get(input)
    const value =
      file === undefined ? process.env[variable] : readFileSync(file, 'utf8')
    if (value !== undefined && value !== '') values.set(input, value)
  }
  return values
}

/** What the run changed, as the job summary says it: a line per tag, then the bytes and times. */
function footprintLines(
  publication: Publication,
  result: PublishResult,
  settings: Settings
): string[] {
  const lines = tagRows(publication, result).map(
    row => `${row.ref}: ${changeText(row.change)}`
  )
  const platforms = result.platforms ?? settings.build.platforms
  if (platforms.length > 0) lines.push(`platforms: ${platforms.join(', ')}`)
  if (result.buildMs !== undefined)
    lines.push(`build: ${formatSeconds(result.buildMs)}`)
  const { uploads } = result
  if (uploads.length > 0) {
    const total = uploadTotals(uploads)
    lines.push(
      `upload: ${uploadBytesText(total)}, of ${formatBytes(uploadSize(total))} ` +
        `(${formatSeconds(total.ms)})`
    )
  }
  return lines
}

/** What a run leaves until its end: its folder and the builder it made. */
interface Leftovers {
  dir?: string
  builder?: string
}

/**
 * SIGINT or SIGTERM mid-run: the run's builder and folder removed (as the post step), exit 130
 * (143).
 */
function removeOnInterrupt(leftovers: Leftovers): () => void {
  const stop = (signal: NodeJS.Signals) => {
    const { dir, builder } = leftovers
    const removed =
      dir !== undefined && builder !== undefined
        ? removeStoppedRunBuilder(dir, builder).then(() =>
            console.error(`Removed the builder ${builder}`)
          )
        : Promise.resolve()
    void removed
      .catch((error: unknown) =>
        console.error(`cleanup: the builder ${builder}: ${errorMessage(error)}`)
      )
      .finally(() => {
        if (dir !== undefined) removeRunDir(dir)
        process.exit(signal === 'SIGINT' ? 130 : 143)
      })
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return () => {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}

/** The local CLI: same settings parser and engine as the action, git instead of GITHUB_*. */
export async function runCli(argv: string[], cwd: string): Promise<number> {
  const leftovers: Leftovers = {}
  const stopWatching = removeOnInterrupt(leftovers)
  try {
    const { inputs, help, passwordStdin, secretFiles } = parseCliArgs(argv)
    if (help) {
      console.log(USAGE)
      return 0
    }
    const password = cliPassword(passwordStdin)
    const secrets = cliSecrets(secretFiles)
    // {{defaultContext}} (and an empty context) is the local checkout here
    const settings = await parseSettings(
      name =>
        name === 'password'
          ? password
          : (secrets.get(name) ?? inputs.get(name) ?? ''),
      { runner: false, serverUrl: serverUrlOf(process.env) }
    )
    terminalLog.debug?.(settingsDebugLine(settings))
    const { publication, result } = await run(settings, {
      log: terminalLog,
      cwd,
      env: process.env,
      clock: () => new Date(),
      refContext: defaultBranch =>
        refContextFromGit(execGit, cwd, defaultBranch),
      showPlan: text => Promise.resolve(console.log(text)),
      onRunDir: dir => (leftovers.dir = dir),
      onOwnBuilder: (_, name) => (leftovers.builder = name)
    })
    if (!settings.dryRun)
      console.log(footprintLines(publication, result, settings).join('\n'))
    return 0
  } catch (error) {
    console.error(`error: ${errorMessage(error)}`)
    return 1
  } finally {
    stopWatching()
  }
}
