import { existsSync } from 'node:fs'
import * as core from '@actions/core'
import { actionLog, appendSummary } from './actions-log.js'
import { loadState } from './state.js'
import { errorMessage } from '../errors/input-error.js'
import { removeRunDir } from '../docker/run-folder.js'
import { removeStoppedRunBuilder } from '../buildx/own-builder.js'

/** The builder main made for the run, if main was stopped before its cleanup removed it. */
async function removeBuilder(tempDir: string, name: string): Promise<void> {
  const ms = await removeStoppedRunBuilder(tempDir, name)
  actionLog.info(`Removed the builder ${name} this run made (${ms} ms)`)
}

/**
 * The cache entries main left unwritten, written to GitHub's cache service (its own chunk: a post
 * step without them never loads it); told in the log, the job summary and one warning.
 */
async function writeCache(dir: string): Promise<void> {
  const { writeHandedOver } = await import('../buildx/cache-writer.js')
  const words = await writeHandedOver(
    dir,
    process.env.ACTIONS_RESULTS_URL ?? '',
    process.env.ACTIONS_RUNTIME_TOKEN ?? ''
  )
  if (words === undefined) return
  actionLog.info(words.line)
  if (words.warning !== undefined) core.warning(words.warning)
  appendSummary(`\n${words.summary}\n`)
}

/**
 * The post step: writes the cache entries main left, removes what main made (builder, folder with
 * our logins) if it could not; never fails.
 */
export async function runPost(): Promise<void> {
  try {
    const { tempDir, builder, cacheSpool } = loadState()
    if (cacheSpool !== undefined)
      await writeCache(cacheSpool).catch((error: unknown) =>
        core.warning(`Cache (post step): ${errorMessage(error)}`)
      )
    if (tempDir !== '' && existsSync(tempDir)) {
      if (builder !== undefined)
        await removeBuilder(tempDir, builder).catch((error: unknown) =>
          core.warning(
            `cleanup: the builder ${builder}: ${errorMessage(error)}`
          )
        )
      removeRunDir(tempDir)
      actionLog.info(`Removed ${tempDir} (this run's docker config and files)`)
    }
  } catch (error) {
    core.warning(`cleanup: ${errorMessage(error)}`)
  }
}
