import * as core from './toolkit.js'
import type { Log } from '../log.js'

export const actionLog: Log = {
  info: message => core.info(message),
  notice: message => core.notice(message),
  warning: message => core.warning(message),
  group: (name, work) => core.group(name, work),
  mask: secret => core.setSecret(secret)
}
