import * as core from './action/toolkit.js'
import { actionLog } from './action/log.js'
import { loadState } from './action/state.js'
import { logoutAll } from './docker/login.js'
import { createDockerRunner } from './docker/runner.js'
import { errorMessage } from './errors.js'
import { removeRunDir } from './temp-dir.js'

/** The post step: undoes only what main recorded in its state; warns, never fails. */
export async function runPost(): Promise<void> {
  try {
    const state = loadState()
    await logoutAll(createDockerRunner(), state.registries, actionLog)
    removeRunDir(state.tempDir)
  } catch (error) {
    core.warning(`cleanup: ${errorMessage(error)}`)
  }
}
