import * as core from '@actions/core'
import type { Log } from '../publish/log.js'
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

/** Appends Markdown to the job summary, unless DOCKER_BUILD_SUMMARY=false. */
export async function appendSummary(markdown: string): Promise<void> {
  if ((process.env.GITHUB_STEP_SUMMARY ?? '') === '') return
  if (turnedOff('DOCKER_BUILD_SUMMARY', process.env)) return
  await core.summary.addRaw(markdown).write()
}
