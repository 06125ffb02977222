import * as core from './toolkit.js'
import { splitSecret } from '../secrets.js'
import { parseSettings, UNTRIMMED_INPUTS, type Settings } from './settings.js'

/** Reads every input through the toolkit and masks each secret the moment it is read. */
export async function readActionSettings(): Promise<Settings> {
  const settings = await parseSettings(name =>
    UNTRIMMED_INPUTS.includes(name)
      ? core.getRawInput(name)
      : core.getInput(name)
  )
  for (const login of settings.logins) core.setSecret(login.password)
  settings.build.secrets.forEach((line, index) =>
    core.setSecret(splitSecret(line, index).value)
  )
  return settings
}
