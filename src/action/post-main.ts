import { existsSync } from 'node:fs'
import * as core from '@actions/core'
import { actionLog } from './actions-log.js'
import { loadState } from './state.js'
import { errorMessage } from '../shared/input-error.js'
import { removeRunDir } from '../docker/run-folder.js'

/**
 * The post step, run when the job failed or was cancelled: removes main's
 * folder if main could not, and with it the docker config our logins lived
 * in (the user's own config was never written); warns, never fails.
 */
export function runPost(): Promise<void> {
  try {
    const { tempDir } = loadState()
    if (tempDir !== '' && existsSync(tempDir)) {
      removeRunDir(tempDir)
      actionLog.info(`Removed ${tempDir} (this run's docker config and files)`)
    }
  } catch (error) {
    core.warning(`cleanup: ${errorMessage(error)}`)
  }
  return Promise.resolve()
}
