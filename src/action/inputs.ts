import * as core from '@actions/core'
import { splitSecret } from '../shared/secret-lines.js'
import { mask } from './actions-log.js'
import {
  parseSettings,
  UNTRIMMED_INPUTS,
  type Settings
} from '../settings/settings.js'
import { settingsDebugLine } from '../settings/redact.js'

/** Reads every input through @actions/core and masks each secret the moment it is read. */
export async function readActionSettings(): Promise<Settings> {
  const settings = await parseSettings(name =>
    core.getInput(name, { trimWhitespace: !UNTRIMMED_INPUTS.includes(name) })
  )
  for (const login of settings.logins) mask(login.password)
  // a key is masked line by line: the runner masks each line of a multi-line secret
  const { key, password } = settings.signing
  for (const line of key.split(/\r?\n/))
    if (!line.startsWith('-----')) mask(line)
  mask(password)
  settings.build.secrets.forEach((line, index) =>
    mask(splitSecret(line, index).value)
  )
  core.debug(settingsDebugLine(settings))
  return settings
}
