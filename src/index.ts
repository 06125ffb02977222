import { askEngineEarly } from './docker/engine-info.js'

// the engine's /info takes 20-40 ms: sent before node loads the rest
void askEngineEarly(process.env)
  .then(() => import('./action/action-main.js'))
  .then(({ run }) => run())
