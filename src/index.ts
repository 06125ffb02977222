import { askEngineEarly } from './docker/engine-info.js'
import { askBuildxVersionEarly } from './buildx/early-version.js'
import { avoidExitDeadlock } from './exit-safety.js'

avoidExitDeadlock()
askBuildxVersionEarly(process.env)

// the engine's /info takes 20-40 ms: sent before node loads the rest
void askEngineEarly(process.env)
  .then(() => import('./action/action-main.js'))
  .then(({ run }) => run())
  // the step ends with run(): a request given up on (a silent artifact service,
  // which @actions/artifact waits 3 minutes on, then retries) does not hold it open
  .then(() => process.exit())
