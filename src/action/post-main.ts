import { existsSync } from 'node:fs'
import * as core from '@actions/core'
import { actionLog } from './actions-log.js'
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
 * The post step: removes what main made (builder, folder with our logins) if it could not; never
 * fails.
 */
export async function runPost(): Promise<void> {
  try {
    const { tempDir, builder } = loadState()
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
