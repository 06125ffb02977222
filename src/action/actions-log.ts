import * as core from '@actions/core'
import { appendFileSync } from 'node:fs'
import type { Log } from '../publish/log.js'
import { errorMessage } from '../errors/input-error.js'
import { turnedOff } from '../context/metadata-env.js'
import { escapeWorkflowCommands } from '../docker/workflow-commands.js'

/**
 * A plain log line, escaped: it may hold values from the payload or buildx (core escapes the rest).
 */
export function info(message: string): void {
  core.info(escapeWorkflowCommands(message))
}

/** Tells the runner to mask this value in every later log line. */
export function mask(secret: string): void {
  if (secret !== '') core.setSecret(secret)
}

export const actionLog: Log = {
  info,
  notice: core.notice,
  warning: core.warning,
  group: core.group,
  mask,
  debug: core.debug
}

/**
 * Appends Markdown to the job summary, unless DOCKER_BUILD_SUMMARY=false: what core.summary's
 * addRaw().write() appends, without its module, which loads node:fs/promises at start-up (about
 * 2 ms of a dry run on Node 24).
 */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY ?? ''
  if (file === '' || turnedOff('DOCKER_BUILD_SUMMARY', process.env)) return
  // a summary that cannot be written is told, and never replaces the run's own outcome or error
  try {
    appendFileSync(file, markdown)
  } catch (error) {
    core.warning(
      `the job summary could not be written to ${file}: ${errorMessage(error)}`
    )
  }
}
